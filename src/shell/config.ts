/** Checks the integrator's config once, at `createTracker`, with a TypeError that names the field. */
import type { copyDue } from '../core/session/copy';
import type { engagementSteps } from '../core/engaged/engagement';
import type { Format } from '../core/formats/format';
import type { Settings } from '../core/model';
import type { LinkWatcher } from '../lifecycle/decorate';
import { describeError, fault, warn, type Sentences } from '../ground/log';
import type { Dump } from '../ground/recorder';
import type { ConsentSignal, ConsentState, StintConfig, TagConfig } from '../ground/types';

export interface Config extends Required<
  Omit<
    StintConfig,
    'appVersion' | 'store' | 'cookie' | 'format' | 'consent' | 'snowplow' | 'tracardi' | 'otlp' | 'engagement'
  >
> {
  appVersion: string | null;
  engagement: Settings['engagement'];
  store: StintConfig['store'];
  cookie: NonNullable<StintConfig['cookie']>;
  format: Format;
  consent: ConsentState;
  /** A consent signal to follow (TCF, GPP, Google Consent Mode); consent is pending until it answers. */
  signal: ConsentSignal | null;
  /** The watch of the routes, for `autoPageViews` (the npm core's, or the tag's part). */
  watchRoutes: RouteWatcher;
  /** The watch of the person's input, for `activity: 'input'` (the npm core's, or the tag's part). */
  watchInput: InputWatcher;
  /** The decoration of the links to the other domains, for `crossDomain` (the npm core's, or the tag's part). */
  watchLinks: LinkWatcher;
  /** When the server's copy is renewed, for `serverCookie` (a chunk of the npm build's, or the tag's part). */
  watchCopy: CopyWatcher;
}

/**
 * Watches a single-page app's routes: `onRoute` with the previous URL after each change, from the URL `since` (the
 * page's when the tracker started: a watch that starts later reports a change made meanwhile), and the route's URL
 * (`to`) when the page is no longer there (a step back left at once). Returns the stop.
 */
export type RouteWatcher = (hash: boolean, onRoute: (from: string, to?: string) => void, since: string) => () => void;

/** Loads when the server's copy is renewed (core/session/copy.ts) and hands it over (`hand`). Returns the stop. */
export type CopyWatcher = (hand: (due: typeof copyDue) => void) => () => void;

/**
 * Watches the person's input: `onInput` with its time, at most once a second. With `engage` (for `engagement`): also
 * media playing, and the window's focus and blur (`onInput` with its time and whether it has the focus), and the part
 * hands engaged time's steps to `engage` (they travel with the watch: core/engaged/engagement.ts). Returns the stop.
 */
export type InputWatcher = (
  onInput: (at: number, focused?: boolean) => void,
  engage?: (make: typeof engagementSteps) => void,
) => () => void;

/** Formats by name: each makes the format from its options. */
export type Formats = Record<string, (options: never) => Format>;

/**
 * What an entry can name: a script tag knows its one format and the consent signals (TCF, Google Consent Mode)
 * by name; an npm app knows the native format, and imports the others it uses and passes them (so that a bundler
 * leaves the rest out).
 */
export interface Names {
  /** the formats by name; the first is the default */
  formats: Formats;
  /** the consent signals, which a script tag carries (an npm app imports the one it uses) */
  tcf?: ConsentSignal;
  google?: ConsentSignal;
  gpp?: ConsentSignal;
  /** the watch of the routes (autoPageViews): an npm app's core carries it, a script tag loads it beside it */
  routes: RouteWatcher;
  /**
   * the watch of the person's input (activity: 'input'): an npm app's core carries it, a script tag loads it beside it
   */
  input: InputWatcher;
  /**
   * the decoration of the links to the other domains (crossDomain): an npm app's core carries it, a script tag loads it
   * beside it
   */
  linker: LinkWatcher;
  /** when the server's copy is renewed (serverCookie): an npm app's chunk, a script tag's part */
  copy: CopyWatcher;
  /** the messages' sentences and the flight recorder's log (debug: true): loaded when the config asks for them */
  debug: (hand: (debug: { sentence: Sentences; dump: Dump }) => void) => () => void;
  /** the message that says a format or signal is not in this entry (messages.ts: another script, another import) */
  missing: number;
}

const DEFAULTS = {
  appVersion: null,
  foregroundTimeout: 30 * 60_000,
  backgroundTimeout: 30 * 60_000,
  maxSessionDuration: 0,
  consent: 'granted',
  onDenied: 'drop',
  respectGlobalPrivacyControl: true,
  lifecycleEvents: true,
  newSessionOnCampaign: false,
  crossDomain: [],
  serverCookie: '',
  installType: 'auto',
  activity: 'events',
  engagement: false,
  sampleRate: 1,
  autoPageViews: false,
  compression: 'none',
  debug: false,
};

type Check = (value: unknown) => boolean;
const text: Check = (v) => typeof v === 'string' && !!v.trim();
const positive: Check = (v) => typeof v === 'number' && v > 0 && isFinite(v);
const oneOf =
  (...allowed: unknown[]): Check =>
  (v) =>
    allowed.includes(v);
