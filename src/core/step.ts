/**
 * The core: every decision Stint takes, as one pure function of (model, input). `start` makes the first model; `step`
 * takes an input (a public call or a browser signal, with its own time) and returns the next model and the effects the
 * shell carries out (save, enqueue, beacon, erase, tell the tabs, resolve `ready()`...). An input is data: its type names
 * the step that takes it (`STEPS`, below). No browser global, no clock, nothing from the shell: test/core/ replays it.
 */
import type { ClientSession, ConsentState } from '../types';
import { snapshot, type Place } from './context';
import { clientSession } from './event';
import { freshId, idsOf, type Seed } from './ids';
import type { ConsentFrom, Effect, Input, InputOf, Inputs, Model, Next, Settings, Step } from './model';
import { apply, change, EMPTY, engaging, enter, keep, lifecycle, release, run, siteBackground } from './record';
import { endReason, expire, merge, onActivity } from './rules';
import { initialized, move, page, pagehide, restore, resume, route, tab, tabsGone, visibility } from './site';
import { complete, decodeState, type SessionState } from './state';

const READY: Effect = ['resolveReady'];

/** What the shell knows when a tracker starts. */
export interface Start {
  at: number;
  settings: Settings;
  /** the seed of this page's random ids (four 32-bit words from the browser's crypto) */
  seed: Seed;
  pageHidden: boolean;
  /** this tab has not reported application_initialized yet */
  newTab: boolean;
  place: Place;
  device: string;
  timeZone: string | null;
  /** minutes ahead of UTC on the device */
  offset: number;
  /** this tab's id (lifecycle/tab-mark.ts) */
  tabId: string;
  /** the `_stint` parameter this page came with from another of the site's domains (`crossDomain`), and the browser it is read in (links.ts `browserOf`) */
  link?: readonly [value: string, browser: string] | null;
  /** the window has the focus (`document.hasFocus()`), for engaged time */
  focused?: boolean;
}

/** Global Privacy Control counts as a refusal, unless the config says otherwise. */
export const gpcRefuses = (settings: Settings, gpc: boolean): boolean => settings.respectGlobalPrivacyControl && gpc;

/** The first model: the page as it is, consent pending until the configured one is applied (`consent`, from the config). */
export function start(s: Start): Model {
  const seeded = { seed: s.seed };
  const viewId = freshId(seeded);
  return {
    settings: s.settings,
    seed: seeded.seed,
    consentMode: 'pending',
    storageState: 'closed',
    hold: EMPTY,
    losses: 0,
    session: null,
    user: null,
    around: { mechanism: 'MEMORY', anonymous: false, device: s.device, timeZone: s.timeZone, offset: s.offset, tabId: s.tabId },
    lastCtx: null,
    page: snapshot(s.place, s.place.referrer, viewId),
    viewed: null,
    pageHidden: s.pageHidden,
    visibleTabs: [],
    recorded: s.pageHidden,
    newTab: s.newTab,
    lifeAt: s.at,
    shutDown: false,
    withdrawn: false,
    linked: s.link ? [s.link[0], s.at, s.link[1]] : null,
    // (a stretch open from the start when the page starts visible and focused: engagement.ts)
    engage: s.settings.engagement ? { focused: s.focused ?? true, from: s.pageHidden || s.focused === false ? null : s.at, last: s.at, ms: 0 } : null,
  };
}

/** One input: the next model, the effects, and the id of the event it tracked, if it tracked one (run or held, not dropped). */
export function step(model: Model, input: Input): Next {
  if (model.shutDown) return { model, effects: [] };
  const m = { ...model };
  const fx: Effect[] = [];
  engaging(m)?.lapse(m, fx, input[1]);
  // (every step answers an id or nothing: see `Step`; it changes `m` and `fx`, the objects given back)
  return { model: m, effects: fx, event: (STEPS[input[0]] as Step)(m, fx, input) as string | undefined };
}

// The steps of the public calls and of what the shell learns. (The page's signals and the page views are in site.ts.)

/** `track()`: an event, its properties already JSON. */
export const track = (m: Model, fx: Effect[], [, at, name, props]: InputOf<'track'>) => enter(m, fx, at, name, props);

/**
 * `identify()`: the user id is taken; `props` null when the traits were refused (no event then). Another user than the
 * session's (another id, or none after one: a shared device, a logout) ends the session (`user_changed`); a first login keeps it.
 */
export function identify(m: Model, fx: Effect[], [, at, userId, props]: InputOf<'identify'>): string | undefined {
  if (m.consentMode === 'anonymous') return void fx.push(['debug', 52, 'identify']);
  run(m, fx, { type: 'identify', at, userId });
  return props === null ? undefined : enter(m, fx, at, 'identify', props);
}

/** `newSession()`: the session ends (`explicit`) and the next one starts now. */
export function newSession(m: Model, fx: Effect[], [, at]: InputOf<'newSession'>): void {
  engaging(m)?.splitStretch(m, fx, at);
  const background = siteBackground(m);
  const utm = m.page.utm;
  run(m, fx, { type: 'restart', at, background, utm });
}

