/** Public types of Stint. Everything a page can pass in or get back is declared here (the formats' options beside). */
import type { OtlpOptions, SnowplowOptions, TracardiOptions, WireFormat } from './format-options';

/** What the visitor answered: `pending` until a banner or a CMP says otherwise. */
export type ConsentState = 'granted' | 'pending' | 'denied';

/** What actually holds the session: the three built-in stores, or the `name` a custom store declares. */
export type StorageMechanism = 'COOKIE_1' | 'INDEXED_DB' | 'MEMORY' | (string & {});

/** A session attribute value: scalars only, so the session stays small enough for a cookie. */
export type AttributeValue = string | number | boolean | null;

/** Snowplow's `client_session` 1-0-2 entity, as Stint fills it in. */
export interface ClientSession {
  /** The device id: a UUID that outlives sessions (not the business user id of `identify`). */
  userId: string;
  sessionId: string;
  /** 1 for the first session of this device. */
  sessionIndex: number;
  previousSessionId: string | null;
  storageMechanism: StorageMechanism;
  firstEventId: string | null;
  /** ISO 8601 */
  firstEventTimestamp: string | null;
  /** 1 for the first event of a session. */
  eventIndex: number;
}

/**
 * Where the session lives. The value is an opaque, versioned string: store it as it is. Any method may return a
 * promise; an async store is read once at start and events tracked before it answers are held, then processed in order
 * with their own timestamps.
 */
export interface SessionStore {
  /** Reported as `storageMechanism` while this store holds the session (default `CUSTOM`). */
  readonly name?: string;
  get(): string | null | undefined | Promise<string | null | undefined>;
  set(value: string): void | Promise<void>;
  delete(): void | Promise<void>;
}

export interface CookieOptions {
  /** default `_stint` */
  name?: string;
  /** `auto` finds the highest domain that accepts the cookie, so subdomains share a session. Default: host only. */
  domain?: string;
  /** default `/` */
  path?: string;
  /** default `Lax` */
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** default: true on https */
  secure?: boolean;
  /** default 395 (13 months) */
  maxAgeDays?: number;
}

