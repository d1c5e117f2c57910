/**
 * The native event envelope. An event is serialised once, when it is tracked, into the JSON the
 * collector receives: an immutable snapshot of its session, cheap to keep in the outbox, to
 * measure in bytes and to join into a batch.
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
  hidden: boolean;
}

/** Stands in for the device id where nothing identifying may be sent (consent refused, `onDenied: 'anonymous'`). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function clientSession(s: SessionState, mechanism: string, anonymous: boolean): ClientSession {
  return {
    userId: anonymous ? NIL_UUID : s.userId,
    sessionId: s.sessionId,
    sessionIndex: s.sessionIndex,
    previousSessionId: anonymous ? null : s.previousSessionId,
    storageMechanism: mechanism,
    firstEventId: s.firstEventId,
    firstEventTimestamp: s.firstEventAt === null ? null : new Date(s.firstEventAt).toISOString(),
    eventIndex: s.eventIndex,
  };
}

/** What an event carries besides itself: the parts of the context that belong to the page, not the event. */
export interface Surroundings {
  mechanism: string;
  anonymous: boolean;
  /** `"device":{...},"os":{...},"app":{...}` */
  device: string;
  timeZone: string | null;
}

export function eventJson(e: RawEvent, s: SessionState, around: Surroundings): string {
  return (
    `{"eventId":"${e.id}","name":${JSON.stringify(e.name)},"timestamp":"${new Date(e.at).toISOString()}"` +
    `,"properties":${e.props},"session":${JSON.stringify(clientSession(s, around.mechanism, around.anonymous))}` +
    `,"sessionAttributes":${JSON.stringify(s.attributes)}` +
    `,"user":{"id":${around.anonymous ? null : JSON.stringify(s.businessUserId)}}` +
    `,"context":{"page":${e.page.json},${around.device},"utm":${JSON.stringify(s.utm || NO_UTM)}` +
    `,"time":{"timeZone":${JSON.stringify(around.timeZone)},"weekday":"${WEEKDAYS[new Date(e.at).getDay()]}"}` +
    `,"visibility":"${e.hidden ? 'background' : 'foreground'}"}}`
  );
}
