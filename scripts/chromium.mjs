// How Stint's tests and benchmark launch Chromium: Debian's /usr/bin/chromium here, STINT_CHROMIUM to
// use another, and where neither exists (a laptop after `npx playwright install`) Playwright's own.
import { existsSync } from 'node:fs';

export const executablePath = process.env.STINT_CHROMIUM || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Flags that work on a machine without a GPU, a sandbox or a network beyond the local one. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
