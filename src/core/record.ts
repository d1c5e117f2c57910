/**
 * A call's way through the core, once `step` (step.ts) has made it a `Call`: the consent step and the
 * hold first, then the session rules (rules.ts), which give the next state; outcome.ts applies it (the
 * `session_end` of a session they find over, the `session_start` of the next, the event's outbox entry).
 *
 * The hold: while consent is pending or storage has not answered, a call is held with its time, and runs
 * in order once they have, so that the session comes out as if it had run when it was made. Past the
 * hold's bound (the outbox's), or with consent refused, an event is dropped (counted, when past the bound).
 */
import { withAttribute, withIncrement } from './session/attributes';
import { byteLength, MAX_EVENT_BYTES, MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS } from './send/batch';
import { OWN_CHARS, type RawEvent } from './event';
import { freshId, idsOf } from './ids';
import { apply, enqueue, keep } from './session/outcome';
import type { Kit } from './engaged/engagement';
import { partOf } from './parts';
import type { Call, Held, Hold, Model } from './model';
import type { Effect } from './effect';
import { endReason, expire, newCampaign, onActivity, onEvent, onVisibility, restart, stop } from './session/rules';
import type { Properties } from '../ground/types';

export const EMPTY: Hold = { calls: null, events: 0, chars: 0 };

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
export function lifecycle(
  m: Model,
  fx: Effect[],
  at: number,
  name: string,
  extra?: Properties,
  background = siteBackground(m),
): void {
  if (m.settings.lifecycleEvents)
    enter(
      m,
      fx,
      at,
      name,
      JSON.stringify({ transition_type: name, ...extra }),
      background,
      name !== 'application_foreground' && name !== 'application_initialized',
    );
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
  m.hold = {
    calls: { call, earlier: hold.calls },
    events: hold.events + (chars ? 1 : 0),
    chars: hold.chars + (chars || 0),
  };
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
  // What was held is older than the session's last activity as the store holds it (another tab may have moved it on
  // meanwhile): it does not move that back, or the next would find a gap that was not there (test/sim regression: two
  // tabs granted after minutes each ended the session another tab had just opened, and opened two).
  const floor = m.session;
  const keepUp = () => {
    const now = m.session;
    if (floor && now && now.sessionId === floor.sessionId && now.lastEventAt < floor.lastEventAt)
      keep(m, fx, { ...now, lastEventAt: floor.lastEventAt });
  };
  first?.();
  keepUp();
  if (m.losses) fx.push(['lost', m.losses]);
  m.losses = 0;
  for (const call of held) (perform(m, fx, call), keepUp());
  fx.push(['resolveReady']);
}

/**
 * An event enters, on the page it happened on; `background` is the site's state from now on. Its id, or
 * undefined when it was dropped: the whole event, as it will be sent, must fit in a request (one too large is
 * refused here, at the call, with a warning), and consent must not be refused.
 */
export function enter(
  m: Model,
  fx: Effect[],
  at: number,
  name: string,
  props: string,
  background = siteBackground(m),
  leaving = false,
): string | undefined {
  const page = m.page;
  const chars = name.length + props.length;
  // The parts are JSON already, and a UTF-8 character takes at most 3 bytes: only long events need counting.
  if (
    chars + page.pageJson.length > (MAX_EVENT_BYTES - BOUNDED_PARTS) / 3 &&
    byteLength(JSON.stringify(name) + props + page.pageJson) + BOUNDED_PARTS > MAX_EVENT_BYTES
  ) {
    fx.push(['warn', 25, `event "${name.slice(0, 100)}"`]);
    return;
  }
  const id = freshId(m);
  const event: RawEvent = {
    id,
    name,
    at,
    props,
    page,
    pageHidden: m.pageHidden,
  };
  const kept = run(m, fx, { type: 'event', event, background, leaving }, chars + OWN_CHARS);
  return kept ? id : undefined;
}

type Performs = { [T in Call['type']]: (m: Model, fx: Effect[], call: Extract<Call, { type: T }>, at: number) => void };

