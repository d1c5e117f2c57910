import { defineConfig } from '@playwright/test';
import type { Build } from './e2e/fixtures';
import { CHROMIUM_ARGS, executablePath } from './scripts/chromium.mjs';

export default defineConfig<{ build: Build }>({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    launchOptions: {
      executablePath,
      args: [
        ...CHROMIUM_ARGS,
        // Subdomains of stint.test for the cookie-domain test, all served by the local demo server.
        '--host-resolver-rules=MAP *.stint.test 127.0.0.1',
      ],
    },
  },
  // The same specs run against the script tag and the ESM build.
  projects: [
    { name: 'tag', use: { build: 'tag' } },
    { name: 'esm', use: { build: 'esm' } },
  ],
});
