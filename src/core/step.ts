/**
 * The core: every decision Stint takes, as one pure function of (model, input). `start` makes the first
 * model; `step` takes an input (a public call or a browser signal, with its own time) and returns the next
 * model and the effects the shell carries out (save, enqueue, beacon, erase, tell the tabs, resolve
 * `ready()`...). No browser global, no clock, nothing from the shell: test/core/ replays it in Node.
 */
import type { ClientSession, ConsentState } from '../types';
import { snapshot, type Place } from './context';
import { clientSession } from './event';
import type { Ids } from './ids';
import type { Effect, Input, Model, Next, Of, Settings } from './model';
import { apply, attribute, EMPTY, heldCalls, keep, run, siteBackground, track } from './record';
import { endReason, expire, merge, restart, stop } from './rules';
import { change, forgetTabs, hearTab, initialized, leave, lifecycle, move, pageView, restore, setPageHidden } from './site';
import { decodeState, type SessionState } from './state';

const READY: Effect = ['resolveReady'];

/** What the shell knows when a tracker starts. */
export interface Start {
  at: number;
  settings: Settings;
  ids: Ids;
  /** the configured consent (`pending` for a CMP's signal, until it answers) */
  consent: ConsentState;
  /** the browser sends Global Privacy Control */
  gpc: boolean;
  pageHidden: boolean;
  /** this tab has not reported application_initialized yet */
  newTab: boolean;
  place: Place;
  viewId: string;
  device: string;
  timeZone: string | null;
}

/** Global Privacy Control counts as a refusal, unless the config says otherwise. */
export const gpcRefuses = (settings: Settings, gpc: boolean): boolean => settings.respectGlobalPrivacyControl && gpc;

/** The first model: the page as it is, joined to the site's tabs, and the configured consent applied. */
export function start(s: Start): Next {
  const m: Model = {
    settings: s.settings,
    ids: s.ids,
    mode: 'pending',
    storage: 'closed',
    hold: EMPTY,
    lost: 0,
    session: null,
    user: null,
    around: { mechanism: 'MEMORY', anonymous: false, device: s.device, timeZone: s.timeZone },
    page: snapshot(s.place, s.place.referrer, s.viewId),
    viewed: null,
    pageHidden: s.pageHidden,
    visibleTabs: [],
    recorded: s.pageHidden,
    newTab: s.newTab,
    lifeAt: s.at,
    off: false,
  };
  const fx: Effect[] = [['joinTabs', !s.pageHidden]];
  let consent = s.consent;
  if (gpcRefuses(s.settings, s.gpc)) {
    fx.push(['debug', 'Global Privacy Control: consent denied']);
    consent = 'denied';
  }
  decide(m, fx, s.at, consent, false, s.gpc);
  return { model: m, effects: fx, kept: true };
}

/** What each input does to the (copied) model; a call answers whether it was kept (run or held, not dropped). */
const STEPS: { [T in Input[0]]: (m: Model, fx: Effect[], input: Of<T>) => boolean | void } = {
  track: (m, fx, [, at, id, name, props]) => track(m, fx, at, id, name, props),
  page: pageView,
  // A route change the app already reported with page() is not reported twice.
  route: (m, fx, [, at, id, viewId, place, from]) => place.href !== m.viewed && pageView(m, fx, ['page', at, id, viewId, '{}', place, from]),
  identify(m, fx, [, at, id, userId, props]) {
    if (m.mode === 'anonymous') {
      fx.push(['debug', 'identify ignored: consent refused']);
      return false;
    }
    run(m, fx, (m, fx) => {
      m.user = userId;
      if (m.session) keep(m, fx, { ...m.session, businessUserId: userId });
    });
    return props !== null && track(m, fx, at, id, 'identify', props);
  },
  newSession(m, fx, [, at]) {
    const background = siteBackground(m);
    const utm = m.page.utm;
    return run(m, fx, (m, fx) => apply(m, fx, (prev) => restart(prev, at, background, utm, m.ids)));
  },
  endSession: (m, fx, [, at]) => run(m, fx, (m, fx) => apply(m, fx, (prev) => prev && stop(prev, at))),
  attribute: (m, fx, [, at, key, value, increment]) => run(m, fx, attribute(at, key, value, increment, siteBackground(m), m.page.utm)),
  consent: (m, fx, [, at, state, from, gpc]) => decide(m, fx, at, state, from !== 'tab', gpc),
  opened,
  storedIn(m, _, [, , mechanism]) {
    m.around = { ...m.around, mechanism };
  },
  device(m, _, [, , device]) {
    m.around = { ...m.around, device };
  },
  stored(m, _, [, , value]) {
    // What another tab saved, or the store holds: merged, never simply taken (both may have moved on).
    // An anonymous session lives as long as the page: it takes nothing from the site's tabs.
    const theirs = m.storage === 'open' && m.mode !== 'anonymous' ? decodeState(value) : null;
    if (theirs) m.session = merge(m.session, theirs);
  },
  profile(m, fx, [, , id]) {
    // What a pipeline calls the visitor is kept with the session; never when anonymous.
    if (m.session && m.mode !== 'anonymous' && m.session.profileId !== id) keep(m, fx, { ...m.session, profileId: id });
  },
  move,
  visibility: setPageHidden,
  tab: hearTab,
  tabsGone: forgetTabs,
  pagehide: leave,
  restore,
  shutdown(m, fx) {
    if (m.storage === 'open') fx.push(['save', true]);
    m.off = true;
    fx.push(['stop']);
  },
};

