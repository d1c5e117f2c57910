// The first thing `npm test` and `npm run test:engines` do: checks that each engine the script plays is here, and
// where one is missing says so in one line, with the command that installs it. It starts no browser.
//
//   node scripts/preflight.mjs chromium          npm test: the e2e suite in Chromium
//   node scripts/preflight.mjs firefox webkit    npm run test:engines: the same suite in Firefox and WebKit
//
//   Chromium   Debian's /usr/bin/chromium, STINT_CHROMIUM, or Playwright's own (`npx playwright install chromium`)
//   Firefox    Debian's firefox-esr (/usr/bin/firefox-esr) or STINT_FIREFOX, driven over WebDriver BiDi
//   WebKit     WebKitGTK's WebKitWebDriver and MiniBrowser (STINT_WEBKIT_DRIVER, STINT_MINIBROWSER), under Xvfb
//              (or the X display STINT_DISPLAY names): Linux only
//
// STINT_ENGINES (any of chromium, firefox, webkit) is the projects playwright.config.ts sets up, for a run by hand;
// a script plays its engines by name (`--project`), so a STINT_ENGINES that leaves one of them out is refused here,
// in one line, rather than by Playwright ("Project(s) not found").
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
    if (mac) return [['WebKit (WebKitGTK: Linux only)', 'npx playwright test --project firefox plays Firefox alone (CI plays all three, on Linux)']];
    const missing = [];
    if (!found(process.env.STINT_WEBKIT_DRIVER || 'WebKitWebDriver')) missing.push(['WebKit: WebKitWebDriver', 'sudo apt-get install webkit2gtk-driver']);
    if (!found(process.env.STINT_MINIBROWSER || MINIBROWSER)) missing.push([`WebKit: MiniBrowser (${process.env.STINT_MINIBROWSER || MINIBROWSER})`, 'sudo apt-get install webkit2gtk-driver libwebkit2gtk-4.1-0']);
    if (!process.env.STINT_DISPLAY && !found('Xvfb')) missing.push(['WebKit: Xvfb (or STINT_DISPLAY, a running X display)', 'sudo apt-get install xvfb']);
    return missing;
  },
};

const played = process.argv.length > 2 ? process.argv.slice(2) : ENGINES;
const listed = process.env.STINT_ENGINES?.split(',').map((e) => e.trim()).filter(Boolean);
const unknown = [...played, ...(listed || [])].filter((e) => !ENGINES.includes(e));
if (unknown.length) {
  console.error(`preflight: ${unknown.join(', ')}: the engines are ${ENGINES.join(', ')}`);
  process.exit(1);
}
const left = played.filter((e) => listed && !listed.includes(e));
if (left.length) {
  console.error(`preflight: STINT_ENGINES=${process.env.STINT_ENGINES} leaves out ${left.join(', ')}, which this script plays: unset it (one engine by hand: npx playwright test --project <engine>)`);
  process.exit(1);
}

const missing = played.flatMap((engine) => needs[engine]());
if (missing.length) {
  for (const [what, install] of missing) console.error(`preflight: ${what} is missing: ${install}`);
  const present = played.filter((engine) => !needs[engine]().length);
  if (present.length) console.error(`preflight: or play the engines that are here by hand: ${present.map((e) => `npx playwright test --project ${e}`).join('; ')} (not for CI, which plays all three)`);
  process.exit(1);
}
console.log(`preflight: ${played.join(', ')}: here`);
