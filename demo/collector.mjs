// The demo collector: validates every batch against the schemas, drops duplicate events by id (and
// counts them), and records each event once, in memory and as NDJSON under its data folder. The
// e2e tests read its record as the truth of what arrived; the demo's timeline follows it live
// (`subscribe`, served as Server-Sent Events by server.mjs).
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The package's own decoder, as a collector written in Node uses it (built by `npm run build`).
import { expandEnvelope } from '../dist/collector.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = (path) => {
  const json = JSON.parse(readFileSync(join(root, 'schemas', path), 'utf8'));
  // Iglu's self-describing meta-schema is not a JSON Schema draft that Ajv knows; the rest is draft 4/7.
  delete json.$schema;
  delete json.self;
  return json;
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const envelope = schema('envelope.json');
ajv.addSchema(envelope);

export const validators = {
  envelope: ajv.getSchema('https://stint.dev/schemas/envelope.json'),
  wholeEvent: ajv.getSchema('https://stint.dev/schemas/envelope.json#/definitions/wholeEvent'),
  clientSession: ajv.compile(schema('snowplow/client_session-1-0-2.json')),
};

const SNOWPLOW_MECHANISMS = ['SQLITE', 'COOKIE_1', 'COOKIE_3', 'LOCAL_STORAGE', 'FLASH_LSO'];

const check = (validate, value, where) =>
  validate(value) ? [] : validate.errors.map((e) => `${where}${e.instancePath} ${e.message}`);

/**
 * Errors of a native batch, and its events made whole (the package's own `expandEnvelope`, which reads the user
 * agent): the envelope schema, each whole event against its schema, each session against client_session 1-0-2.
 */
export function nativeErrors(batch) {
  const errors = check(validators.envelope, batch, 'envelope');
  if (errors.length) return { errors, events: [] };
  let events;
  try {
    events = expandEnvelope(batch);
  } catch (e) {
    return { errors: [`envelope: ${e.message}`], events: [] };
  }
  for (const [i, event] of events.entries()) {
    errors.push(...check(validators.wholeEvent, event, `events/${i} (whole)`));
    const session = event?.session;
    if (!session) continue;
    // The native format also allows INDEXED_DB, MEMORY and custom store names (the envelope schema checks those).
    const relaxed = SNOWPLOW_MECHANISMS.includes(session.storageMechanism) ? session : { ...session, storageMechanism: 'COOKIE_1' };
    errors.push(...check(validators.clientSession, relaxed, `events/${i}/session`));
  }
  return { errors, events };
}

/** Listeners of one run are few (the demo's tabs); more than this is a leak worth a warning. */
const MAX_SUBSCRIBERS = 100;

/**
 * Records per run (tests each use their own run, `/collect/<run>`; the demo uses `default`).
 * Faults can be injected per run: the next `count` requests are answered with `status`, or, with `ms`,
 * every request for that long.
 */
