/**
 * The core's data: the model it keeps, the inputs it takes and the effects it asks for. All plain data
 * (`structuredClone` copies a model; random ids come from a seed in it), so that a step reads as a table row,
 * logs, and replays in Node. Every input carries its own time (`at`, epoch ms): the core has no clock.
 */
import type { Engagement } from './engaged/engagement';
import type { PartName } from './parts';
import type { ConsentState } from '../ground/types';
import type { PageSnapshot, Place } from './context';
import type { RawEvent, Shared, Surroundings } from './event';
import type { Seed } from './ids';
import type { SessionState, Utm } from './session/state';

/** What consent allows: `anonymous` is a refusal with `onDenied: 'anonymous'` (cookieless events, memory only). */
export type ConsentMode = 'pending' | 'granted' | 'denied' | 'anonymous';

/** What the core reads of the config. */
export interface Settings {
  appId: string;
  appVersion: string | null;
  foregroundTimeout: number;
  backgroundTimeout: number;
  /** 0: no limit */
  maxSessionDuration: number;
  onDenied: 'drop' | 'anonymous';
  respectGlobalPrivacyControl: boolean;
  lifecycleEvents: boolean;
  /** the share of sessions that send (0 to 1): a function of the session id, so that every tab agrees */
  sampleRate: number;
  installType: 'auto' | 'known_install' | 'known_upgrade';
  /** a page view with another campaign than the live session's starts a new session */
  newSessionOnCampaign: boolean;
  /** engaged time (engagement.ts): counted while the person acted within the last `idle` ms; false: off */
  engagement: { idle: number } | false;
}

/**
 * What a public call or a browser signal does to the session, with what it was given at the moment it was
 * made (the page, the site's state): run at once, or held as it is until consent and storage have answered.
 */
export type Call =
  /** an event (its id given at the call), on the page it happened on; `leaving`: of the page leaving (opening none) */
  | { type: 'event'; event: RawEvent; background: boolean; leaving: boolean }
  /** the site's state recorded by the session rules alone (lifecycle events off, or a silent change) */
  | { type: 'siteState'; at: number; background: boolean }
  /** the session says whether the site's background was reported (with an application_* event) */
  | { type: 'reported'; background: boolean }
  /** back from the back/forward cache: the site is in the foreground again, the session not closed */
  | { type: 'restored'; at: number }
  /** this page shown or hidden while its restore or resume read the store again: `background`, the site's state then */
  | { type: 'visibility'; at: number; background: boolean }
  | { type: 'identify'; at: number; userId: string | null }
  /**
   * `newSession()`; `campaign`: a page view that arrived with `utm`, which restarts only a live session of another
   * campaign
   */
  | { type: 'restart'; at: number; background: boolean; utm: Utm | null; campaign?: true }
  /** `endSession()` */
  | { type: 'stop'; at: number }
  | {
      type: 'attribute';
      at: number;
      key: unknown;
      value: unknown;
      increment: boolean;
      background: boolean;
      utm: Utm | null;
    }
  /** a stretch of engagement (engagement.ts), for the session's engaged time */
  | { type: 'engaged'; from: number; to: number };

/** Held calls, newest first (a list that grows without copying). */
export interface Held {
  call: Call;
  earlier: Held | null;
}

/** Calls held while consent or storage has not answered, bounded like the outbox they are headed for. */
export interface Hold {
  calls: Held | null;
  /** events held, and their size in characters */
  events: number;
  chars: number;
}

