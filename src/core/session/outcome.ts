/**
 * A rule's outcome applied to the model: the session it found over is reported by its `session_end`, a new one
 * is announced by its `session_start`, the next state is kept (saved at the end of the task), and each event
 * leaves for the outbox in the session of the moment it was tracked.
 */
import { entryOf, type RawEvent } from '../event';
import { nameUuid } from '../ids';
import type { Model } from '../model';
import type { Effect } from '../effect';
import { sampled, type Ended, type Outcome } from './rules';
import type { EndReason, SessionState } from './state';
import type { PageSnapshot } from '../context';

/** Saved at the end of the task (the same effect every time: nothing to allocate on the hot path). */
const SAVE: Effect = ['save'];

/**
 * Applies a rule's outcome to the session, reporting the end of a session it found over; a session it starts begins on
 * `page`.
 */
export function apply(
  m: Model,
  fx: Effect[],
  rule: (prev: SessionState | null) => Outcome | null,
  page = m.page,
): void {
  const prev = m.session;
  const outcome = rule(prev);
  if (!outcome) return;
  if (outcome.ending) report(m, fx, outcome.ending);
  // The device's first state: stamped with what this page knows about it.
  const next = prev
    ? outcome.current
    : {
        ...outcome.current,
        appVersion: m.settings.appVersion,
        businessUserId: m.user,
      };
  keep(
    m,
    fx,
    next.sessionId === prev?.sessionId
      ? next
      : begin(m, fx, next, prev && (outcome.ending?.reason || prev.ended), page),
  );
}

/**
 * A new session is announced by `session_start`, its first event (`eventIndex` 1), stamped with its start:
 * whatever opened it (an event, `newSession()`, the person's input) comes after. Its id is derived from the
 * session's, so that tabs starting the same session send one. `ended`: why the previous one ended (none: the
 * device's first session, or the first after a withdrawal). It names where the session entered the site: the path
 * of the page it began on (`page`: the page of the event that opened it, which a held call's page may differ from),
 * that page's referrer, and the campaign that opened it.
 */
function begin(m: Model, fx: Effect[], s: SessionState, ended: EndReason | null, page: PageSnapshot): SessionState {
  const id = nameUuid(s.sessionId + '/start');
  const props = {
    session_id: s.sessionId,
    previous_session_id: s.previousSessionId,
    session_index: s.sessionIndex,
    reason: ended || (m.withdrawn ? 'consent' : 'first'),
    entry_page: page.page.path,
    referrer: page.page.referrer,
    utm: s.utm,
  };
  const first = {
    ...s,
    eventIndex: 1,
    firstEventId: id,
    firstEventAt: s.startedAt,
  };
  enqueue(
    m,
    fx,
    {
      id,
      name: 'session_start',
      at: s.startedAt,
      props: JSON.stringify(props),
      page,
      pageHidden: m.pageHidden,
    },
    first,
  );
  return { ...first, eventIndex: s.eventIndex + 1 };
}

/**
 * Takes a new state, saved and told to the other tabs at the end of the task. Its revision counts every
 * write, so that tabs merging two versions know which came after which. (A state the rules made in this
 * step is nobody else's: it takes its revision as it is; the model's own is copied first.)
 */
export function keep(m: Model, fx: Effect[], next: SessionState): void {
  const prev = m.session;
  const state = next === prev ? { ...next } : next;
  state.rev = Math.max(next.rev, prev ? prev.rev : 0) + 1;
  m.session = state;
  fx.push(SAVE);
}

/**
 * `session_end` for a session found over, stamped with its last activity, in that session. Its id is
 * derived from the session's, so that tabs finding the same end send one event (after de-duplication).
 */
function report(m: Model, fx: Effect[], { session, reason }: Ended): void {
  // (to its last activity, or to the end of its engaged time, `engagement`: the idle after the last input)
  const span = Math.max(0, Math.max(session.lastEventAt, session.engaged?.[2] || 0) - session.startedAt);
  const props = {
    session_id: session.sessionId,
    reason,
    duration_ms: span,
    event_count: session.eventIndex,
    attributes: session.attributes,
    exit_page: session.lastPage,
    // (the union of the tabs' stretches: never more than the session's span)
    engaged_ms: m.settings.engagement ? Math.min(session.engaged?.[0] || 0, span) : undefined,
  };
  const event: RawEvent = {
    id: nameUuid(session.sessionId + '/end'),
    name: 'session_end',
    at: session.lastEventAt,
    props: JSON.stringify(props),
    page: m.page,
    pageHidden: m.pageHidden,
  };
  enqueue(m, fx, event, { ...session, eventIndex: session.eventIndex + 1 });
}

/**
 * The event leaves for the outbox, in `state`, the session after its step; an unsampled session's stays here
 * (`sampleRate`).
 */
export function enqueue(m: Model, fx: Effect[], event: RawEvent, state: SessionState): void {
  if (!sampled(state.sessionId, m.settings.sampleRate)) return;
  const { entry, shared } = entryOf(event, state, m.around, m.settings.appId, m.lastCtx);
  m.lastCtx = shared;
  fx.push(['enqueue', entry]);
}
