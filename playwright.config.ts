import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Project } from '@playwright/test';
import type { Build } from './e2e/fixtures';
import { webkitSkipped } from './e2e/webkit/skips';
import { CHROMIUM_ARGS, executablePath } from './scripts/chromium.mjs';

/**
 * Debian's Firefox ESR, or STINT_FIREFOX, started by scripts/firefox.sh (so that a crashed tab does not
 * take the browser down). Playwright drives it over WebDriver BiDi (channel 'moz-firefox'), which works
 * with @playwright/test 1.64 and ESR 153 (see the pin in package.json).
 */
const firefoxPath = process.env.STINT_FIREFOX || '/usr/bin/firefox-esr';

/**
 * The engines, each running every spec. Chromium and Firefox are Playwright's own; WebKit is WebKitGTK's
 * MiniBrowser under Xvfb, driven over classic WebDriver by a Playwright-compatible page (e2e/webkit/page.ts)
 * that the fixtures hand out (e2e/fixtures.ts). The scripts play them by name: `npm test` Chromium
 * (`--project chromium`, in under ten minutes on a 2-core machine), `npm run test:engines` Firefox and WebKit.
 * STINT_ENGINES=firefox sets up one project only, for a run by hand.
 */
const engines: Record<string, Project['use']> = {
  chromium: {
    browserName: 'chromium',
    launchOptions: {
      executablePath,
      args: [
        ...CHROMIUM_ARGS,
        // Subdomains of stint.test for the cookie-domain test, all served by the local demo server.
        '--host-resolver-rules=MAP *.stint.test 127.0.0.1',
      ],
    },
  },
  firefox: {
    browserName: 'firefox',
    channel: 'moz-firefox',
    launchOptions: {
      executablePath: existsSync(firefoxPath) ? resolve('scripts/firefox.sh') : undefined,
      // The subdomains of stint.test resolve to 127.0.0.1, as --host-resolver-rules does for Chromium.
      firefoxUserPrefs: { 'network.dns.localDomains': 'a.stint.test,b.stint.test' },
    },
  },
  // (its proxy, e2e/webkit/proxy.ts, resolves the subdomains of stint.test to 127.0.0.1)
  webkit: { browserName: 'webkit' },
};
const wanted = (process.env.STINT_ENGINES || 'chromium,firefox,webkit').split(',');

export default defineConfig<{ build: Build }>({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // (then, per engine: titles played, skipped with their reasons, failed, and wall time: e2e/reporter.ts)
  reporter: [[process.env.CI ? 'line' : 'list'], ['./e2e/reporter.ts']],
  // One project per engine, every spec on the script tag build; the ESM build's own tests are marked in the
  // specs (e2e/npm.ts). WebKit first, so that its one worker runs beside the other engines, not after them.
  projects: Object.entries(engines)
    .filter(([engine]) => wanted.includes(engine))
    .sort(([a], [b]) => Number(b === 'webkit') - Number(a === 'webkit'))
    .map(([engine, use]) => ({
      name: engine,
      use: { ...use, build: 'tag' as const },
      // WebKit: one test at a time (two MiniBrowsers side by side on a 2-core machine, with a second context's
      // browser on top, made the demo's and the routers' timing tests fail now and then), without what it
      // cannot play (e2e/webkit/skips.ts), and three times the time (as test.slow gives): over WebDriver each
      // step costs about three times what it costs in the others, and under load a test with many page states
      // (the TCF visits, a tampered cookie) passed 30 s now and then. Every wait inside is still bounded by its fact.
      ...(engine === 'webkit' ? { workers: 1, grepInvert: webkitSkipped, timeout: 90_000 } : {}),
    })),
});