export interface Model {
  readonly settings: Settings;
  /** where this page's random ids come from (`ids.ts`): moves on with each */
  seed: Seed;
  consentMode: ConsentMode;
  /** Where the session is kept: not used (consent pending or refused), being opened, or answered. */
  storageState: 'closed' | 'opening' | 'open';
  /** Calls held until consent and storage answer; null while calls run at once. */
  hold: Hold | null;
  /** Events dropped past the hold's bound until storage answers: counted in delivery's first batch's `dropped`. */
  losses: number;
  /** The session as this tab knows it: null until storage answers, or while none was ever kept. */
  session: SessionState | null;
  /**
   * The session another tab saved (or the store held, read again) while storage was being opened: taken with what the
   * store answers, which was read earlier (a start that waits for the tabs' roll call reads it a second before).
   */
  heard: SessionState | null;
  /** The business user id of `identify`, for the device's first state. */
  user: string | null;
  /** What every event of this page carries besides itself (storage mechanism, device, time zone). */
  around: Surroundings;
  /** The part of the last event that the next ones may share (the hot path writes it once for all of them). */
  lastCtx: Shared | null;
  /** The page the next event happens on. */
  page: PageSnapshot;
  /** The page's full URL at the last `page()` (null before the first). */
  viewed: string | null;
  /** This page is hidden (Page Visibility API, or `setBackground`). */
  pageHidden: boolean;
  /** This page left (pagehide), until it is back from the back/forward cache. */
  left: boolean;
  /** The other tabs of the site that said they are visible. */
  visibleTabs: readonly string[];
  /** Those of them this page's last roll call asked (as it was hidden), not yet heard since, and when it asked. */
  asked: [at: number, tabs: readonly string[]] | null;
  /** The site's state as this tab last recorded it, for when no session is kept. */
  recorded: boolean;
  /** `application_initialized` is still to be reported in this tab. */
  newTab: boolean;
  /** When this page's life began (its start, or the fresh start after a withdrawal), until storage answers. */
  lifeAt: number | null;
  /** Shut down: every input is ignored. */
  shutDown: boolean;
  /** Consent was withdrawn in this page: the next session starts for that reason (`session_start`). */
  withdrawn: boolean;
  /** When this page's consent was granted (null while it is not): a withdrawal since, anywhere, ends it (`reread`). */
  grantedAt: number | null;
  /** When the decision this page follows was taken, here or in another tab (0: none); `told`: another tab's time */
  decidedAt: number;
  /**
   * The `_stint` parameter this page came with from another of the site's domains (`crossDomain`), and the page's
   * start, until storage answers (landing.ts `land`).
   */
  linked: [value: string, at: number, browser: string] | null;
  /** Storage's answer, held while a landing page waits for the links part, which reads its link (`LINK_WAIT`). */
  answer: InputOf<'opened'> | null;
  /** The parts whose code has come (parts.ts): the core calls it from then on. */
  parts: PartName[];
  /** This page's engagement (`engagement`: engagement.ts); null when off. */
  engage: Engagement | null;
}

/**
 * What each input carries after its time, by its type: what happened (a public call, a browser signal, an
 * adapter's answer; the steps that take them are in step.ts and site.ts, in the table `STEPS`).
 */
export interface Inputs {
  track: [name: string, props: string];
  /** `props`: null when the traits were refused */
  identify: [userId: string | null, props: string | null];
  newSession: [];
  endSession: [];
  activity: [];
  /** the window gained (true) or lost the focus (`engagement`) */
  focus: [focused: boolean];
  attribute: [key: unknown, value: unknown, increment: boolean];
  consent: [state: ConsentState, from: ConsentFrom, gpc: boolean, told?: number];
  /** what the page's events carry besides themselves changed (the model's `around`) */
  surroundings: [change: { mechanism: string } | { device: string } | { offset: number }];
  stored: [value: unknown];
  profile: [id: string];
  /** `flushing`: shutdown() was called, its flush begins; without: the flush is done, or its bound passed */
  shutdown: [flushing?: true];
  /**
   * `copy`: the server's copy of the session (`serverCookie`), read where the device held nothing else; `handed`: the
   * session the tab's last page handed over (its store may know less: a write still pending, or a stand-in's)
   */
  opened: [
    found: SessionState | null,
    mechanism: string,
    othersOpen: boolean,
    copy?: SessionState | null,
    handed?: SessionState | null,
  ];
  /**
   * `handed`: the session the page the visitor came back from handed over in the tab ('' for none); `mirror`: the
   * mirror's copy (localStorage), which a store that answers later, or a stand-in, may lag behind
   */
  reread: [value: unknown, handed: string, mirror?: unknown];
  /**
   * when consent was last withdrawn on the device (0: never), read by a page back from the cache or running again
   * after a freeze: the tabs' message could not reach it there
   */
  withdrawal: [when: number];
  visibility: [hidden: boolean];
  tab: [tab: string, visible: boolean, recordsBackground?: boolean];
  tabsGone: [gone: readonly string[]];
  pagehide: [persisted: boolean];
  restore: [place: Place, from?: string | null];
  /** the page runs again after a freeze */
  resume: [];
  /**
   * a link to another of the site's domains is used: its `_stint` value, or none (link.ts `linkFor`); `gpc`: Global
   * Privacy Control
   */
  link: [gpc: boolean];
  /** a part's code has come (parts.ts `keepPart`) */
  part: [name: PartName];
  /** a part waited for did not come in time (the `await` effect) */
  late: [name: PartName];
  page: [props: string | null, place: Place, referrer?: string | null];
  route: [place: Place, from: string];
  move: [place: Place];
}

/** Where a consent decision comes from (see step.ts `consent`). */
export type ConsentFrom = 'config' | 'default' | 'page' | 'signal' | 'tab';

/**
 * An input of one type: its type, when it happened (`at`, epoch ms), and what came with it. Plain data: it can be
 * logged, compared and replayed.
 */
export type InputOf<T extends keyof Inputs> = readonly [type: T, at: number, ...rest: Inputs[T]];

/** Any input. */
export type Input = { [T in keyof Inputs]: InputOf<T> }[keyof Inputs];