/**
 * The person's input (`activity: 'input'` or `engagement`, the shell passes at most one a second): engaged time goes
 * on, and the session lives on, or the next one starts. Nothing is held for it: before consent and storage there is no session to keep alive.
 */
export function activity(m: Model, fx: Effect[], [, at]: InputOf<'activity'>): void {
  engaging(m)?.act(m, fx, at);
  if (!m.hold && m.consentMode !== 'denied') apply(m, fx, (prev) => onActivity(prev, at, siteBackground(m), m.page.utm, m.settings, idsOf(m)));
}

/** `endSession()`: the session ends (`explicit`); the next event starts the next one. */
export const endSession = (m: Model, fx: Effect[], [, at]: InputOf<'endSession'>) => (engaging(m)?.splitStretch(m, fx, at), void run(m, fx, { type: 'stop', at }));

/** `setSessionAttribute` (`value`), or `incrementSessionAttribute` (`increment`: by `value`). */
export const attribute = (m: Model, fx: Effect[], [, at, key, value, increment]: InputOf<'attribute'>) =>
  void run(m, fx, { type: 'attribute', at, key, value, increment, background: siteBackground(m), utm: m.page.utm });

/**
 * A consent decision: the config's at start (a CMP's signal starts `pending`), a default the page sets for this
 * tab (Consent Mode's `default`), the page's `setConsent`, a CMP's, or one another tab took (the config's, a
 * default and another tab's are not told to the tabs); `gpc`: the browser sends Global Privacy Control, which
 * refuses the config's consent, and any later grant.
 */
export function consent(m: Model, fx: Effect[], [, at, state, from, gpc]: InputOf<'consent'>): void {
  if (from === 'config' && gpcRefuses(m.settings, gpc)) {
    fx.push(['debug', 53, 'config.consent']);
    state = 'denied';
  }
  decide(m, fx, at, state, from, gpc);
}

/**
 * What the page's events carry changed: the store failed and handed the session on, or a slow store answered late (the
 * session is kept there now: `mechanism`); a better device context came (the OS version from User-Agent Client Hints:
 * `device`); the device's clock moved to or from daylight saving time (`offset`).
 */
export function surroundings(m: Model, _: Effect[], [, , change]: InputOf<'surroundings'>): void {
  m.around = { ...m.around, ...change };
}

/**
 * A session state (encoded) that another tab saved, or that the store holds: merged, never simply taken
 * (both may have moved on). An anonymous session lives as long as the page: it takes nothing from the tabs.
 */
export function stored(m: Model, _: Effect[], [, , value]: InputOf<'stored'>): void {
  const theirs = m.storageState === 'open' && m.consentMode !== 'anonymous' ? decodeState(value) : null;
  // (the lean cookie leaves the visitor's fields out: this tab knows them, for the same visitor)
  if (theirs) m.session = merge(m.session, complete(theirs, m.session));
}

/** The pipeline named the visitor (Tracardi's profile id): kept with the session, never when anonymous. */
export function profile(m: Model, fx: Effect[], [, , id]: InputOf<'profile'>): void {
  if (m.session && m.consentMode !== 'anonymous' && m.session.profileId !== id) keep(m, fx, { ...m.session, profileId: id });
}

/** `shutdown()`: as its flush begins (`flushing`) the page view's engaged time is reported; once done (or its bound passed): saved, stopped. */
export function shutdown(m: Model, fx: Effect[], [, at, flushing]: InputOf<'shutdown'>): void {
  if (flushing) return void engaging(m)?.report(m, fx, at);
  if (m.storageState === 'open') fx.push(['save', true]);
  m.shutDown = true;
  fx.push(['stop']);
}

/**
 * Moves to a consent state; `tell`: the decision was taken in this tab, and applies to the site (told even when
 * this tab was in that state already: another tab may be in it only by its page's default, or not at all).
 * Leaving `granted` (or `anonymous`) erases what was stored and what this page held; a refusal drops what is held.
 */
function decide(m: Model, fx: Effect[], at: number, consent: ConsentState, from: ConsentFrom, gpc: boolean): void {
  if (consent === 'granted' && gpcRefuses(m.settings, gpc)) {
    fx.push(['warn', 33, 'consent granted']);
    return;
  }
  const mode = consent === 'denied' && m.settings.onDenied === 'anonymous' ? 'anonymous' : consent;
  const was = m.consentMode;
  if (from === 'page' || from === 'signal') fx.push(['tellConsent', consent]);
  if (mode === was) return;
  fx.push(['debug', 50, mode]);
  m.consentMode = mode;
  if (was === 'granted' || was === 'anonymous') {
    // Nothing queued is sent, a later grant starts afresh: a new life, as if this were a new tab.
    fx.push(['erase']);
    m.storageState = 'closed';
    m.session = m.user = null;
    m.hold = EMPTY;
    m.newTab = true;
    m.lifeAt = at;
    m.withdrawn = true;
  } else if ((mode === 'denied' || mode === 'anonymous') && from !== 'default') {
    // A refusal before this page stored anything: what an earlier grant left on the device goes too (the visitor
    // withdrew where Stint did not run, in the CMP of another page, or the site's configuration says so now). A
    // page's default is no decision: it leaves what another tab was granted.
    fx.push(['erase']);
  }
  if (mode === 'denied') {
    // Nothing will run what is held: it is dropped, not counted as a loss, and ready() resolves.
    m.hold = EMPTY;
    m.losses = 0;
    fx.push(READY);
  } else if (mode !== 'pending') {
    m.hold ||= EMPTY;
    m.storageState = 'opening';
    fx.push(['openStorage', mode === 'anonymous']);
  }
}

