/**
 * The one list of the e2e titles WebKit does not play, each with the engine's or the driver's limit that
 * stops it. Every other title plays in WebKit, the same test body as in Chromium and Firefox (page.ts).
 * The webkit-* projects leave them out (grepInvert, playwright.config.ts: no hook of theirs runs), and the
 * run's summary prints them with their reasons (e2e/reporter.ts). A title is written as in its spec;
 * `${...}` stands for any text.
 * (A test that no engine but Chromium can play says so in its spec: freeze.spec.ts.)
 */

/** Killing a web process ends the WebDriver session (WebKitWebDriver: "session deleted because of page crash"), and with it the browser and its storage. */
const CRASH = 'WebKitWebDriver deletes the session when a web process crashes, and the browser and its storage with it: no next page can start there';
/** WebDriver has no network conditions, and WebKit no offline switch a driver can reach. */
const OFFLINE = 'WebKitWebDriver cannot take the browser offline (navigator.onLine stays true): no context.setOffline';

/** e2e/fixtures.ts `leavesIntoCache`. */
const CACHED = 'WebKit keeps the page it leaves in its back/forward cache (pagehide persisted, even with Cache-Control: no-store), which is no exit; bfcache.spec.ts plays that cache';

/** e2e/conformance/snowplow.mjs sets the collector's cookie as Snowplow does: Secure, over this test's http. */
const SECURE = "WebKit (libsoup) refuses a Secure cookie from http://127.0.0.1, which Chromium and Firefox take as a secure origin: Snowplow's sp cookie never comes back";

/**
 * Seen here (the flight recorder's log of the page, played in WebKit): a page that navigates away before its load event
 * gets no pagehide and no visibilitychange, yet is kept in the back/forward cache and restored (pageshow persisted).
 * WebKit's FrameLoader fires the unload events only once the document has loaded (its implicit close).
 */
const UNLOADED = 'WebKit fires no pagehide for a page that leaves before its load event (the part still loading holds it): nothing tells the page it leaves';

export const webkitSkips: Record<string, string> = {
  "crossDomain: a landing page that leaves before its links part has come sends what it tracked, in a session of its own (what waits for the part goes on as the page leaves)": UNLOADED,
  "the collector's cookie comes back (fetch, ${where}): one network user id": SECURE,
  'application_exit on a real navigation away, delivered with the beacon': CACHED,
  'successfully_closed: true after a clean exit or beside an open tab, false after a crash': CRASH,
  'unsent events survive a crash and a closed tab, and are sent at the next start': CRASH,
  'offline: events tracked, the page reloaded while still offline, the network back: each arrives once': OFFLINE,
};

const pattern = (title: string) => new RegExp(`${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\$\\\{[^}]*\\\}/g, '.*')}$`);

/** For the webkit project's grepInvert (playwright.config.ts): a test's full title ends with one of these. */
export const webkitSkipped = Object.keys(webkitSkips).map((title) => new RegExp(` ${pattern(title).source}`));

/** Why WebKit does not play the test of this title (with its describe blocks: "the ESM build › ..."), or undefined: it does. */
export function webkitCannot(title: string): string | undefined {
  const found = Object.entries(webkitSkips).find(([t]) => new RegExp(`(?:^|› )${pattern(t).source}`).test(title));
  return found?.[1];
}
