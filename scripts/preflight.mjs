// The first thing `npm test` does: checks that each engine the e2e suite drives is here, and where one is
// missing says so in one line, with the command that installs it. It starts no browser.
//
//   Chromium   Debian's /usr/bin/chromium, STINT_CHROMIUM, or Playwright's own (`npx playwright install chromium`)
//   Firefox    Debian's firefox-esr (/usr/bin/firefox-esr) or STINT_FIREFOX, driven over WebDriver BiDi
//   WebKit     WebKitGTK's WebKitWebDriver and MiniBrowser (STINT_WEBKIT_DRIVER, STINT_MINIBROWSER), under Xvfb
//              (or the X display STINT_DISPLAY names): Linux only
//
// STINT_ENGINES=chromium,firefox (any of chromium, firefox, webkit) runs only those: for a machine that cannot have
// them all (macOS has no WebKitGTK). CI never sets it, and under CI a list that leaves one out is refused.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const ENGINES = ['chromium', 'firefox', 'webkit'];
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const mac = process.platform === 'darwin';

/** Whether `command` is an executable file, or a command found on the PATH. */
function found(command) {
  const candidates = command.includes('/') ? [command] : (process.env.PATH || '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Playwright's own Chromium, where `npx playwright install chromium` put it (a laptop without Debian's). */
function playwrightChromium() {
  try {
    const path = execFileSync(process.execPath, ['-e', "process.stdout.write(require('playwright-core').chromium.executablePath())"], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return existsSync(path);
  } catch {
    return false;
  }
}

/** What each engine needs: [what is missing, how to install it] for each part that is not here. */
const needs = {
  chromium: () =>
    process.env.STINT_CHROMIUM ? (found(process.env.STINT_CHROMIUM) ? [] : [[`Chromium (STINT_CHROMIUM=${process.env.STINT_CHROMIUM})`, 'a path to a Chromium or Chrome executable']])
    : found('/usr/bin/chromium') || playwrightChromium() ? []
    : [['Chromium', mac ? 'npx playwright install chromium' : 'sudo apt-get install chromium  (or: npx playwright install chromium)']],
  firefox: () =>
    found(process.env.STINT_FIREFOX || '/usr/bin/firefox-esr') ? []
    : process.env.STINT_FIREFOX ? [[`Firefox (STINT_FIREFOX=${process.env.STINT_FIREFOX})`, 'a path to a Firefox executable']]
    : [['Firefox ESR (/usr/bin/firefox-esr)', mac ? 'install Firefox, then STINT_FIREFOX=/Applications/Firefox.app/Contents/MacOS/firefox' : 'sudo apt-get install firefox-esr']],
  webkit: () => {
    if (mac) return [['WebKit (WebKitGTK: Linux only)', 'STINT_ENGINES=chromium,firefox npm test runs the other two (CI runs all three, on Linux)']];
    const missing = [];
    if (!found(process.env.STINT_WEBKIT_DRIVER || 'WebKitWebDriver')) missing.push(['WebKit: WebKitWebDriver', 'sudo apt-get install webkit2gtk-driver']);
    if (!found(process.env.STINT_MINIBROWSER || MINIBROWSER)) missing.push([`WebKit: MiniBrowser (${process.env.STINT_MINIBROWSER || MINIBROWSER})`, 'sudo apt-get install webkit2gtk-driver libwebkit2gtk-4.1-0']);
    if (!process.env.STINT_DISPLAY && !found('Xvfb')) missing.push(['WebKit: Xvfb (or STINT_DISPLAY, a running X display)', 'sudo apt-get install xvfb']);
    return missing;
  },
};

const listed = process.env.STINT_ENGINES?.split(',').map((e) => e.trim()).filter(Boolean);
const unknown = (listed || []).filter((e) => !ENGINES.includes(e));
if (unknown.length) {
  console.error(`preflight: STINT_ENGINES names ${unknown.join(', ')}: the engines are ${ENGINES.join(', ')}`);
  process.exit(1);
}
const wanted = listed || ENGINES;
if (process.env.CI && wanted.length < ENGINES.length) {
  console.error(`preflight: STINT_ENGINES=${process.env.STINT_ENGINES} leaves out ${ENGINES.filter((e) => !wanted.includes(e)).join(', ')}: CI runs every engine`);
  process.exit(1);
}

const missing = wanted.flatMap((engine) => needs[engine]());
if (missing.length) {
  for (const [what, install] of missing) console.error(`preflight: ${what} is missing: ${install}`);
  const present = wanted.filter((engine) => !needs[engine]().length);
  console.error(
    present.length
      ? `preflight: or run the engines that are here only: STINT_ENGINES=${present.join(',')} npm test (not for CI, which runs all three)`
      : 'preflight: no engine of the e2e suite is here',
  );
  process.exit(1);
}
console.log(`preflight: ${wanted.join(', ')}: here${listed ? ` (STINT_ENGINES: ${ENGINES.filter((e) => !wanted.includes(e)).join(', ') || 'none'} left out)` : ''}`);
