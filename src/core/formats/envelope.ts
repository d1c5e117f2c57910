/**
 * For collectors written in Node (`import { expandEnvelope } from 'stint/collector'`): turns a batch into whole
 * events, each with its own fields, its session, session attributes, user and full context (schemas/envelope.json,
 * `definitions/event`). Pure; no browser, no I/O.
 *
 * The batch (schemas/envelope.json) sends what its events share once: `contexts` holds the session, attributes, user
 * and page/device/app/UTM/time context, with the user agent as the browser said it; each event is an array of what is
 * its own, `[id, name, properties, t]`, where `t` is ms from the batch's `at`; a fifth member, an object, says what the
 * batch does not imply: `i`, its event index (else the previous event's plus one), `c`, its context (else the previous
 * event's, the first's 0), and `b: 1` when its page was hidden (else it was visible). The user agent is read here
 * (core/formats/agent.ts), not in the page: the whole event's `os` and `app` name and version.
 */
import { readAgent, type UserAgent } from './agent';

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

type Page = { url: string; path: string; referrer: string | null; title: string | null; viewId: string };
type Device = { screenResolution: string; colorDepth: number | null; orientation: string | null; touch: boolean };

/** The context as the page sends it, shared by the events of a batch. */
export interface SentContext {
  page: Page;
  device: Device;
  app: { type: 'browser'; language: string | null; bot: boolean };
  /** what the browser says of itself (read by the collector: core/formats/agent.ts) */
  userAgent: UserAgent;
  utm: Record<string, string | null>;
  time: { timeZone: string | null; weekday: string };
  /** the browser tab it came from */
  tabId: string;
}

/** One whole event, as `expandEnvelope` gives it. */
export interface WholeEvent {
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, unknown>;
  session: EventSession;
  sessionAttributes: Record<string, string | number | boolean | null>;
  user: { id: string | null };
  context: {
    page: Page;
    device: Device;
    os: { name: string | null; version: string | null };
    app: { type: 'browser'; name: string | null; version: string | null; language: string | null; bot: boolean };
    /** the User-Agent string the page sent */
    userAgent: string;
    utm: Record<string, string | null>;
    time: { timeZone: string | null; weekday: string };
    tabId: string;
    visibility: 'foreground' | 'background';
  };
}

/** What events of a batch share, as sent. */
export interface SharedContext {
  session: Omit<EventSession, 'eventIndex'>;
  sessionAttributes: WholeEvent['sessionAttributes'];
  user: WholeEvent['user'];
  context: SentContext;
}

/** An event's own fields, with its visibility. */
export interface OwnEvent {
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, unknown>;
  eventIndex: number;
  visibility: 'foreground' | 'background';
}

/** An event in the page, as the formats that send every event whole read it: its context as the page sends it. */
export type PageEvent = Omit<WholeEvent, 'context'> & {
  context: SentContext & { visibility: 'foreground' | 'background' };
};

/** An event as sent: `[id, name, properties, t]`, and what the batch does not imply. */
export type CompactEvent = [
  eventId: string,
  name: string,
  properties: Record<string, unknown>,
  t: number,
  implied?: { c?: number; i?: number; b?: 1 },
];

export interface Envelope {
  v: 3;
  appId: string;
  /** the tracker's `appVersion`, where it sets one */
  appVersion?: string;
  sentAt: string;
  dropped: number;
  /** the share of sessions that send: each event stands for 1 / sampleRate */
  sampleRate: number;
  contexts: SharedContext[];
  /** the time of its first event, ms since the epoch, from which each event's `t` counts */
  at: number;
  events: CompactEvent[];
}

/** A shared context as whole events carry it: the user agent read (its operating system and browser). */
function wholeContext({ session, sessionAttributes, user, context }: SharedContext) {
  const { userAgent, app, ...rest } = context;
  const agent = readAgent(userAgent);
  return {
    session,
    sessionAttributes,
    user,
    context: {
      ...rest,
      os: agent.os,
      app: { type: app.type, name: agent.name, version: agent.version, language: app.language, bot: app.bot },
      userAgent: userAgent.original,
    },
  };
}

/**
 * The whole events of a batch. Throws a TypeError on a batch that is not a Stint envelope, or whose event names a
 * context it does not have (validate against the schema first to learn why).
 */
export function expandEnvelope(envelope: unknown): WholeEvent[] {
  const batch = envelope as Envelope;
  if (!batch || typeof batch !== 'object' || !Array.isArray(batch.events)) throw new TypeError('not a Stint envelope');
  if (batch.v !== 3) throw new TypeError(`unknown envelope version ${String(batch.v)}`);
  const contexts = (Array.isArray(batch.contexts) ? batch.contexts : []).map(wholeContext);
  const base = Number(batch.at);
  let c = 0;
  let index = 0;
  return batch.events.map((event) => {
    if (!Array.isArray(event)) throw new TypeError('an event is an array');
    const [eventId, name, properties, t, implied = {}] = event;
    c = implied.c ?? c;
    index = implied.i ?? index + 1;
    const shared = contexts[c];
    if (!shared) throw new TypeError(`event ${eventId} names context ${c}, which the batch does not have`);
    if (!Number.isFinite(base + t)) throw new TypeError(`event ${eventId} has no time`);
    return {
      eventId,
      name,
      timestamp: new Date(base + t).toISOString(),
      properties,
      session: { ...shared.session, eventIndex: index },
      sessionAttributes: shared.sessionAttributes,
      user: shared.user,
      context: { ...shared.context, visibility: implied.b ? 'background' : 'foreground' },
    };
  });
}