/** What each call does, once it runs (at once, or when the hold ends), with what it was given when it was made. */
const PERFORMS: Performs = {
  event(m, fx, { event, background, leaving }) {
    // An event of the page leaving (`leaving`) opens no session: with none live there is nobody in it. The
    // end of the last is reported, as any input reports it, and the site's state is recorded; nothing is sent.
    const s = m.session;
    if (leaving && (!s || endReason(s, event.at, m.settings)))
      return apply(m, fx, (prev) => onVisibility(prev, event.at, background, m.settings));
    const path = event.page.page.path.slice(0, 500);
    const ids = idsOf(m);
    apply(
      m,
      fx,
      (prev) => onEvent(prev, event.at, event.id, background, event.page.utm, path, m.settings, ids),
      event.page,
    );
    enqueue(m, fx, event, m.session!);
  },
  siteState: (m, fx, call, at) => apply(m, fx, (prev) => onVisibility(prev, at, call.background, m.settings)),
  // (a background that found the session over was not sent: there is no return to report)
  reported: (m, fx, call) =>
    m.session && keep(m, fx, { ...m.session, backgroundReported: call.background && !m.session.ended }),
  visibility: (m, fx, { background }, at) => void (knownBackground(m) !== background && change(m, fx, at, background)),
  restored(m, fx, _, at) {
    if (knownBackground(m)) change(m, fx, at, false, !m.session?.backgroundReported);
    if (m.session) keep(m, fx, { ...m.session, closed: false });
  },
  identify(m, fx, { userId }, at) {
    // Another user than the session's (another id, or none after one) ends the session; a first login keeps it.
    const user = m.session?.businessUserId;
    if (user && user !== userId) apply(m, fx, (prev) => prev && stop(prev, at, 'user_changed'));
    m.user = userId;
    if (m.session) keep(m, fx, { ...m.session, businessUserId: userId });
  },
  restart(m, fx, { campaign, utm, background }, at) {
    // (a page view's campaign: judged when the call runs, by the session then, which the hold may not know yet)
    if (!campaign || newCampaign(m.session, at, utm!, m.settings))
      apply(m, fx, (prev) => restart(prev, at, background, utm, idsOf(m), campaign && 'new_campaign'));
  },
  stop: (m, fx, _, at) => apply(m, fx, (prev) => prev && stop(prev, at)),
  engaged(m, fx, { from, to }) {
    // Engagement is activity: a session found over at the stretch's start ends there, and the next takes the stretch.
    apply(m, fx, (prev) => onActivity(prev, from, siteBackground(m), m.page.utm, m.settings, idsOf(m)));
    apply(m, fx, (prev) => engaging(m)!.mergeStretch(prev, from, to, m.settings));
  },
  attribute(m, fx, { key, value, increment, background, utm }, at) {
    // In a live session (one that is over is reported first), or the first of the device.
    apply(m, fx, (prev) => {
      const outcome = prev ? expire(prev, at, m.settings) : restart(null, at, background, utm, idsOf(m));
      const attrs = outcome.current.attributes;
      const next = increment ? withIncrement(attrs, key, value) : withAttribute(attrs, key, value);
      if (Array.isArray(next)) fx.push(['warn', ...next]);
      else outcome.current = { ...outcome.current, attributes: next, attributesAt: at };
      return outcome;
    });
  },
};

const perform = (m: Model, fx: Effect[], call: Call) =>
  (PERFORMS[call.type] as (m: Model, fx: Effect[], call: Call, at: number) => void)(
    m,
    fx,
    call,
    'at' in call ? call.at : 0,
  );

/**
 * The steps of engaged time, once the input part has handed them (`engagement`: engagement.ts); undefined: off, or not
 * loaded yet.
 */
export const engaging = (m: Model) => partOf(m, 'engagement');

/** What engaged time's steps do with the session and the page view (they are made with it: `engagementSteps`). */
export const KIT: Kit = { run, enter, siteBackground };
