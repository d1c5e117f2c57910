import { defineConfig } from 'vitest/config';

/** STINT_ENGINES without webkit (a machine without WebKitGTK: README, Development) runs nothing here. */
const webkit = !process.env.STINT_ENGINES || process.env.STINT_ENGINES.split(',').includes('webkit');

/** The WebKit runner: `npm run test:webkit` (README, Development). One test at a time: one WebDriver, two cores. */
export default defineConfig({
  test: {
    include: webkit ? ['e2e/webkit/suite.ts'] : [],
    passWithNoTests: !webkit,
    globalSetup: webkit ? ['e2e/webkit/setup.ts'] : [],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: [process.env.CI ? 'default' : 'verbose'],
  },
});
