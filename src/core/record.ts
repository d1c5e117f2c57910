/**
 * A call's way through the core, once `step` (step.ts) has made it a `Call`: the consent step and the
 * hold first, then the session rules (rules.ts), which give the next state; a session they find over is
 * reported by its `session_end`, and each event becomes an outbox entry that carries the session of the
 * moment it was tracked.
 *
 * The hold: while consent is pending or storage has not answered, a call is held with its time, and runs
 * in order once they have, so that the session comes out as if it had run when it was made. Past the
 * hold's bound (the outbox's), or with consent refused, an event is dropped (counted, when past the bound).
 */
import { withAttribute, withIncrement } from './attributes';
import { byteLength, MAX_EVENT_BYTES, MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS } from './batch';
import { entryOf, OWN_CHARS, type RawEvent } from './event';
import { freshId, idsOf, nameUuid } from './ids';
import type { Kit } from './engagement';
import type { Call, Effect, Held, Hold, Model } from './model';
import { endReason, expire, newCampaign, onActivity, onEvent, onVisibility, restart, sampled, stop, type Ended, type Outcome } from './rules';
import type { Properties } from '../types';
import type { EndReason, SessionState } from './state';
import type { PageSnapshot } from './context';

export const EMPTY: Hold = { calls: null, events: 0, chars: 0 };
/** Saved at the end of the task (the same effect every time: nothing to allocate on the hot path). */
const SAVE: Effect = ['save'];

/**
 * What an event carries besides its name, properties and page, at most: the session (~400 B), its
 * attributes (bounded at 1,536 B), UTM (5 values of at most 100 characters), the user id (255), the
 * device and time (~400 B) and the JSON around them.
 */
const BOUNDED_PARTS = 4096;

/** The site is in the background: no tab of it, this one included, is visible. */
export const siteBackground = (m: Model): boolean => m.pageHidden && !m.visibleTabs.length;

/** The site's state as last recorded: by the session (any tab may have changed it), else by this tab. */
export const knownBackground = (m: Model): boolean => m.session?.siteBackground ?? m.recorded;

/**
 * Records a change of the site's state: an event, or (`silent`, or lifecycle events off) a step of the rules.
 * The session says whether the background was reported, so that its return is too, by whichever page sees it.
 */
export function change(m: Model, fx: Effect[], at: number, background: boolean, silent = false): void {
  m.recorded = background;
  if (m.settings.lifecycleEvents && !silent) {
    lifecycle(m, fx, at, background ? 'application_background' : 'application_foreground', undefined, background);
    // (a background that found the session over was not sent: there is no return to report)
    run(m, fx, { type: 'reported', background });
  } else run(m, fx, { type: 'siteState', at, background });
}

/**
 * An `application_*` event, when the site records them; `background` is the site's state from now on. The
 * page leaving (`application_background`, `application_exit`) opens no session (see `enter`).
 */
export function lifecycle(m: Model, fx: Effect[], at: number, name: string, extra?: Properties, background = siteBackground(m)): void {
  if (m.settings.lifecycleEvents) enter(m, fx, at, name, JSON.stringify({ transition_type: name, ...extra }), background, name !== 'application_foreground' && name !== 'application_initialized');
}

/** Runs `call` now, holds it, or drops it (false). `chars`: the size of the event it records, if it records one. */
export function run(m: Model, fx: Effect[], call: Call, chars?: number): boolean {
  if (m.consentMode === 'denied') return false;
  const hold = m.hold;
  if (!hold) {
    perform(m, fx, call);
    return true;
  }
  if (chars !== undefined && (hold.events >= MAX_QUEUE_EVENTS || hold.chars + chars > MAX_QUEUE_CHARS)) {
    if (!m.losses++) fx.push(['warn', 26, 'held events']);
    return false;
  }
  m.hold = { calls: { call, earlier: hold.calls }, events: hold.events + (chars ? 1 : 0), chars: hold.chars + (chars || 0) };
  return true;
}

/** The held calls, oldest first. */
function heldCalls(hold: Hold | null): Call[] {
  const calls: Call[] = [];
  for (let held: Held | null = hold && hold.calls; held; held = held.earlier) calls.push(held.call);
  return calls.reverse();
}

/**
 * The hold ends: `first` runs (the page's start, the store's answer), then what was dropped meanwhile is counted
 * (unless `first` cleared it), the held calls run in order, and `ready()` resolves.
 */
export function release(m: Model, fx: Effect[], first?: () => void): void {
  const held = heldCalls(m.hold);
  m.hold = null;
  first?.();
  if (m.losses) fx.push(['lost', m.losses]);
  m.losses = 0;
  for (const call of held) perform(m, fx, call);
  fx.push(['resolveReady']);
}

/**
 * An event enters, on the page it happened on; `background` is the site's state from now on. Its id, or
 * undefined when it was dropped: the whole event, as it will be sent, must fit in a request (one too large is
 * refused here, at the call, with a warning), and consent must not be refused.
 */
export function enter(m: Model, fx: Effect[], at: number, name: string, props: string, background = siteBackground(m), leaving = false): string | undefined {
  const page = m.page;
  const chars = name.length + props.length;
  // The parts are JSON already, and a UTF-8 character takes at most 3 bytes: only long events need counting.
  if (chars + page.pageJson.length > (MAX_EVENT_BYTES - BOUNDED_PARTS) / 3 && byteLength(JSON.stringify(name) + props + page.pageJson) + BOUNDED_PARTS > MAX_EVENT_BYTES) {
    fx.push(['warn', 25, `event "${name.slice(0, 100)}"`]);
    return;
  }
  const id = freshId(m);
  const event: RawEvent = { id, name, at, props, page, pageHidden: m.pageHidden };
  const kept = run(m, fx, { type: 'event', event, background, leaving }, chars + OWN_CHARS);
  return kept ? id : undefined;
}