const cookiePart: Check = (v) => v === undefined || /^[\w.!#$%&'*+^`|~/-]+$/.test(v as string);

/** Each checked field, and what a valid value is (messages.ts says it in words: message 2). */
const RULES: [string, Check][] = [
  ['collector', text],
  ['appId', text],
  ['appVersion', (v) => v === null || text(v)],
  ['foregroundTimeout', positive],
  ['backgroundTimeout', positive],
  ['maxSessionDuration', (v) => v === 0 || positive(v)],
  [
    'consent',
    (v) => ['granted', 'pending', 'denied', 'tcf', 'google', 'gpp'].includes(v as string) || typeof v == 'function',
  ],
  ['onDenied', oneOf('drop', 'anonymous')],
  ['format', (v) => [undefined, 'native', 'snowplow', 'tracardi', 'otlp'].includes(v as string) || isFormat(v)],
  ['installType', oneOf('auto', 'known_install', 'known_upgrade')],
  ['activity', oneOf('events', 'input')],
  [
    'engagement',
    (v) =>
      typeof v == 'boolean' ||
      (!!v && typeof v == 'object' && ((v = (v as { idle?: number }).idle ?? 1e3) as number) >= 1e3 && positive(v)),
  ],
  ['sampleRate', (v) => typeof v == 'number' && v >= 0 && v <= 1],
  ['autoPageViews', oneOf(false, 'history', 'history+hash')],
  ['compression', oneOf('none', 'gzip')],
  ['crossDomain', (v) => Array.isArray(v) && v.every((d) => typeof d == 'string' && /^[\w.-]+$/.test(d))],
  ['serverCookie', (v) => typeof v == 'string' && /^(\/(?!\/)\S*)?$/.test(v)],
  [
    'store',
    (s) =>
      s === undefined ||
      (!!s && ['get', 'set', 'delete'].every((m) => typeof (s as Record<string, unknown>)[m] == 'function')),
  ],
  ['debug', (v) => typeof v == 'boolean'],
  ['cookie.sameSite', oneOf(undefined, 'Lax', 'Strict', 'None')],
  ['cookie.maxAgeDays', (v) => v === undefined || positive(v)],
  ['cookie.name', cookiePart],
  ['cookie.domain', cookiePart],
  ['cookie.path', cookiePart],
];

/**
 * The page's own consent signal, which is the page's code: one that throws when started, or whose stop throws or is
 * none, says so once and leaves consent pending; it never throws out of `createTracker` or `shutdown()`.
 */
const followed =
  (signal: ConsentSignal): ConsentSignal =>
  (onChange) => {
    try {
      const stop = signal(onChange);
      return () => {
        try {
          if (typeof stop == 'function') stop();
        } catch {
          // (stopped anyway: nothing more is heard)
        }
      };
    } catch (e) {
      warn(5, `config.consent (${describeError(e)})`);
      return () => {};
    }
  };

const isFormat = (v: unknown) =>
  !!v && typeof (v as Format).item == 'function' && typeof (v as Format).body == 'function';

/** The options besides those with a default: an option outside them all is a misspelling. */
const OPTIONS = ['collector', 'appId', 'store', 'cookie', 'format', 'snowplow', 'tracardi', 'otlp'].concat(
  Object.keys(DEFAULTS),
);

export function resolveConfig(input: StintConfig | TagConfig, names: Names): Config {
  if (!input || typeof input !== 'object') throw fault(1, 'createTracker');
  const config = { ...DEFAULTS } as unknown as Config;
  for (const [key, value] of Object.entries(input)) {
    // (a misspelling: the debug part's sentence names the nearest option, messages.ts)
    if (!OPTIONS.includes(key)) warn(15, 'config.' + key);
    else if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  config.cookie = { ...config.cookie };
  for (const [field, valid] of RULES) {
    const [key, sub] = field.split('.');
    const value = (config as unknown as Record<string, Record<string, unknown>>)[key];
    if (!valid(sub ? value[sub] : value)) throw fault(2, 'config.' + field);
  }
  config.collector = config.collector.replace(/(.)\/+$/, '$1');
  // A name, or none (the entry's first: npm's and dist/stint.js's native format, a pipeline tag's own): the part
  // it names, made with its options. A script tag carries one format; an npm app imports the one it uses.
  const format = input.format;
  // (a tag names the script that carries the format: `config.format 'otlp' needs stint.otlp.js`)
  const missing = (key: string, name: string, script = '') => fault(names.missing, `config.${key} '${name}'${script}`);
  if (!isFormat(format)) {
    const name = (format as string) || Object.keys(names.formats)[0];
    const make = names.formats[name];
    const script = names.missing == 3 ? ` needs stint${name == 'native' ? '' : '.' + name}.js` : '';
    if (!make) throw missing('format', name, script);
    config.format = make(input[name as 'otlp'] as never);
  }
  // A consent signal (the tag's by its name: 'tcf', 'google', 'gpp'), followed from 'pending'.
  const consent = input.consent;
  if (consent === 'tcf' || consent === 'google' || consent === 'gpp') {
    if (!names[consent]) throw missing('consent', consent);
    config.signal = names[consent]!;
  } else config.signal = typeof consent == 'function' ? followed(consent) : null;
  if (config.signal) config.consent = 'pending';
  // (true: the default idle, 5 s)
  const engagement = config.engagement as StintConfig['engagement'];
  config.engagement = engagement ? { idle: (engagement as { idle?: number }).idle || 5000 } : false;
  config.watchRoutes = names.routes;
  config.watchInput = names.input;
  config.watchLinks = names.linker;
  config.watchCopy = names.copy;
  return config;
}
