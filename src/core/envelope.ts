/**
 * For collectors written in Node (`import { expandEnvelope } from 'stint/collector'`): turns a batch of
 * any envelope version into whole events, each as a version-1 event (schemas/envelope-1.json): its own
 * fields, its session, session attributes, user and full context. Pure; no browser, no I/O.
 *
 * Version 2 (schemas/envelope-2.json) sends what events of a batch share once: `contexts` holds the
 * session, attributes, user and page/device/app/UTM/time context, and each event names its context by
 * index (`c`) and carries only its own fields (id, name, time, properties, event index, visibility). An
 * event without `c` is whole already (left in an outbox by an earlier version).
 *
 * Version 3 (schemas/envelope-3.json) sends the same contexts, and each event as an array of what is its own,
 * `[id, name, properties, t]`, where `t` is ms from the batch's `at`; a fifth member, an object, says what the
 * batch does not imply: `i`, its event index (else the previous event's plus one), `c`, its context (else the
 * previous event's, the first's 0), and `b: 1` when its page was hidden (else it was visible).
 */

/** The session as an event carries it: Snowplow's `client_session` 1-0-2 fields. */
export interface EventSession {
  userId: string;
  sessionId: string;
  sessionIndex: number;
  previousSessionId: string | null;
  storageMechanism: string;
  firstEventId: string | null;
  firstEventTimestamp: string | null;
  eventIndex: number;
}

/** One whole event (a version-1 event). */
export interface WholeEvent {
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, unknown>;
  session: EventSession;
  sessionAttributes: Record<string, string | number | boolean | null>;
  user: { id: string | null };
  context: {
    /** `viewId`: the page view (absent from events of versions before 0.2) */
    page: { url: string; path: string; referrer: string | null; title: string | null; viewId?: string };
    device: { screenResolution: string; colorDepth: number | null; orientation: string | null; touch: boolean };
    os: { name: string | null; version: string | null };
    app: { type: 'browser'; name: string | null; version: string | null; language: string | null; bot: boolean };
    utm: Record<string, string | null>;
    time: { timeZone: string | null; weekday: string };
    /** the browser tab it came from (absent from events of earlier versions) */
    tabId?: string;
    visibility: 'foreground' | 'background';
  };
}

/** What events of a batch share (version 2). */
export interface SharedContext {
  session: Omit<EventSession, 'eventIndex'>;
  sessionAttributes: WholeEvent['sessionAttributes'];
  user: WholeEvent['user'];
  context: Omit<WholeEvent['context'], 'visibility'>;
}

/** An event's own fields (version 2), with `c`, the index of its shared context. */
export interface OwnEvent {
  c: number;
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, unknown>;
  eventIndex: number;
  visibility: 'foreground' | 'background';
}

/** An event of version 3: `[id, name, properties, t]`, and what the batch does not imply. */
export type CompactEvent = [eventId: string, name: string, properties: Record<string, unknown>, t: number, implied?: { c?: number; i?: number; b?: 1 }];

export interface Envelope {
  v: 1 | 2 | 3;
  appId: string;
  sentAt: string;
  dropped: number;
  /** the share of sessions that send: each event stands for 1 / sampleRate (absent before it existed: 1) */
  sampleRate?: number;
  contexts?: SharedContext[];
  /** (version 3) the time of its first event, ms since the epoch, from which each event's `t` counts */
  at?: number;
  events: (OwnEvent | WholeEvent | CompactEvent)[];
}

/** An event's own fields joined with its shared context: the whole event, keys in the version-1 order. */
export function wholeEvent(shared: SharedContext, own: Omit<OwnEvent, 'c'>): WholeEvent {
  return {
    eventId: own.eventId,
    name: own.name,
    timestamp: own.timestamp,
    properties: own.properties,
    session: { ...shared.session, eventIndex: own.eventIndex },
    sessionAttributes: shared.sessionAttributes,
    user: shared.user,
    context: { ...shared.context, visibility: own.visibility },
  };
}

/**
 * The whole events of a batch, whatever its version. Throws a TypeError on a batch that is not a Stint
 * envelope, or whose event names a context it does not have (validate against the schemas first to
 * learn why).
 */
export function expandEnvelope(envelope: unknown): WholeEvent[] {
  const batch = envelope as Envelope;
  if (!batch || typeof batch !== 'object' || !Array.isArray(batch.events)) throw new TypeError('not a Stint envelope');
  if (batch.v === 1) return batch.events as WholeEvent[];
  if (batch.v !== 2 && batch.v !== 3) throw new TypeError(`unknown envelope version ${String(batch.v)}`);
  const contexts = Array.isArray(batch.contexts) ? batch.contexts : [];
  if (batch.v === 3) return compactEvents(batch.events as CompactEvent[], contexts, Number(batch.at));
  return (batch.events as (OwnEvent | WholeEvent)[]).map((event) => {
    if (!('c' in event)) return event;
    const shared = contexts[event.c];
    if (!shared) throw new TypeError(`event ${event.eventId} names context ${event.c}, which the batch does not have`);
    return wholeEvent(shared, event);
  });
}

/** Version 3's events, made whole: what each leaves implied taken from the event before it. */
function compactEvents(events: CompactEvent[], contexts: SharedContext[], base: number): WholeEvent[] {
  let c = 0;
  let index = 0;
  return events.map((event) => {
    if (!Array.isArray(event)) throw new TypeError('a version 3 event is an array');
    const [eventId, name, properties, t, implied = {}] = event;
    c = implied.c ?? c;
    index = implied.i ?? index + 1;
    const shared = contexts[c];
    if (!shared) throw new TypeError(`event ${eventId} names context ${c}, which the batch does not have`);
    if (!Number.isFinite(base + t)) throw new TypeError(`event ${eventId} has no time`);
    const timestamp = new Date(base + t).toISOString();
    return wholeEvent(shared, { eventId, name, timestamp, properties, eventIndex: index, visibility: implied.b ? 'background' : 'foreground' });
  });
}
