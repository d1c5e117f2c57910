/**
 * The native event envelope. An event is serialised once, when it is tracked, into the JSON the
 * collector receives: an immutable snapshot of its session, cheap to keep in the outbox, to
 * measure in bytes and to join into a batch. This is the `track()` hot path: the parts that rarely
 * change (attributes, UTM, the session's first event) are serialised once and reused.
 */
import { wholeEvent, type WholeEvent } from './collector';
import { NO_UTM, WEEKDAYS, type PageSnapshot } from './context';
import type { Entry } from './delivery/outbox-store';
import type { SessionState } from './session/state';
import type { ClientSession } from './types';

/** An event as the page tracked it, before the session rules have seen it. */
export interface RawEvent {
  id: string;
  name: string;
  at: number;
  /** The properties, already JSON (serialising them is how `track` finds circular or BigInt values). */
  props: string;
  page: PageSnapshot;
  /** Whether this page was hidden when the event was tracked. */
  pageHidden: boolean;
}

/** Stands in for the device id where nothing identifying may be sent (consent refused, `onDenied: 'anonymous'`). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function clientSession(s: SessionState, mechanism: string, anonymous: boolean): ClientSession {
  return {
    userId: anonymous ? NIL_UUID : s.userId,
    sessionId: s.sessionId,
    sessionIndex: s.sessionIndex,
    previousSessionId: anonymous ? null : s.previousSessionId,
    storageMechanism: mechanism,
    firstEventId: s.firstEventId,
    firstEventTimestamp: iso(s.firstEventAt),
    eventIndex: s.eventIndex,
  };
}

/** What an event carries besides itself: the parts of the context that belong to the page, not the event. */
export interface Surroundings {
  mechanism: string;
  anonymous: boolean;
  /** `"device":{...},"os":{...},"app":{...}` */
  device: string;
  /** undefined until first needed: the first Intl call of a page can cost 30 ms */
  timeZone?: string | null;
}

const nameJson = ((key = '', value = '') => (name: string) => (name === key ? value : ((key = name), (value = JSON.stringify(name)))))();

/** What the last shared context was made of (compared by identity), and its JSON. */
let sharedOf: unknown[] = [];
let shared = '';
/** The local day the last event fell in ([start, end) in ms), and its weekday. */
let dayStart = 0;
let dayEnd = 0;
let weekday = '';

/**
 * The event as JSON, in two parts: its own fields (`own`), and what it shares with the events around it
 * (`shared`: the session but its event index, the attributes, the user and the page, device, app, UTM and
 * time context). Events that share a context get the same string, made once: the hot path only builds
 * the event's own part. `expandEnvelope` (src/collector.ts) joins them back into a whole event.
 */
export function eventJson(e: RawEvent, s: SessionState, around: Surroundings): [own: string, shared: string] {
  const at = new Date(e.at);
  if (e.at < dayStart || e.at >= dayEnd) {
    weekday = WEEKDAYS[at.getDay()];
    dayStart = new Date(at.getFullYear(), at.getMonth(), at.getDate()).getTime();
    dayEnd = new Date(at.getFullYear(), at.getMonth(), at.getDate() + 1).getTime();
  }
  const zone = (around.timeZone ??= timeZone());
  const of = sharedOf;
  if (
    of[0] !== e.page || of[1] !== s.sessionId || of[2] !== s.firstEventId || of[3] !== around.mechanism || of[4] !== around.anonymous ||
    of[5] !== s.attributes || of[6] !== s.businessUserId || of[7] !== s.utm || of[8] !== around.device || of[9] !== zone || of[10] !== weekday
  ) {
    sharedOf = [e.page, s.sessionId, s.firstEventId, around.mechanism, around.anonymous, s.attributes, s.businessUserId, s.utm, around.device, zone, weekday];
    const { eventIndex: _, ...session } = clientSession(s, around.mechanism, around.anonymous);
    shared =
      `{"session":${JSON.stringify(session)},"sessionAttributes":${JSON.stringify(s.attributes)}` +
      `,"user":{"id":${around.anonymous ? null : JSON.stringify(s.businessUserId)}}` +
      `,"context":{"page":${e.page.json},${around.device},"utm":${JSON.stringify(s.utm || NO_UTM)}` +
      `,"time":{"timeZone":${JSON.stringify(zone)},"weekday":"${weekday}"}}}`;
  }
  const own =
    `{"eventId":"${e.id}","name":${nameJson(e.name)},"timestamp":"${at.toISOString()}","properties":${e.props}` +
    `,"eventIndex":${s.eventIndex},"visibility":"${e.pageHidden ? 'background' : 'foreground'}"}`;
  return [own, shared];
}

/** An outbox entry as a whole event (for the formats that send every event whole). */
export function wholeOf(entry: Entry): WholeEvent {
  const own = JSON.parse(entry.body);
  return entry.ctx ? wholeEvent(JSON.parse(entry.ctx), own) : own;
}

/** The IANA time zone of the device, or null. Temporal answers at once where Intl first loads its data. */
export function timeZone(): string | null {
  try {
    const temporal = (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal;
    return (temporal ? temporal.Now.timeZoneId() : Intl.DateTimeFormat().resolvedOptions().timeZone) || null;
  } catch {
    return null;
  }
}
