/**
 * The session rules: pure functions of (previous state, now, visibility, config).
 * No cookie, clock or browser global in here; ids come from the `Ids` the caller passes.
 */
import type { Ids } from '../ids';
import { UTM_KEYS, type EndReason, type SessionState, type Utm } from './state';

export interface Timeouts {
  foregroundTimeout: number;
  backgroundTimeout: number;
  /** 0: no limit */
  maxSessionDuration: number;
}

/** A session whose end was just found, to be reported by a `session_end` event. */
export interface Ended {
  /** The session as it was when it ended, with the attributes it ended with. */
  session: SessionState;
  reason: EndReason;
}

/** What a rule leads to: the session from now on, and the end it found, to be reported (null: none). */
export interface Outcome {
  current: SessionState;
  ending: Ended | null;
}

/** Why the session is over at `now`, or null while it lives. A clock that went backwards never ends it. */
export function endReason(s: SessionState, now: number, t: Timeouts): EndReason | null {
  if (s.ended) return s.ended;
  // The gap is judged by the timeout of the state the site was in during the gap.
  if (now - s.lastEventAt > (s.siteBackground ? t.backgroundTimeout : t.foregroundTimeout)) {
    return s.siteBackground ? 'background_timeout' : 'foreground_timeout';
  }
  if (t.maxSessionDuration > 0 && now - s.startedAt > t.maxSessionDuration) return 'max_duration';
  return null;
}

/**
 * Marks the session over. Its attributes are reset at once: the report carries the old ones,
 * and attributes set before the next event belong to the next session.
 */
function end(s: SessionState, reason: EndReason, now: number): Outcome {
  return { current: { ...s, ended: reason, attributes: {}, attributesAt: now }, ending: { session: s, reason } };
}

/** Ends the session if it is over at `now` and its end was not reported yet. */
export function expire(s: SessionState, now: number, t: Timeouts): Outcome {
  const reason = s.ended ? null : endReason(s, now, t);
  return reason ? end(s, reason, now) : { current: s, ending: null };
}

/**
 * A new session after `prev` (or the device's first). Its id is derived from the session it
 * follows, so that tabs which find the same session over at the same moment start the same one.
 */
function start(
  prev: SessionState | null,
  now: number,
  eventId: string | null,
  siteBackground: boolean,
  utm: Utm | null,
  ids: Ids,
): SessionState {
  return {
    userId: prev ? prev.userId : ids.fresh(),
    // (from its id alone: a tab whose held calls went on in it, released as another tab rolled it over, knows a later
    // last activity, and began a second session of the same index: test/sim seed 5117. Not after a session restored
    // from the server's copy: the session the device really started after it is derived from the same id, and its
    // indices would be taken again)
    sessionId: prev && prev.ended !== 'restored' ? ids.derive(prev.sessionId) : ids.fresh(),
    sessionIndex: prev ? prev.sessionIndex + 1 : 1,
    previousSessionId: prev ? prev.sessionId : null,
    firstEventId: eventId,
    firstEventAt: eventId ? now : null,
    eventIndex: eventId ? 1 : 0,
    startedAt: now,
    lastEventAt: now,
    siteBackground,
    backgroundReported: prev ? prev.backgroundReported : null,
    ended: null,
    // Attributes set after the previous session ended belong to this one.
    attributes: prev && prev.ended ? prev.attributes : {},
    attributesAt: prev ? prev.attributesAt : now,
    utm,
    lastPage: null,
    businessUserId: prev ? prev.businessUserId : null,
    profileId: prev ? prev.profileId : null,
    appVersion: prev ? prev.appVersion : null,
    closed: prev ? prev.closed : false,
    rev: prev ? prev.rev : 0,
    engaged: null,
    copiedAt: prev ? prev.copiedAt : null,
  };
}

/**
 * An event at `now`. `siteBackground` is the site's state from now on (for a visibility change, the
 * state that begins); the gap before it is judged by the state stored in `prev`, the one that ended.
 */
