/**
 * Every message's sentence, by its code (log.ts), and the flight recorder's log (recorder.ts). Not in the tag: the
 * debug part (`stint.debug.js`) and an npm app's chunk carry them, loaded with `debug: true`. A message is `where` (the
 * call or the field, and what it was given) and its sentence; docs/messages.md lists them, each with what to do
 * (test/docs.test.ts checks they agree).
 */
import { MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTES } from '../core/session/attributes';
import { MAX_EVENT_BYTES, MAX_QUEUE_EVENTS } from '../core/send/batch';
import type { DebugLog, Recording } from '../ground/recorder';
import type { Model } from '../core/model';
import type { Delivery } from '../core/send/send-model';
import { VERSION } from '../ground/version';

/** What a valid value of each checked field of the config (or of a format's options) is. */
const EXPECTED: Record<string, string> = {
  collector: 'a URL or a path',
  appId: 'a non-empty string',
  appVersion: 'a non-empty string',
  foregroundTimeout: 'a positive number of ms',
  backgroundTimeout: 'a positive number of ms',
  maxSessionDuration: 'a positive number of ms, or 0',
  consent: "'granted', 'pending', 'denied' or a consent signal",
  onDenied: "'drop' or 'anonymous'",
  format: "'native', snowplow() (stint/snowplow), tracardi() (stint/tracardi) or otlp() (stint/otlp)",
  installType: "'auto', 'known_install' or 'known_upgrade'",
  activity: "'events' or 'input'",
  engagement: 'true, false or { idle: ms >= 1000 }',
  sampleRate: 'a number from 0 to 1',
  autoPageViews: "false, 'history' or 'history+hash'",
  compression: "'none' or 'gzip'",
  crossDomain: 'a list of host names',
  serverCookie: 'a path (/stint/id)',
  store: 'an object with get, set and delete',
  debug: 'true or false',
  'cookie.sameSite': "'Lax', 'Strict' or 'None'",
  'cookie.maxAgeDays': 'a positive number of days',
  'cookie.name': 'characters a cookie name can hold',
  'cookie.domain': "characters a cookie domain can hold, or 'auto'",
  'cookie.path': 'characters a cookie path can hold',
  'snowplow.postPath': 'a path that starts with /',
  'tracardi.sourceId': 'the id of a Tracardi event source',
  'otlp.logsPath': 'a path that starts with /',
  'otlp.headers': 'a map of header names to strings (not Content-Type)',
  'otlp.resource': 'a map of names to strings, numbers or booleans',
};

/** What does not happen when a part does not load, by the config's field that named it. */
const WITHOUT: Record<string, string> = {
  consent: 'consent stays pending',
  autoPageViews: 'route changes are no page views',
  activity: 'input is not heard',
  engagement: 'input is not heard',
  crossDomain: 'links to the other domains are neither decorated nor taken',
  serverCookie: "the server's copy of the session is not renewed",
  debug: 'messages stay codes',
};
const without = (where: string) => WITHOUT[where.replace(/^config\.(\w+).*$/, '$1')] || 'it does not happen';

/** The sentences, by code. */
/** The options, for a misspelt one's nearest: the checked fields', and those only their type checks. */
const OPTIONS = Object.keys(EXPECTED)
  .map((f) => f.split('.')[0])
  .concat('respectGlobalPrivacyControl', 'lifecycleEvents', 'newSessionOnCampaign');

/** How many first letters `a` and `b` share, whatever their case: a misspelling keeps its option's start. */
const shared = (a: string, b: string) => {
  let n = 0;
  while (a[n] && a[n].toLowerCase() == b[n]?.toLowerCase()) n++;
  return n;
};

/** The option nearest a misspelt one (the one whose start it shares most). */
const nearest = (key: string) => OPTIONS.reduce((a, b) => (shared(key, b) > shared(key, a) ? b : a));