/** What a call does, once it runs (at once, or when the hold ends), with what it was given when it was made. */
function perform(m: Model, fx: Effect[], call: Call): void {
  const at = 'at' in call ? call.at : 0;
  switch (call.type) {
    case 'event': {
      const { event, background, leaving } = call;
      // An event of the page leaving (`leaving`) opens no session: with none live there is nobody in it. The
      // end of the last is reported, as any input reports it, and the site's state is recorded; nothing is sent.
      const s = m.session;
      if (leaving && (!s || endReason(s, event.at, m.settings))) return apply(m, fx, (prev) => onVisibility(prev, event.at, background, m.settings));
      apply(m, fx, (prev) => onEvent(prev, event.at, event.id, background, event.page.utm, event.page.page.path.slice(0, 500), m.settings, idsOf(m)), event.page);
      return enqueue(m, fx, event, m.session!);
    }
    case 'siteState':
      return apply(m, fx, (prev) => onVisibility(prev, at, call.background, m.settings));
    case 'reported':
      // (a background that found the session over was not sent: there is no return to report)
      return void (m.session && keep(m, fx, { ...m.session, backgroundReported: call.background && !m.session.ended }));
    case 'restored':
      if (knownBackground(m)) change(m, fx, at, false, !m.session?.backgroundReported);
      return void (m.session && keep(m, fx, { ...m.session, closed: false }));
    case 'identify': {
      // Another user than the session's (another id, or none after one) ends the session; a first login keeps it.
      const user = m.session?.businessUserId;
      if (user && user !== call.userId) apply(m, fx, (prev) => prev && stop(prev, at, 'user_changed'));
      m.user = call.userId;
      return void (m.session && keep(m, fx, { ...m.session, businessUserId: call.userId }));
    }
    case 'restart':
      // (a page view's campaign: judged when the call runs, by the session then, which the hold may not know yet)
      if (call.campaign && !newCampaign(m.session, at, call.utm!, m.settings)) return;
      return apply(m, fx, (prev) => restart(prev, at, call.background, call.utm, idsOf(m), call.campaign && 'new_campaign'));
    case 'stop':
      return apply(m, fx, (prev) => prev && stop(prev, at));
    case 'engaged':
      // Engagement is activity: a session found over at the stretch's start ends there, and the next takes the stretch.
      apply(m, fx, (prev) => onActivity(prev, call.from, siteBackground(m), m.page.utm, m.settings, idsOf(m)));
      return apply(m, fx, (prev) => engaging(m)!.mergeStretch(prev, call.from, call.to, m.settings));
    case 'attribute': {
      const { key, value, increment, background, utm } = call;
      // In a live session (one that is over is reported first), or the first of the device.
      return apply(m, fx, (prev) => {
        const outcome = prev ? expire(prev, at, m.settings) : restart(null, at, background, utm, idsOf(m));
        const attrs = outcome.current.attributes;
        const next = increment ? withIncrement(attrs, key, value) : withAttribute(attrs, key, value);
        if (Array.isArray(next)) fx.push(['warn', ...next]);
        else outcome.current = { ...outcome.current, attributes: next, attributesAt: at };
        return outcome;
      });
    }
  }
}

/** Applies a rule's outcome to the session, reporting the end of a session it found over; a session it starts begins on `page`. */
export function apply(m: Model, fx: Effect[], rule: (prev: SessionState | null) => Outcome | null, page = m.page): void {
  const prev = m.session;
  const outcome = rule(prev);
  if (!outcome) return;
  if (outcome.ending) report(m, fx, outcome.ending);
  // The device's first state: stamped with what this page knows about it.
  const next = prev ? outcome.current : { ...outcome.current, appVersion: m.settings.appVersion, businessUserId: m.user };
  keep(m, fx, next.sessionId === prev?.sessionId ? next : begin(m, fx, next, prev && (outcome.ending?.reason || prev.ended), page));
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
  const first = { ...s, eventIndex: 1, firstEventId: id, firstEventAt: s.startedAt };
  enqueue(m, fx, { id, name: 'session_start', at: s.startedAt, props: JSON.stringify(props), page, pageHidden: m.pageHidden }, first);
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

/** The event leaves for the outbox, in `state`, the session after its step; an unsampled session's stays here (`sampleRate`). */
function enqueue(m: Model, fx: Effect[], event: RawEvent, state: SessionState): void {
  if (!sampled(state.sessionId, m.settings.sampleRate)) return;
  const { entry, shared } = entryOf(event, state, m.around, m.settings.appId, m.lastCtx);
  m.lastCtx = shared;
  fx.push(['enqueue', entry]);
}

/** The steps of engaged time, once the input part has handed them (`engagement`: engagement.ts); undefined: off, or not loaded yet. */
export const engaging = (m: Model) => (m.settings.engagement ? m.settings.engagement.stepsLoaded : undefined);

/** What engaged time's steps do with the session and the page view (they are made with it: `engagementSteps`). */
export const KIT: Kit = { run, enter, siteBackground };
