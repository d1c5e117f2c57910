/**
 * The core: every decision Stint takes, as one pure function of (model, input). `start` makes the first model; `step`
 * takes an input (a public call or a browser signal, with its own time) and returns the next model and the effects the
 * shell carries out (save, enqueue, beacon, erase, tell the tabs, resolve `ready()`...). An input is data: its type
 * names the step that takes it (`STEPS`, below). No browser global, no clock, nothing from the shell: test/core/
 * replays it.
 */
import type { ClientSession } from '../ground/types';
import { snapshot, type Place } from './context';
import { clientSession } from './event';
import { freshId, idsOf, type Seed } from './ids';
import type { Input, InputOf, Inputs, Model, Settings } from './model';
import type { Effect, Next, Step } from './effect';
import { consent, withdrawal } from './consent';
import { late, opened, part, profile, reread, stored, surroundings } from './answers';
import { linkFor } from './session/link';
import { EMPTY, engaging, enter, run, siteBackground } from './record';
import { apply } from './session/outcome';
import { endReason, onActivity } from './session/rules';
import { move, page, pagehide, restore, resume, route, tab, tabsGone, visibility } from './session/site';

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
  /**
   * the `_stint` parameter this page came with from another of the site's domains (`crossDomain`), and the browser it
   * is read in (links.ts `browserOf`)
   */
  link?: readonly [value: string, browser: string] | null;
  /** the window has the focus (`document.hasFocus()`), for engaged time */
  focused?: boolean;
}

/**
 * The first model: the page as it is, consent pending until the configured one is applied (`consent`, from the config).
 */
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
    heard: null,
    user: null,
    around: {
      mechanism: 'MEMORY',
      anonymous: false,
      device: s.device,
      timeZone: s.timeZone,
      offset: s.offset,
      tabId: s.tabId,
    },
    lastCtx: null,
    page: snapshot(s.place, s.place.referrer, viewId),
    viewed: null,
    pageHidden: s.pageHidden,
    visibleTabs: [],
    asked: null,
    left: false,
    recorded: s.pageHidden,
    newTab: s.newTab,
    lifeAt: s.at,
    shutDown: false,
    withdrawn: false,
    grantedAt: null,
    decidedAt: 0,
    linked: s.link ? [s.link[0], s.at, s.link[1]] : null,
    answer: null,
    parts: [],
    // (a stretch open from the start when the page starts visible and focused: engagement.ts)
    engage: s.settings.engagement
      ? { focused: s.focused ?? true, from: s.pageHidden || s.focused === false ? null : s.at, last: s.at, ms: 0 }
      : null,
  };
}

/**
 * One input: the next model, the effects, and the id of the event it tracked, if it tracked one (run or held, not
 * dropped).
 */
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
 * session's (another id, or none after one: a shared device, a logout) ends the session (`user_changed`); a first login
 * keeps it.
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
 * on, and the session lives on, or the next one starts. Nothing is held for it: before consent and storage there is no
 * session to keep alive.
 */
export function activity(m: Model, fx: Effect[], [, at]: InputOf<'activity'>): void {
  engaging(m)?.act(m, fx, at);
  if (!m.hold && m.consentMode !== 'denied')
    apply(m, fx, (prev) => onActivity(prev, at, siteBackground(m), m.page.utm, m.settings, idsOf(m)));
}

/** `endSession()`: the session ends (`explicit`); the next event starts the next one. */
export const endSession = (m: Model, fx: Effect[], [, at]: InputOf<'endSession'>) => (
  engaging(m)?.splitStretch(m, fx, at),
  void run(m, fx, { type: 'stop', at })
);

/** `setSessionAttribute` (`value`), or `incrementSessionAttribute` (`increment`: by `value`). */
export const attribute = (m: Model, fx: Effect[], [, at, key, value, increment]: InputOf<'attribute'>) =>
  void run(m, fx, { type: 'attribute', at, key, value, increment, background: siteBackground(m), utm: m.page.utm });

/**
 * `shutdown()`: as its flush begins (`flushing`) the page view's engaged time is reported; once done (or its bound
 * passed): saved, stopped.
 */
export function shutdown(m: Model, fx: Effect[], [, at, flushing]: InputOf<'shutdown'>): void {
  if (flushing) return void engaging(m)?.report(m, fx, at);
  if (m.storageState === 'open') fx.push(['save', true]);
  m.shutDown = true;
  fx.push(['stop']);
}

/** `getSession()` at `at`: the current session, or null (none kept yet, or the last one is over). */
export function currentSession(m: Model, at: number): ClientSession | null {
  const s = m.session;
  return s && !endReason(s, at, m.settings) ? clientSession(s, m.around.mechanism, m.around.anonymous) : null;
}

/**
 * The session is about to be found over at `at`: another tab may have kept it alive, so the store's copy is worth
 * reading first.
 */
export const dueToEnd = (m: Model, at: number): boolean =>
  !!m.session && !m.session.ended && !!endReason(m.session, at, m.settings);

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
  withdrawal,
  visibility,
  tab,
  tabsGone,
  pagehide,
  restore,
  resume,
  page,
  route,
  move,
  part,
  late,
  link: (m, _, [, at, gpc]) => (gpc ? undefined : (linkFor(m, at) ?? undefined)),
};
