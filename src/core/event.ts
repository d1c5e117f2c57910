/**
 * An event as the collector receives it. An event is kept as an immutable snapshot of its session when it is
 * recorded, cheap to keep in the outbox, to measure in bytes and to join into a batch. This is the `track()`
 * hot path: the part events share (the session but its event index, the attributes, the user, the page,
 * device, app, UTM and time context) is serialised once for all the events that share it; an event's own
 * properties were serialised at the call, and its other parts are written by the format that sends it.
 */
import type { ClientSession } from '../ground/types';
import { NO_UTM, WEEKDAYS, type PageSnapshot } from './context';
import type { OwnEvent, PageEvent, SharedContext } from './formats/envelope';
import type { SessionState } from './session/state';

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
  name: string;
  /** the properties, a JSON object (serialised once, at the call) */
  props: string;
  /** the session's event index it took */
  index: number;
  /** whether its page was hidden */
  hidden: boolean;
  /** what it shares with the events around it, a JSON object (one string for all of them) */
  ctx: string;
}

/**
 * What an event's item takes besides its name and properties: its id and the punctuation between them (what the
 * native format writes around them is counted in ITEM_BYTES, batch.ts).
 */
export const OWN_CHARS = 42;
/** What an entry counts for in the outbox's bound and its chunks, and in the hold's. */
export const entryChars = (e: Entry): number => e.name.length + e.props.length + OWN_CHARS;

/** What an event carries besides itself: the parts of the context that belong to the page, not the event. */
export interface Surroundings {
  mechanism: string;
  anonymous: boolean;
  /** `"device":{...},"app":{...},"userAgent":{...}` (device.ts) */
  device: string;
  timeZone: string | null;
  /**
   * minutes ahead of UTC where the visitor is (the weekday is theirs); the shell tells a change (daylight saving time)
   */
  offset: number;
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

/**
 * The day of the week at `at` where the visitor is (`offset`: minutes ahead of UTC there). 1 January 1970 was a
 * Thursday.
 */
export const weekday = (at: number, offset: number): string =>
  WEEKDAYS[(((Math.floor((at + offset * 6e4) / 864e5) + 4) % 7) + 7) % 7];

/**
 * The shared part of the last entry and what it was made of (compared by identity): kept in the model, a cache of a
 * pure function.
 */
export interface Shared {
  made: readonly unknown[];
  ctxJson: string;
}

/**
 * The event as an outbox entry: its own parts (id, time, name, properties, index, hidden), which each format
 * writes as it sends, and what it shares with the events around it (`ctx`). Events that share a context get
 * the same string, made once: the hot path writes nothing of the event's own. `expandEnvelope`
 * (core/formats/envelope.ts) joins them back into a whole event.
 */
export function entryOf(
  e: RawEvent,
  s: SessionState,
  around: Surroundings,
  appId: string,
  last: Shared | null,
): { entry: Entry; shared: Shared } {
  const day = weekday(e.at, around.offset);
  // (`around` is a new object whenever what it holds changes; the session's other shared fields follow its id)
  const of = [e.page, around, day, s.sessionId, s.firstEventId, s.attributes, s.businessUserId, s.utm];
  let shared = last;
  if (!shared || of.some((part, i) => part !== shared!.made[i])) {
    const { eventIndex: _, ...session } = clientSession(s, around.mechanism, around.anonymous);
    shared = {
      made: of,
      ctxJson:
        `{"session":${JSON.stringify(session)},"sessionAttributes":${JSON.stringify(s.attributes)}` +
        `,"user":{"id":${around.anonymous ? null : JSON.stringify(s.businessUserId)}}` +
        `,"context":{"page":${e.page.pageJson},${around.device},"utm":${JSON.stringify(s.utm || NO_UTM)}` +
        `,"time":{"timeZone":${JSON.stringify(around.timeZone)},"weekday":"${day}"},"tabId":"${around.tabId}"}}`,
    };
  }
  return {
    entry: {
      id: e.id,
      at: e.at,
      appId,
      name: e.name,
      props: e.props,
      index: s.eventIndex,
      hidden: e.pageHidden,
      ctx: shared.ctxJson,
    },
    shared,
  };
}

/** An entry's own fields. */
export const ownOf = (entry: Entry): OwnEvent => ({
  eventId: entry.id,
  name: entry.name,
  timestamp: new Date(entry.at).toISOString(),
  properties: JSON.parse(entry.props),
  eventIndex: entry.index,
  visibility: entry.hidden ? 'background' : 'foreground',
});

/** An entry as a whole event, its context as the page sends it (for the formats that send every event whole). */
export function wholeOf(entry: Entry): PageEvent {
  const { eventIndex, visibility, ...own } = ownOf(entry);
  const { session, sessionAttributes, user, context }: SharedContext = JSON.parse(entry.ctx);
  return { ...own, session: { ...session, eventIndex }, sessionAttributes, user, context: { ...context, visibility } };
}