export interface StintConfig {
  /** Absolute URL or same-origin path where batches are POSTed. */
  collector: string;
  appId: string;
  /**
   * Sent with every batch, where each pipeline keeps an app's version (docs/pipelines.md); compared with the version
   * stored on the device to report `is_upgrade`.
   */
  appVersion?: string;
  /** Inactivity, in ms, that ends a session while the site is in the foreground. Default 30 min. */
  foregroundTimeout?: number;
  /** Inactivity, in ms, that ends a session while no tab of the site is visible. Default 30 min. */
  backgroundTimeout?: number;
  /** End a session this many ms after it started, even while active. Default: no limit. */
  maxSessionDuration?: number;
  /**
   * Default `granted`. `tcf()` (from 'stint/tcf') follows an IAB TCF v2.2 CMP through `window.__tcfapi`;
   * `googleConsentMode()` (from 'stint/consent-mode') follows Google Consent Mode's `analytics_storage` in
   * `window.dataLayer`; `gpp()` (from 'stint/gpp') follows an IAB GPP CMP through `window.__gpp`; the script tag
   * takes the names `'tcf'`, `'google'` and `'gpp'` (`TagConfig`).
   */
  consent?: ConsentState | ConsentSignal;
  /** What a refusal means: `drop` (default) keeps and sends nothing; `anonymous` sends cookieless events. */
  onDenied?: 'drop' | 'anonymous';
  /** Treat `navigator.globalPrivacyControl` as a refusal. Default true. */
  respectGlobalPrivacyControl?: boolean;
  /** A custom store instead of the default chain (cookie, then IndexedDB, then memory). */
  store?: SessionStore;
  cookie?: CookieOptions;
  /**
   * Wire format. Default `native`. A pipeline's: `snowplow()` from 'stint/snowplow', `tracardi({ sourceId })`
   * from 'stint/tracardi', `otlp()` from 'stint/otlp' (an app imports the one it uses: the others cost it
   * nothing). The script tags take the names `'snowplow'`, `'tracardi'` and `'otlp'`, with their options in
   * `snowplow`, `tracardi` and `otlp` (`TagConfig`).
   */
  format?: 'native' | WireFormat;
  /** The script tag's Snowplow options (`format: 'snowplow'`); with npm, pass them to `snowplow()`. */
  snowplow?: SnowplowOptions;
  /** The script tag's Tracardi options (`format: 'tracardi'`); with npm, pass them to `tracardi()`. */
  tracardi?: TracardiOptions;
  /** The script tag's OpenTelemetry options (`format: 'otlp'`); with npm, pass them to `otlp()`. */
  otlp?: OtlpOptions;
  /**
   * What counts as activity for the session's timeouts. `'events'` (the default): the events tracked.
   * `'input'`: the person's input as well (trusted `pointerdown`, `keydown`, `wheel`, `scroll`,
   * `touchstart`), without sending anything: a reader who scrolls for an hour stays in one session. The tag:
   * `data-activity="input"`.
   */
  activity?: 'events' | 'input';
  /**
   * Engaged time: how long the person spent, per page view (a `page_engagement` event with `engaged_ms`, when the page
   * view ends, the page is hidden or leaves) and per session (`session_end`'s `engaged_ms`, counted once across tabs).
   * Time counts while a page of the site is visible, its window focused, and the person acted (input, scroll, pointer,
   * keys, media playing) within the last `idle` ms (default 5000; `true`: the default). The person's input then keeps
   * the session alive too, as with `activity: 'input'`. Default false. The tag: `data-engagement` (`true` or the idle
   * ms).
   */
  engagement?: boolean | { idle?: number };
  /**
   * The share of sessions that send (0 to 1). Default 1. Whether a session sends is a function of its id, so
   * every tab and page of it agree; an unsampled session is kept and timed as usual (`getSession()` answers)
   * but sends nothing. Every native batch says the rate (`sampleRate`). The tag: `data-sample-rate`.
   */
  sampleRate?: number;
  /** application_initialized / _background / _foreground / _exit events. Default true. */
  lifecycleEvents?: boolean;
  /**
   * A page view that arrives with a campaign (UTM parameters) other than the live session's starts a new session
   * (`session_end` reason `new_campaign`), as Amplitude's `resetSessionOnNewCampaign` does. Default false: a
   * session keeps the campaign that opened it.
   */
  newSessionOnCampaign?: boolean;
  /**
   * The site's other domains (host names; their subdomains too), for one visitor and one session across them: links
   * and forms to them carry the device id, the session and the time (`_stint`), and a page of this site that a fresh
   * link (at most 2 minutes old) lands on goes on in that session. Only with consent, never under Global Privacy
   * Control. Each domain lists the others. The script tag loads `stint.links.js` beside it for it.
   */
  crossDomain?: string[];
  /**
   * A path on the site's own origin (e.g. `/stint/id`) whose handler sets Stint's session as a cookie from the server
   * (`_stint_srv`; `serverCookieHandler` in `stint/collector`): Safari caps cookies written by script at 7 days and,
   * after 7 days without a visit, deletes the site's script-writable storage, but not a cookie its server set. With
   * consent, when the page is hidden or leaves, at most once a day per device; the page reads that cookie only when
   * its own storage is gone, and never writes it. Withdrawal of consent asks the handler to delete it.
   */
  serverCookie?: string;
  /** Overrides how `application_initialized` reports first runs and upgrades. Default `auto`. */
  installType?: 'auto' | 'known_install' | 'known_upgrade';
  /**
   * A `page_view` for each route change of a single-page app: `history.pushState`, `history.replaceState`,
   * back and forward. `'history'`: when the path or the query changes; `'history+hash'`: when only the hash
   * changes, too (hash routers). None for the same URL; the previous URL is the referrer; the title is read
   * after the next frame. The first page view is still `page()` (or the tag's). Default false.
   */
  autoPageViews?: false | 'history' | 'history+hash';
  /**
   * `'gzip'`: batches sent by `fetch` are compressed with the browser's own `CompressionStream` and sent with
   * `Content-Encoding: gzip`, which the collector must accept (the demo's does, an OpenTelemetry Collector does;
   * Snowplow's and Tracardi's do not) and, cross-origin, allow in CORS (the header makes every request preflighted).
   * A beacon at page exit, and an engine without `CompressionStream`, send plain. Default `'none'`. The tag:
   * `data-compression`.
   */
  compression?: 'none' | 'gzip';
  /** Log what Stint does to the console. */
  debug?: boolean;
}

