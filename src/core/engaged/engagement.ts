/**
 * Engaged time (`engagement: { idle }`): how long the person spent on a page, as pure steps of the core. Time counts
 * while this page is visible, its window focused, and the person acted (input, scroll, pointer, keys, media playing:
 * lifecycle/activity.ts) within the last `idle` ms; arriving, showing the page and focusing its window count as acts.
 * A hidden page, a frozen one, one in the back/forward cache and a blurred window count nothing.
 *
 * No timer: a stretch of engagement is open from an act to the last act + `idle`, and is closed (its end computed)
 * when the next input comes: an act after the idle, a blur, a hide, a freeze, the page leaving, a route change. Each
 * closed stretch goes to the page view (`page_engagement`, sent when the page view ends or the page is hidden) and,
 * as a held call like any other (record.ts `engaged`), to the session, whose union across tabs `session_end` carries.
 */
import type { InputOf, Model } from '../model';
import type { Effect } from '../effect';
import type { enter, run, siteBackground } from '../record';
import type { Outcome, Timeouts } from '../session/rules';
import type { SessionState } from '../session/state';

/** A page's engagement: what the model keeps (null when `engagement` is off). */
export interface Engagement {
  /** the window has the focus */
  focused: boolean;
  /** the open stretch's start (null: none open) */
  from: number | null;
  /** the last act of the open stretch */
  last: number;
  /** engaged ms of the page view not reported yet */
  ms: number;
}

/**
 * What the steps do with the session and the page view: record.ts's calls, handed over by the core (`KIT`), so that
 * the steps travel in the input part (`stint.activity.js`, an npm app's input chunk) and a site that does not
 * configure `engagement` does not load them (issue 34).
 */
export interface Kit {
  run: typeof run;
  enter: typeof enter;
  siteBackground: typeof siteBackground;
}

/**
 * The steps of engaged time, which the core calls where the page's signals and the public calls concern it, once the
 * activity part has handed them (core/parts.ts: a `part` input).
 */
export type EngageSteps = ReturnType<typeof engagementSteps>;

const idleOf = (m: Model): number => (m.settings.engagement ? m.settings.engagement.idle : 0);

export function engagementSteps({ run, enter, siteBackground }: Kit) {
  /**
   * The open stretch ends at `at` (or at its last act + idle, if that came first): its ms go to the page view, and to
   * the session.
   */
  function cut(m: Model, fx: Effect[], at: number): void {
    const e = m.engage;
    if (!e || e.from === null) return;
    const to = Math.min(at, e.last + idleOf(m));
    const from = e.from;
    m.engage = { ...e, from: null, ms: e.ms + Math.max(0, to - from) };
    if (to > from) run(m, fx, { type: 'engaged', from, to });
  }

  /** The person acted at `at` (or showed the page, or focused its window): the stretch goes on, or a new one opens. */
  function act(m: Model, fx: Effect[], at: number): void {
    const e = m.engage;
    if (!e || m.pageHidden || !e.focused) return;
    // (a clock that went backwards keeps the stretch)
    if (e.from !== null && at - e.last <= idleOf(m)) return void (m.engage = { ...e, last: Math.max(at, e.last) });
    cut(m, fx, at);
    m.engage = { ...m.engage!, from: at, last: at };
  }

  /**
   * The page view's engaged time so far is reported, and zeroed (nothing when there is none: a hidden page sends
   * nothing): at a hide, when the page leaves and when the page view ends. It opens no session (as a leaving page's
   * events): the time of a page view whose session timed out meanwhile is in that session's `session_end` only.
   */
  function report(m: Model, fx: Effect[], at: number): void {
    cut(m, fx, at);
    const e = m.engage;
    if (!e || !e.ms) return;
    m.engage = { ...e, ms: 0 };
    enter(m, fx, at, 'page_engagement', `{"engaged_ms":${e.ms}}`, siteBackground(m), true);
  }

  /**
   * Before any input: a stretch whose idle ran out before `at` ended then (a session may end at this input: the stretch
   * is the last one's).
   */
  function lapse(m: Model, fx: Effect[], at: number): void {
    const e = m.engage;
    if (e && e.from !== null && at - e.last > idleOf(m)) cut(m, fx, at);
  }

  /**
   * The session ends at `at` (`newSession()`, `endSession()`): the open stretch is cut there, and goes on in the next
   * one.
   */
  function splitStretch(m: Model, fx: Effect[], at: number): void {
    const e = m.engage;
    if (!e || e.from === null) return;
    cut(m, fx, at);
    m.engage = { ...m.engage!, from: at, last: e.last };
  }

  /**
   * A new page view begins at `at` (a route, a restore): the last one's time is reported, and the new one starts as a
   * page does (arriving is an act). The first page view takes what came before it.
   */
  function nextView(m: Model, fx: Effect[], at: number): void {
    if (!m.engage || m.viewed === null) return;
    report(m, fx, at);
    act(m, fx, at);
  }

  /** The window gained or lost the focus (window `focus`, `blur`): a blur ends the stretch, a focus is an act. */
  function refocus(m: Model, fx: Effect[], [, at, focused]: InputOf<'focus'>): void {
    const e = m.engage;
    if (!e || e.focused === focused) return;
    if (!focused) cut(m, fx, at);
    m.engage = { ...m.engage!, focused };
    act(m, fx, at);
  }

  return { act, report, lapse, splitStretch, nextView, refocus, mergeStretch: onEngaged };
}

/**
 * A stretch of engagement, `from` to `to` (`engagement`), in a live session (`prev`, after `onActivity` at `from`): its
 * ms are added to the session's, never before the session's start nor past its longest duration. The session keeps
 * the total and the hull of the stretches merged (the first start, the last end), not each stretch (it travels in the
 * cookie): what lies outside the hull is new; what lies inside adds at most what the hull's stretches left uncovered.
 * So the total is never less than the true union, and never more than the hull (the wall clock) nor the pages' sum,
 * in whatever order the tabs' stretches come. Its end is no activity: the timeouts run from the last input, as with
 * `activity: 'input'` (the end is known only at the next input). Null: nothing to add.
 */
export function onEngaged(prev: SessionState | null, from: number, to: number, t: Timeouts): Outcome | null {
  if (!prev || prev.ended) return null;
  const a = Math.max(from, prev.startedAt);
  const b = t.maxSessionDuration > 0 ? Math.min(to, prev.startedAt + t.maxSessionDuration) : to;
  if (b <= a) return null;
  // (the first: an empty hull where it starts)
  const [ms, f, e] = prev.engaged || [0, a, a];
  // (a record of a build that kept only the last stretch may count more than its hull: nothing in it is uncovered)
  const uncovered = Math.max(0, e - f - ms);
  const inside = Math.max(0, Math.min(b, e) - Math.max(a, f));
  const outside = b - a - inside;
  const engaged: SessionState['engaged'] = [ms + outside + Math.min(inside, uncovered), Math.min(a, f), Math.max(b, e)];
  return { current: { ...prev, engaged }, ending: null };
}
