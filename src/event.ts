/**
 * The native event envelope. An event is serialised once, when it is tracked, into the JSON the
 * collector receives: an immutable snapshot of its session, cheap to keep in the outbox, to
 * measure in bytes and to join into a batch. This is the `track()` hot path: the parts that rarely
 * change (attributes, UTM, the session's first event) are serialised once and reused.
 */
import type { ClientSession } from './types';
import { NO_UTM, WEEKDAYS, type PageSnapshot } from './context';
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

/** Remembers the last answer of `fn` for the same argument (by identity). */
function lastOf<T>(fn: (value: T) => string): (value: T) => string {
  let key: T | undefined;
  let value = '';
  return (v) => (v === key ? value : ((key = v), (value = fn(v))));
}

const attributesJson = lastOf(JSON.stringify);
const utmJson = lastOf((utm: SessionState['utm']) => JSON.stringify(utm || NO_UTM));
const nameJson = lastOf(JSON.stringify);
const userJson = lastOf(JSON.stringify);
const zoneJson = lastOf(JSON.stringify);
/** The session object but its eventIndex, per session, first event, mechanism and anonymity. */
let sessionKey = '';
let sessionHead = '';

export function eventJson(e: RawEvent, s: SessionState, around: Surroundings): string {
  const key = s.sessionId + s.firstEventId + around.mechanism + around.anonymous;
  if (key !== sessionKey) {
    sessionKey = key;
    sessionHead = JSON.stringify(clientSession(s, around.mechanism, around.anonymous)).replace(/"eventIndex":\d+}$/, '');
  }
  const at = new Date(e.at);
  return (
    `{"eventId":"${e.id}","name":${nameJson(e.name)},"timestamp":"${at.toISOString()}","properties":${e.props}` +
    `,"session":${sessionHead}"eventIndex":${s.eventIndex}},"sessionAttributes":${attributesJson(s.attributes)}` +
    `,"user":{"id":${around.anonymous ? null : userJson(s.businessUserId)}}` +
    `,"context":{"page":${e.page.json},${around.device},"utm":${utmJson(s.utm)}` +
    `,"time":{"timeZone":${zoneJson((around.timeZone ??= timeZone()))},"weekday":"${WEEKDAYS[at.getDay()]}"}` +
    `,"visibility":"${e.pageHidden ? 'background' : 'foreground'}"}}`
  );
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