/** One input: the next model, the effects, and whether a call was kept (run or held, not dropped). */
export function step(model: Model, input: Input): Next {
  if (model.off) return { model, effects: [], kept: false };
  const m = { ...model };
  const fx: Effect[] = [];
  const kept = (STEPS[input[0]] as (m: Model, fx: Effect[], input: Input) => boolean | void)(m, fx, input) !== false;
  return { model: m, effects: fx, kept };
}

/**
 * Moves to a consent state; `tell`: the decision was taken in this tab, and applies to the site. Leaving
 * `granted` (or `anonymous`) erases what was stored and what this page held; a refusal drops what is held.
 */
function decide(m: Model, fx: Effect[], at: number, consent: ConsentState, tell: boolean, gpc: boolean): void {
  if (consent === 'granted' && gpcRefuses(m.settings, gpc)) {
    fx.push(['warn', 'consent not granted: the browser sends Global Privacy Control']);
    return;
  }
  const mode = consent === 'denied' && m.settings.onDenied === 'anonymous' ? 'anonymous' : consent;
  const was = m.mode;
  if (mode === was) return;
  fx.push(['debug', 'consent: ' + mode]);
  if (tell) fx.push(['tellConsent', consent]);
  m.mode = mode;
  if (was === 'granted' || was === 'anonymous') {
    // Nothing queued is sent, a later grant starts afresh: a new life, as if this were a new tab.
    fx.push(['erase']);
    m.storage = 'closed';
    m.session = m.user = null;
    m.hold = EMPTY;
    m.newTab = true;
    m.lifeAt = at;
  }
  if (mode === 'denied') {
    // Nothing will run what is held: it is dropped, not counted as a loss, and ready() resolves.
    m.hold = EMPTY;
    m.lost = 0;
    fx.push(READY);
  } else if (mode !== 'pending') {
    m.hold ||= EMPTY;
    m.storage = 'opening';
    fx.push(['openStorage', mode === 'anonymous']);
  }
}

/** Storage answered: the start of this page's life first, then the held calls in order; calls run at once from now on. */
function opened(m: Model, fx: Effect[], [, , found, mechanism, othersOpen]: Of<'opened'>): void {
  if (m.storage !== 'opening') return;
  m.storage = 'open';
  m.session = found;
  m.around = { ...m.around, mechanism, anonymous: m.mode === 'anonymous' };
  fx.push(['debug', 'storage: ' + mechanism]);
  // Events the hold had to drop are reported with the first batch.
  if (m.lost) fx.push(['countLost', m.lost]);
  m.lost = 0;
  const held = heldCalls(m.hold);
  m.hold = null;
  const lifeAt = m.lifeAt;
  m.lifeAt = null;
  if (lifeAt !== null) resume(m, fx, lifeAt, found, othersOpen);
  for (const call of held) call(m, fx);
  fx.push(READY);
}

/** The start of this page's life: a session found over is reported, the site's state synced, a new tab reported. */
function resume(m: Model, fx: Effect[], at: number, found: SessionState | null, othersOpen: boolean): void {
  apply(m, fx, (prev) => prev && expire(prev, at, m.settings));
  const state = m.session;
  if (state) {
    keep(m, fx, { ...state, closed: false, appVersion: m.settings.appVersion });
    const background = siteBackground(m);
    if (state.siteBackground !== background) change(m, fx, at, background, true);
  }
  if (!m.newTab) return;
  m.newTab = false;
  if (m.mode === 'granted') fx.push(['markTab']);
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
export const isReady = (m: Model): boolean => m.off || m.mode === 'denied' || !m.hold;
