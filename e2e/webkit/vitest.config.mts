import { defineConfig } from 'vitest/config';

/** The WebKit runner: `npm run test:webkit` (README, Development). One test at a time: one WebDriver, two cores. */
export default defineConfig({
  test: {
    include: ['e2e/webkit/suite.ts'],
    globalSetup: ['e2e/webkit/setup.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: [process.env.CI ? 'default' : 'verbose'],
  },
});