export const MESSAGES: Record<number, string | ((where: string) => string)> = {
  0: 'is an internal error of Stint: please report it, with this stack',
  1: 'needs a config object',
  2: (where) => `must be ${EXPECTED[where.replace(/^config\./, '')] || 'valid'}`,
  3: "instead of this script: each script carries one pipeline's format",
  4: (where) => {
    const name = where.replace(/.*'(.*)'.*/, '$1');
    const [fn, entry] = name == 'google' ? ['googleConsentMode', 'consent-mode'] : [name, name];
    const field = where.includes('consent') ? 'consent' : 'format';
    // (not the import statement itself: publint reads one in this classic script as ES module syntax)
    return `is not in the 'stint' entry: import ${fn} from its entry, 'stint/${entry}', then ${field}: ${fn}()`;
  },
  5: 'threw when started: consent stays pending',
  6: 'runs already on this page: it is shared, and this config is ignored',
  7: 'is not the Stint snippet: this copy does nothing',
  8: 'was already called',
  9: 'was called before stint("init", {...})',
  10: 'is no method of the tracker',
  11: (where) => `did not load: ${without(where)}`,
  12: (where) => `is not a Stint part: ${without(where)}`,
  14: 'does nothing: stint("init") failed (the error above says why), and so will every call after it',
  15: (where) => `is not an option: ignored (the nearest is ${nearest(where.slice(7))})`,
  13: (where) => `was refused by Trusted Types (the page's trusted-types must list stint-part): ${without(where)}`,
  20: 'needs an event name (a non-empty string)',
  21: 'was dropped: its properties must be a plain object that serialises to JSON',
  22: 'needs a user id (1 to 255 characters) or null',
  23: 'was given values that are not strings (title, url, referrer; url a URL): they are ignored',
  24: "needs 'granted', 'pending' or 'denied'",
  25: `was dropped: over ${MAX_EVENT_BYTES} bytes`,
  26: `was dropped: over ${MAX_QUEUE_EVENTS} events are held for consent or storage (counted in dropped)`,
  27: 'needs a key: a non-empty string',
  28: 'must be a string, a finite number, a boolean or null',
  29: `was ignored: no more than ${MAX_ATTRIBUTES} session attributes`,
  30: `was ignored: session attributes are limited to ${MAX_ATTRIBUTE_BYTES} bytes`,
  31: 'needs a finite number',
  32: 'is not a number: not incremented',
  33: 'does not grant consent: Global Privacy Control is on',
  40: 'is not writable: unsent events die with this page',
  41: 'is too large for a cookie: kept in localStorage, or in memory',
  42: `is full (${MAX_QUEUE_EVENTS} events): the oldest were dropped (counted in dropped)`,
  43: 'is too large for any request: dropped (counted in dropped)',
  44: 'were undelivered for a week: dropped (counted in dropped)',
  45: 'were refused by the collector: dropped (counted in dropped)',
  50: 'is what consent is now',
  51: 'is where the session is kept',
  52: 'is ignored: consent refused (anonymous)',
  53: 'refuses consent: Global Privacy Control is on',
  54: 'is what the collector answered',
  55: 'does nothing: no browser here (server-side rendering?)',
};

/** A message's sentence (log.ts `Sentences`). */
export const sentence = (code: number, where: string): string => {
  const s = MESSAGES[code];
  return typeof s == 'function' ? s(where) : (s ?? '');
};

/**
 * The flight recorder's log as JSON (recorder.ts): the session's model before the first step kept, the steps, the
 * models now; delivery's sets as `{ $set: [...] }`, its maps as `{ $map: [...] }` (test/core/replay.ts reads them
 * back).
 */
export function dump({ kept, start }: Recording, now: Model, sending: Delivery | null): string {
  const model = kept.find(([before]) => before)?.[0] ?? now;
  const log: DebugLog = { stint: VERSION, model, delivery: start, steps: kept.map(([, i, e]) => [i, e]), now, sending };
  const plain = (v: unknown) => (v instanceof Set ? { $set: [...v] } : v instanceof Map ? { $map: [...v] } : v);
  return JSON.stringify(log, (_, v) => plain(v));
}

/** What the debug part hands over: the messages' sentences, and the flight recorder's log. */
export const DEBUG = { sentence, dump };
