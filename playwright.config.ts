import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import type { Build } from './e2e/fixtures';

// Debian's Chromium here; STINT_CHROMIUM overrides it, and where neither exists (a laptop with
// `npx playwright install`) Playwright's own browser is used.
const executablePath = process.env.STINT_CHROMIUM || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Subdomains of stint.test for the cookie-domain test, all served by the local demo server.
        '--host-resolver-rules=MAP *.stint.test 127.0.0.1',
      ],
    },
  },
  // The same specs run against the script tag and the ESM build.
  projects: [
    { name: 'tag', use: { build: 'tag' as Build } },
    { name: 'esm', use: { build: 'esm' as Build } },
  ],
});