export function onEvent(
  prev: SessionState | null,
  now: number,
  eventId: string,
  siteBackground: boolean,
  utm: Utm | null,
  path: string,
  t: Timeouts,
  ids: Ids,
): Outcome {
  // (the `track()` path is a live session: judged without building the outcome of `expire`)
  if (!prev || prev.ended || endReason(prev, now, t)) {
    const { current, ending } = prev ? expire(prev, now, t) : { current: null, ending: null };
    const next = start(current, now, eventId, siteBackground, utm, ids);
    next.lastPage = path;
    return { current: next, ending };
  }
  // (a copy, then its fields set: V8 copies a plain `{ ...prev }` at once, but a spread with fields after it costs
  // as much again as the whole of the rest of the step)
  const current = { ...prev };
  if (!prev.firstEventId) {
    current.firstEventId = eventId;
    current.firstEventAt = now;
  }
  current.eventIndex = prev.eventIndex + 1;
  current.lastEventAt = now;
  current.siteBackground = siteBackground;
  current.lastPage = path;
  return { current, ending: null };
}

/**
 * Whether a session sends, at `rate` (0 to 1): a function of its id alone (its first 32 bits, random or
 * derived by a hash), so that every tab and page of the session agree without storing anything.
 */
export const sampled = (sessionId: string, rate: number): boolean =>
  rate >= 1 || parseInt(sessionId.slice(0, 8), 16) < rate * 2 ** 32;

/**
 * Continuous input (`activity: 'input'`) writes the session at most this often: it moves the gap's start, nothing else.
 */
export const ACTIVITY_EVERY = 5000;

/**
 * The person's input (`activity: 'input'`): activity for the rules, without an event. A live session's gap
 * starts again (null within ACTIVITY_EVERY of the last activity: nothing to write); a session found over is
 * ended, and the next one starts now, as an event would start it. Before the device's first session, null:
 * the first event starts it.
 */
export function onActivity(
  prev: SessionState | null,
  now: number,
  siteBackground: boolean,
  utm: Utm | null,
  t: Timeouts,
  ids: Ids,
): Outcome | null {
  if (!prev) return null;
  const { current: state, ending } = expire(prev, now, t);
  if (state.ended) return { current: start(state, now, null, siteBackground, utm, ids), ending };
  return now - state.lastEventAt < ACTIVITY_EVERY
    ? null
    : { current: { ...state, lastEventAt: now, siteBackground }, ending: null };
}

/**
 * A visibility change that no event reports (lifecycle events off): it is judged like an event,
 * and restarts the gap so that the next event is judged by the state that begins.
 */
export function onVisibility(
  prev: SessionState | null,
  now: number,
  siteBackground: boolean,
  t: Timeouts,
): Outcome | null {
  if (!prev) return null;
  const outcome = expire(prev, now, t);
  const s = outcome.current;
  outcome.current = s.ended ? { ...s, siteBackground } : { ...s, lastEventAt: now, siteBackground };
  return outcome;
}

/** `newSession()`: ends the current session (reported as `explicit`, or `reason`) and starts the next one now. */
export function restart(
  prev: SessionState | null,
  now: number,
  siteBackground: boolean,
  utm: Utm | null,
  ids: Ids,
  reason: EndReason = 'explicit',
): Outcome {
  const over = prev && !prev.ended ? end(prev, reason, now) : { current: prev, ending: null };
  return { current: start(over.current, now, null, siteBackground, utm, ids), ending: over.ending };
}

/**
 * Whether a page view that arrived with the campaign `utm` starts a new session (`newSessionOnCampaign`): only a
 * live session of another campaign (none counts as another) ends; one over ends anyway, and the next takes `utm`.
 */
export function newCampaign(prev: SessionState | null, now: number, utm: Utm, t: Timeouts): boolean {
  return !!prev && !endReason(prev, now, t) && !(prev.utm && UTM_KEYS.every((k) => prev.utm![k] === utm[k]));
}

/**
 * `endSession()` (`explicit`), or another user (`user_changed`): the session is over now; the next event starts a new
 * one.
 */
export function stop(prev: SessionState, now: number, reason: EndReason = 'explicit'): Outcome {
  return prev.ended ? { current: prev, ending: null } : end(prev, reason, now);
}
