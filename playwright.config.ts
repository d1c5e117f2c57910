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
 * that the fixtures hand out (e2e/fixtures.ts). STINT_ENGINES=firefox runs one.
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
  // The same specs run against the script tag and the ESM build, in each engine.
  projects: order(
    Object.entries(engines)
      .filter(([engine]) => wanted.includes(engine))
      .flatMap(([engine, use]) =>
        (['tag', 'esm'] as const).map((build) => ({
          name: `${engine}-${build}`,
          use: { ...use, build },
          // WebKit: one test at a time (a project's worker, and e2e/webkit/turn.ts across projects), without
          // what it cannot play (e2e/webkit/skips.ts)
          ...(engine === 'webkit' ? { workers: 1, grepInvert: webkitSkipped } : {}),
        })),
      ),
  ),
});

/**
 * Jobs go to workers in the projects' order: webkit-tag first and webkit-esm last, so that WebKit's one worker
 * runs beside the other engines' instead of after them (and the two WebKit projects do not meet).
 */
function order<P extends { name: string }>(projects: P[]): P[] {
  const rank = (p: P) => (p.name === 'webkit-tag' ? -1 : p.name === 'webkit-esm' ? 1 : 0);
  return [...projects].sort((a, b) => rank(a) - rank(b));
}