/**
 * The script tag's config (`stint('init', config)`): a pipeline's format and a consent platform by their names, which
 * the tag loads; an npm app imports them instead (`createTracker` takes no name, which would throw: its types say so).
 */
export interface TagConfig extends Omit<StintConfig, 'format' | 'consent'> {
  format?: 'native' | 'snowplow' | 'tracardi' | 'otlp';
  consent?: ConsentState | 'tcf' | 'google' | 'gpp';
}

export type Properties = Record<string, unknown>;

/**
 * A consent signal from outside the page's banner, made by `tcf()` ('stint/tcf'), `gpp()` ('stint/gpp') or
 * `googleConsentMode()` ('stint/consent-mode'): it calls `onChange` with each decision, and `isDefault` when the state
 * is what the page assumes until the visitor decides (applied in this tab only, never told to the others).
 */
export type ConsentSignal = (onChange: (state: ConsentState, isDefault?: boolean) => void) => () => void;

/** What the app knows better than Stint of the page it shows, for `page(properties, values)`; null, left out: read. */
export interface PageValues {
  /** Default: `document.title` at the call (a router may not have set it yet). */
  title?: string | null;
  /**
   * Absolute, or relative to the current URL; the `path` and the UTM parameters follow it. Default: `location.href`.
   */
  url?: string | null;
  /** Default: the previous page view's URL in a single-page app, else `document.referrer`. */
  referrer?: string | null;
}

export interface Tracker {
  /** Tracks an event; returns its id, or undefined when the event was not kept. */
  track(name: string, properties?: Properties): string | undefined;
  /**
   * A `page_view` event with the page context of this moment (in a single-page app the previous page
   * view's URL is the referrer); `values` replace what Stint would read (a title the router has not set
   * yet). Returns the event's id, or undefined when it was not kept.
   */
  page(properties?: Properties, values?: PageValues): string | undefined;
  /** Sets the business user id (null to forget it) and tracks an `identify` event. */
  identify(userId: string | null, traits?: Properties): string | undefined;
  /** Manual foreground/background, for hosts that know better than the Page Visibility API. */
  setBackground(isBackground: boolean): void;
  /**
   * The current session, or null: none is kept yet (consent pending, or storage has not answered:
   * see `ready()`), or the last one is over and no event has started the next.
   */
  getSession(): ClientSession | null;
  /**
   * Headers that give the site's own requests the session (`fetch(url, { headers: stint.sessionHeaders() })`): W3C
   * `baggage` with OpenTelemetry's `session.id`, and `stint-session`, the session as Stint's cookie holds it, which a
   * server reads with `readSession` from 'stint/collector'. Empty without consent or a live session. A cross-origin
   * API must allow both headers in CORS.
   */
  sessionHeaders(): Record<string, string>;
  /** Ends the current session and starts the next one at once. */
  newSession(): void;
  /** Ends the current session; the next event starts a new one. */
  endSession(): void;
  setSessionAttribute(key: string, value: AttributeValue): void;
  incrementSessionAttribute(key: string, by?: number): void;
  setConsent(state: ConsentState): void;
  /**
   * Resolves when consent and storage have answered and calls run at once (`getSession()` then
   * answers). Until then calls are held; with consent pending it waits for the decision. Resolves at
   * once after a refusal or `shutdown()`.
   */
  ready(): Promise<void>;
  /**
   * Resolves when every event tracked so far has been accepted by the collector (or given up on); what is held while
   * storage answers (at the start, after a restore or a freeze) is waited for, what is held for consent is not.
   */
  flush(): Promise<void>;
  /**
   * Flushes (with `engagement`, the page view's engaged time so far first), then removes every listener; the tracker
   * does nothing afterwards.
   */
  shutdown(): Promise<void>;
  /**
   * With `debug: true`, the flight recorder: the last 200 inputs Stint's core took (calls, browser signals,
   * storage's answers, each with its time) and what each made it do, with the state before and after, as JSON
   * for a bug report. Null without `debug: true`.
   */
  debugLog(): string | null;
}