export function createCollector(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const runs = new Map();
  const changes = new EventEmitter().setMaxListeners(MAX_SUBSCRIBERS);
  const run = (id) => {
    if (!runs.has(id)) runs.set(id, { events: [], ids: new Map(), duplicates: 0, duplicated: [], requests: [], invalid: [], faults: [], browsers: {} });
    return runs.get(id);
  };
  /** Tells the run's subscribers: `event` (with its 1-based position in the record), `request`, `fault`, `browser`, `clear`. */
  const emit = (runId, type, data, id) => changes.emit(runId, type, data, id);

  /** The fault that answers the next request, if any; faults whose time is up are dropped. */
  const activeFault = (r) => {
    while (r.faults[0]?.until && r.faults[0].until <= Date.now()) r.faults.shift();
    return r.faults[0];
  };
  /** What the next requests will get: null, or {status, count} / {status, ms} left. */
  const faultState = (r) => {
    const f = activeFault(r);
    return f ? (f.until ? { status: f.status, ms: f.until - Date.now() } : { status: f.status, count: f.count }) : null;
  };

  /** Handles one POST; returns [status, headers, body, request] (the request's record: the server stamps its `end`). */
  function receive(runId, format, text, meta = {}) {
    const r = run(runId);
    const request = { at: Date.now(), bytes: Buffer.byteLength(text), format, ...meta };
    r.requests.push(request);
    const answer = handle(r, runId, format, text, request);
    emit(runId, 'request', request);
    return answer;
  }

  function handle(r, runId, format, text, request) {
    const fault = activeFault(r);
    if (fault) {
      if (!fault.until && --fault.count <= 0) r.faults.shift();
    }
    if (fault?.status === 200) {
      // Not a fault: an answer that takes `delay` ms, so that a request is seen in flight.
      request.delay = fault.delay || 0;
    } else if (fault) {
      request.status = fault.status;
      request.fault = true;
      // `delay`: the answer is held this long (ms), so that a request in flight is seen to be in flight.
      request.delay = fault.delay || 0;
      emit(runId, 'fault', faultState(r));
      const headers = { ...(fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) }), ...(fault.location ? { Location: fault.location } : {}) };
      return [fault.status, headers, '{"error":"injected fault"}', request];
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      r.invalid.push({ errors: ['body is not JSON'], text: text.slice(0, 200) });
      request.status = 400;
      return [400, {}, '{"error":"body is not JSON"}', request];
    }
    const { errors, events } = nativeErrors(body);
    request.count = events.length;
    request.dropped = body.dropped ?? 0;
    if (errors.length) {
      r.invalid.push({ errors, body });
      request.status = 400;
      return [400, {}, JSON.stringify({ errors }), request];
    }
    let fresh = 0;
    const lines = [];
    for (const event of events) {
      if (r.ids.has(event.eventId)) {
        r.duplicates++;
        // Which ones, for a test that fails on duplicates to say (bounded).
        if (r.duplicated.length < 100)
          r.duplicated.push(`${event.name} ${JSON.stringify(event.properties)} (requests ${r.ids.get(event.eventId)} and ${r.requests.length - 1})`);
        continue;
      }
      r.ids.set(event.eventId, r.requests.length - 1);
      const recorded = { ...event, appId: body.appId, receivedAt: new Date().toISOString(), dropped: body.dropped ?? 0, sampleRate: body.sampleRate ?? 1 };
      r.events.push(recorded);
      emit(runId, 'event', recorded, r.events.length);
      lines.push(JSON.stringify(recorded));
      fresh++;
    }
    if (lines.length) appendFileSync(join(dataDir, `${runId.replace(/[^\w-]/g, '_')}.ndjson`), lines.join('\n') + '\n');
    request.status = 200;
    return [200, {}, JSON.stringify({ received: fresh, duplicates: events.length - fresh }), request];
  }

  return {
    receive,
    run,
    fault: (runId, { status = 503, count = 1, ms, retryAfter, delay, location } = {}) => {
      const r = run(runId);
      const timed = typeof ms === 'number' && ms > 0;
      r.faults.push(timed ? { status, until: Date.now() + ms, retryAfter, delay, location } : { status, count, retryAfter, delay, location });
      // Tell the subscribers when a timed fault is over, even if no request comes meanwhile.
      if (timed) setTimeout(() => emit(runId, 'fault', faultState(r)), ms + 10).unref();
      const state = faultState(r);
      emit(runId, 'fault', state);
      return state;
    },
    /**
     * The demo's own record, not Stint's: a demo page says which browser (an id it keeps in its localStorage) a
     * device id or an anonymous session (`session:<id>`) belongs to, so that the timeline draws one lane per
     * browser. Stint keeps no such link: a withdrawal of consent erases the device id, and a grant makes another.
     */
    link: (runId, key, browser) => {
      const r = run(runId);
      if (typeof key !== 'string' || typeof browser !== 'string' || r.browsers[key] === browser || Object.keys(r.browsers).length >= 10_000) return;
      r.browsers[key] = browser;
      emit(runId, 'browser', { key, browser });
    },
    heal: (runId) => {
      run(runId).faults = [];
      emit(runId, 'fault', null);
      return null;
    },
    clear: (runId) => {
      runs.delete(runId);
      emit(runId, 'clear', null);
      return null;
    },
    summary: (runId) => {
      const r = run(runId);
      return { events: r.events, duplicates: r.duplicates, duplicated: r.duplicated, requests: r.requests, invalid: r.invalid, fault: faultState(r), browsers: r.browsers };
    },
    /** Calls `listener(type, data, id)` for each change of the run; returns the function that stops. */
    subscribe: (runId, listener) => {
      changes.on(runId, listener);
      return () => changes.off(runId, listener);
    },
    /** How many listen to the run (the open streams). */
    subscribers: (runId) => changes.listenerCount(runId),
  };
}
