/**
 * A request's batch, read as the collector will store it, or the reason it is refused. Every refusal is decided here,
 * before the store sees the batch, so that a refused batch leaves the store as it was: 413 past the size limit (Stint
 * halves a batch refused with 413 until it fits, docs/delivery.md), 415 for an encoding Stint never sends, and 400 for
 * the rest (not JSON, not a Stint envelope, a field the schema refuses, a value no column can hold), which Stint drops
 * rather than sending again (`retryable` in stint/collector: 400, 401, 403, 410 and 422 are final, the rest retried).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
// The package's own decoder, built from src/collector.ts with the schema beside it (rollup.config.mjs).
import { expandEnvelope } from '../lib/stint.mjs';
import { propertiesAsSent, SURROGATE_ESCAPE } from './exact.mjs';
import { contextRow, eventRow, uuid } from './schema.mjs';

const unzip = promisify(gunzip);

/** An answer that is not a 204, with its reason (the body of a 4xx). */
export function refusal(status, reason) {
  return Object.assign(new Error(reason), { status });
}

const ajv = new Ajv({ strict: false });
addFormats(ajv, ['uuid', 'date-time']);
const validEnvelope = ajv.compile(JSON.parse(readFileSync(new URL('../lib/envelope.json', import.meta.url), 'utf8')));

/** Past the limit, a body is still read (and dropped) up to this many times the limit, so that its sender reads the
 * 413 rather than a connection reset in the middle of its upload; past that, the connection is closed. */
const DRAIN_LIMITS = 8;

/**
 * The body's bytes, at most `limit` of them: past it, a 413.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<Buffer>}
 */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const tooLarge = () => refusal(413, `the body is over ${limit} bytes`);
    if (Number(req.headers['content-length']) > DRAIN_LIMITS * limit) return reject(tooLarge());
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_LIMITS * limit) req.destroy();
    });
    req.on('end', () => (size <= limit ? resolve(Buffer.concat(chunks)) : reject(tooLarge())));
    // (before 'end': the client went away, or was sent away past the drain)
    req.on('close', () => req.readableEnded || reject(size > limit ? tooLarge() : refusal(400, 'the body was cut')));
  });
}

/**
 * The body as text: a gzip body (Stint's `compression: 'gzip'`) unzipped to at most `limit` bytes, so that a small
 * body cannot unzip into gigabytes (a gzip bomb is a 413, like a body that large).
 * @param {Buffer} bytes
 * @param {string | undefined} encoding the request's Content-Encoding
 * @param {number} limit
 */
export async function decodeBody(bytes, encoding, limit) {
  const coding = (encoding || 'identity').trim().toLowerCase();
  if (coding === 'identity') return bytes.toString('utf8');
  if (coding !== 'gzip') throw refusal(415, `Content-Encoding ${coding}: only gzip is read`);
  try {
    return (await unzip(bytes, { maxOutputLength: limit })).toString('utf8');
  } catch (e) {
    if (e?.code === 'ERR_BUFFER_TOO_LARGE') throw refusal(413, `the body unzips to over ${limit} bytes`);
    throw refusal(400, `the body does not unzip: ${e?.message}`);
  }
}

/**
 * Every string of `value` well-formed: half a surrogate pair (an emoji cut in two by the page) becomes U+FFFD, as the
 * browser's own UTF-8 encoding of a body makes it; DuckDB refuses to read one, and would refuse the whole group.
 */
function wellFormed(value) {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.toWellFormed(), wellFormed(v)]));
}

/** A time in ms, or a 400: what the schema calls a date-time but JavaScript cannot read is no time to store. */
function timeOf(text, what) {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw refusal(400, `${what} is not a time: ${text}`);
  return ms;
}

/** A whole number a BIGINT column holds exactly (the schema allows any integer, 1e300 included), or a 400. */
function counted(value, where, what) {
  if (value !== null && !Number.isSafeInteger(value)) throw refusal(400, `${where}${what} is out of range: ${value}`);
}

/** The row of context `c`, from the first whole event sent with it. */
function contextLine(event, batch, c) {
  const { session, context } = event;
  counted(session.sessionIndex, `contexts/${c} `, 'sessionIndex');
  counted(context.device.colorDepth, `contexts/${c} `, 'colorDepth');
  const first = session.firstEventTimestamp;
  return JSON.stringify(contextRow(event, batch, c, first === null ? null : timeOf(first, 'firstEventTimestamp')));
}

/**
 * The batch a body holds, as the store's rows: its events' own, and once each context that one of them was sent with
 * (the context's index is the wire's `c`: the previous event's where an event does not say, 0 for the first). Or a 400,
 * with the first reason.
 * @param {string} text
 * @param {{ id: string, receivedAt: number }} received
 * @returns {import('./schema.mjs').Batch}
 */
export function readBatch(text, received) {
  try {
    return batchOf(text, received);
  } catch (e) {
    // (JSON nested past the stack's depth, which only a hostile body does: no row could hold it)
    if (e instanceof RangeError) throw refusal(400, `the body nests too deeply to store: ${e.message}`);
    throw e;
  }
}

/** readBatch, but for a body nested past the stack's depth. */
function batchOf(text, { id, receivedAt }) {
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch {
    throw refusal(400, 'the body is not JSON');
  }
  if (SURROGATE_ESCAPE.test(text)) envelope = wellFormed(envelope);
  if (!validEnvelope(envelope)) {
    const [error] = validEnvelope.errors;
    throw refusal(400, `not a Stint envelope (schemas/envelope.json): ${error.instancePath || '/'} ${error.message}`);
  }
  let events;
  try {
    events = expandEnvelope(envelope);
  } catch (e) {
    throw refusal(400, `not a Stint envelope: ${e?.message}`);
  }
  counted(envelope.dropped, '', 'dropped');
  const { appId, appVersion = null, sampleRate } = envelope;
  const batch = { id, receivedAt, appId, appVersion, sampleRate };
  const contexts = new Map();
  const rows = [];
  const ids = [];
  const at = Number(envelope.at);
  const properties = propertiesAsSent(text, events);
  let c = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const [, , , t, implied] = envelope.events[i];
    c = implied?.c ?? c;
    const index = event.session.eventIndex;
    if (!Number.isSafeInteger(index)) counted(index, `events/${i} `, 'eventIndex');
    const eventId = uuid(event.eventId);
    ids.push(eventId);
    // (its time as expandEnvelope made it, the batch's `at` plus its `t`: a time it could write, or it threw)
    rows.push(JSON.stringify(eventRow(event, eventId, id, c, at + t, properties[i])));
    if (!contexts.has(c)) contexts.set(c, { context: c, line: contextLine(event, batch, c) });
  }
  return {
    ...batch,
    sentAt: timeOf(envelope.sentAt, 'sentAt'),
    dropped: envelope.dropped,
    count: events.length,
    ids,
    events: rows.join('\n'),
    contexts: [...contexts.values()],
  };
}
