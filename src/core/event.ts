/**
 * An event as the collector receives it. An event is serialised once, when it is recorded: an immutable
 * snapshot of its session, cheap to keep in the outbox, to measure in bytes and to join into a batch. This
 * is the `track()` hot path: the part events share (the session but its event index, the attributes, the
 * user, the page, device, app, UTM and time context) is serialised once for all the events that share it.
 */
import type { ClientSession } from '../types';
import { NO_UTM, WEEKDAYS, type PageSnapshot } from './context';
import { wholeEvent, type WholeEvent } from './envelope';
import type { SessionState } from './state';

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

/** An event on its way to the collector: what the outbox keeps and a format sends. */
export interface Entry {
  id: string;
  /** tracked at (ms): the outbox is sent oldest first */
  at: number;
  appId: string;
  /**
   * The event's own fields as JSON members, the text between an object's braces (`"eventId":…,"name":…`),
   * so that a format writes the event as an object of its own, `c` and all, without editing any JSON.
   */
  fields: string;
  /** what it shares with the events around it, a JSON object (one string for all of them) */
  ctx: string;
  /** the key of the outbox chunk that holds it, once written */
  chunk?: string;
}

/** What an event carries besides itself: the parts of the context that belong to the page, not the event. */
export interface Surroundings {
  mechanism: string;
  anonymous: boolean;
  /** `"device":{...},"os":{...},"app":{...}` */
  device: string;
  timeZone: string | null;
  /** this tab's id: kept across its pages, its own in a duplicated tab */
  tabId: string;
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


/** What the last shared context was made of (compared by identity), and its JSON: a cache of a pure function. */
let sharedOf: unknown[] = [];
let shared = '';
/** The minute (since the epoch) of the last timestamp, and its ISO 8601 text up to the seconds. */
let minute = -1;
let minuteIso = '';

/**
 * `toISOString()` of an epoch time in whole milliseconds, the minute's text kept: a Date's `toISOString`
 * costs more than the rest of an event's JSON. (UTC minutes are whole epoch minutes: there are no leap seconds.)
 */
export function timestamp(at: number): string {
  const m = Math.floor(at / 6e4);
  if (m !== minute) minuteIso = new Date((minute = m) * 6e4).toISOString().slice(0, 17);
  const tail = String(1e5 + at - m * 6e4);
  return `${minuteIso}${tail.slice(1, 3)}.${tail.slice(3)}Z`;
}

/**
 * The event as an outbox entry: its own fields (`fields`) and what it shares with the events around it
 * (`ctx`). Events that share a context get the same string, made once: the hot path only writes the
 * event's own part. `expandEnvelope` (core/envelope.ts) joins them back into a whole event.
 */
export function entryOf(e: RawEvent, s: SessionState, around: Surroundings, appId: string): Entry {
  const weekday = WEEKDAYS[new Date(e.at).getDay()];
  // (`around` is a new object whenever what it holds changes; the session's other shared fields follow its id)
  const of = [e.page, around, weekday, s.sessionId, s.firstEventId, s.attributes, s.businessUserId, s.utm];
  if (of.some((part, i) => part !== sharedOf[i])) {
    sharedOf = of;
    const { eventIndex: _, ...session } = clientSession(s, around.mechanism, around.anonymous);
    shared =
      `{"session":${JSON.stringify(session)},"sessionAttributes":${JSON.stringify(s.attributes)}` +
      `,"user":{"id":${around.anonymous ? null : JSON.stringify(s.businessUserId)}}` +
      `,"context":{"page":${e.page.pageJson},${around.device},"utm":${JSON.stringify(s.utm || NO_UTM)}` +
      `,"time":{"timeZone":${JSON.stringify(around.timeZone)},"weekday":"${weekday}"},"tabId":"${around.tabId}"}}`;
  }
  const fields =
    `"eventId":"${e.id}","name":${JSON.stringify(e.name)},"timestamp":"${timestamp(e.at)}","properties":${e.props}` +
    `,"eventIndex":${s.eventIndex},"visibility":"${e.pageHidden ? 'background' : 'foreground'}"`;
  return { id: e.id, at: e.at, appId, fields, ctx: shared };
}

/** An entry as a whole event (for the formats that send every event whole). */
export function wholeOf(entry: Entry): WholeEvent {
  return wholeEvent(JSON.parse(entry.ctx), JSON.parse(`{${entry.fields}}`));
}