/**
 * Storage answered: what the device held, where the session is kept, whether another tab is open. The page's life
 * starts, then the held calls run in order. From the server's `copy` alone (`serverCookie`) come the device and the
 * count, not the session, which may have gone on since the copy: the next event starts the next one (`restored`).
 */
export function opened(m: Model, fx: Effect[], [, , held, mechanism, othersOpen, copy]: InputOf<'opened'>): void {
  if (m.storageState !== 'opening') return;
  m.storageState = 'open';
  const found = held || (copy ? { ...copy, ended: 'restored' as const } : null);
  // (a fresh link from another of the site's domains: its visitor and session, with consent; never anonymous)
  m.session = m.linked && m.consentMode === 'granted' && m.settings.landing ? m.settings.landing(found, ...m.linked, m.page.utm) : found;
  m.linked = null;
  m.around = { ...m.around, mechanism, anonymous: m.consentMode === 'anonymous' };
  fx.push(['debug', 51, mechanism]);
  // (events the hold had to drop are counted by `release`: a `lost` effect, for the first batch's `dropped`)
  release(m, fx, () => {
    const lifeAt = m.lifeAt;
    m.lifeAt = null;
    if (lifeAt !== null) live(m, fx, lifeAt, found, othersOpen);
  });
}

/**
 * The store read again after a back/forward-cache restore or a freeze (`value`: the session as the site's other pages left
 * it, or null, its bound passed) and the session the page the visitor came back from `handed` over in the tab:
 * both merged, then what was held meanwhile runs; what the hold had to drop is counted. The store can know less
 * than that page did (its write still pending, or the session deleted by a page whose store failed): the page
 * must not go on from an older count (e2e/bfcache.spec.ts).
 */
export function reread(m: Model, fx: Effect[], [, at, value, handed]: InputOf<'reread'>): void {
  // (only the hold of a restore or a resume: storage had answered; a withdrawal since let it go)
  if (m.hold && m.storageState === 'open') release(m, fx, () => (stored(m, fx, ['stored', at, handed]), stored(m, fx, ['stored', at, value])));
}

/** The start of this page's life: a session found over is reported, the site's state synced, a new tab reported. */
function live(m: Model, fx: Effect[], at: number, found: SessionState | null, othersOpen: boolean): void {
  apply(m, fx, (prev) => prev && expire(prev, at, m.settings));
  const state = m.session;
  if (state) {
    keep(m, fx, { ...state, closed: false, appVersion: m.settings.appVersion });
    const background = siteBackground(m);
    // A return to a site whose background was reported is reported (a new tab, a tab that came back); any
    // other change is recorded silently (the tab's next page after a link, a tab opened in the background).
    if (state.siteBackground !== background) change(m, fx, at, background, background || !state.backgroundReported);
  }
  if (!m.newTab) return;
  m.newTab = false;
  lifecycle(m, fx, at, 'application_initialized', initialized(m.settings, found, othersOpen));
}

/** `getSession()` at `at`: the current session, or null (none kept yet, or the last one is over). */
export function currentSession(m: Model, at: number): ClientSession | null {
  const s = m.session;
  return s && !endReason(s, at, m.settings) ? clientSession(s, m.around.mechanism, m.around.anonymous) : null;
}

/** The session is about to be found over at `at`: another tab may have kept it alive, so the store's copy is worth reading first. */
export const dueToEnd = (m: Model, at: number): boolean => !!m.session && !m.session.ended && !!endReason(m.session, at, m.settings);

/** Calls run at once: `ready()` resolves now. */
export const isReady = (m: Model): boolean => m.shutDown || m.consentMode === 'denied' || !m.hold;

/** The step of each input, by its type: the core's whole surface, as a table. */
export const STEPS: { [T in keyof Inputs]: Step<T> } = {
  track,
  identify,
  newSession,
  endSession,
  activity,
  focus: (m, fx, input) => engaging(m)?.refocus(m, fx, input),
  attribute,
  consent,
  surroundings,
  stored,
  profile,
  shutdown,
  opened,
  reread,
  visibility,
  tab,
  tabsGone,
  pagehide,
  restore,
  resume,
  page,
  route,
  move,
};
