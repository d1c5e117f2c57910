// A Snowplow pipeline in one local server: the rules of snowplow/stream-collector (routes, CORS, cookies)
// and of snowplow/enrich (the tracker protocol adapter, Iglu validation, atomic fields), each taken from
// their source (cited below; read at stream-collector 3.4.0, enrich 6.10.0). It records what a real
// pipeline would have made of each request: good events, and bad rows with their reason. The same server
// also serves the e2e pages, so that a test can send to it from its own origin or from another.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBody, serveFile } from '../../demo/server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The Iglu registry the pipeline resolves schemas from: Snowplow's own (as on Iglu Central) and Stint's
 * (schemas/iglu, published as the README says). A schema it cannot resolve is a bad row.
 */
const REGISTRY = {
  'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4': 'snowplow/payload_data-1-0-4.json',
  'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0': 'snowplow/contexts-1-0-0.json',
  'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1': 'snowplow/contexts-1-0-1.json',
  'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0': 'snowplow/unstruct_event-1-0-0.json',
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-0': 'snowplow/client_session-1-0-0.json',
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1': 'snowplow/client_session-1-0-1.json',
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2': 'snowplow/client_session-1-0-2.json',
  'iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0': 'snowplow/web_page-1-0-0.json',
  // iglu-central schemas/com.snowplowanalytics.snowplow/application/jsonschema/1-0-0 (commit 2fc43f5c), as it is there
  'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0': 'snowplow/application-1-0-0.json',
  'iglu:dev.stint/event/jsonschema/1-0-0': 'iglu/dev.stint/event/jsonschema/1-0-0',
  'iglu:dev.stint/context/jsonschema/1-0-0': 'iglu/dev.stint/context/jsonschema/1-0-0',
  'iglu:dev.stint/context/jsonschema/1-0-1': 'iglu/dev.stint/context/jsonschema/1-0-1',
  'iglu:dev.stint/context/jsonschema/1-0-2': 'iglu/dev.stint/context/jsonschema/1-0-2',
};
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map();
/** The validator of an Iglu URI, or null where the registry does not have it. */
function schemaOf(uri) {
  if (!REGISTRY[uri]) return null;
  if (!validators.has(uri)) {
    const json = JSON.parse(readFileSync(join(root, 'schemas', REGISTRY[uri]), 'utf8'));
    delete json.$schema; // Iglu's self-describing meta-schema; the rest is draft 4
    delete json.self;
    validators.set(uri, ajv.compile(json));
  }
  return validators.get(uri);
}

/** Validates self-describing data against its schema, as Iglu's client does; the errors, or []. */
function igluErrors(sd, where) {
  if (!sd || typeof sd !== 'object' || typeof sd.schema !== 'string' || !('data' in sd)) return [`${where}: not self-describing JSON`];
  const validate = schemaOf(sd.schema);
  if (!validate) return [`${where}: schema ${sd.schema} not found in the Iglu registry (ResolutionError)`];
  return validate(sd.data) ? [] : validate.errors.map((e) => `${where} ${sd.schema}${e.instancePath} ${e.message}`);
}

// enrich modules/common/.../adapters/registry/snowplow/Tp2Adapter.scala: ContentTypes.list (the collector
// lowercases the request's Content-Type before: stream-collector core/.../Routes.scala, cookieRoutes).
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8'];
// enrich modules/common/.../enrichments/MiscEnrichments.scala: extractPlatform.
const PLATFORMS = ['web', 'iot', 'app', 'mob', 'pc', 'cnsl', 'tv', 'srv', 'headset'];
// enrich modules/common/.../enrichments/EventEnrichments.scala: extractEventType.
const EVENT_TYPES = ['se', 'ev', 'ad', 'tr', 'ti', 'pv', 'pp', 'ue'];
// The lengths of Snowplow's atomic schema (iglu:com.snowplowanalytics.snowplow/atomic/jsonschema/1-0-0), which
// enrich enforces (modules/common/.../enrichments/AtomicFieldsLengthValidator.scala): past one, a bad row.
const ATOMIC = { aid: 255, p: 255, eid: 36, tna: 128, tv: 100, uid: 255, duid: 128, sid: 128, url: 4096, page: 2000, refr: 4096, lang: 255, tz: 255, cd: 12 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The errors enrich would find in one event's parameters (its transforms and validations). */
function eventErrors(p, i) {
  const errors = [];
  const at = `event ${i}`;
  // enrich modules/common/.../adapters/registry/snowplow/Tp2Adapter.scala: toParameter, every value a string.
  for (const [key, value] of Object.entries(p)) if (typeof value !== 'string') errors.push(`${at} ${key}: value is not a string`);
  if (!EVENT_TYPES.includes(p.e)) errors.push(`${at} e: not a valid event type`);
  if (!PLATFORMS.includes(p.p)) errors.push(`${at} p: not a valid platform`);
  // enrich modules/common/.../enrichments/Transform.scala: eid and sid validateUuid, vid an integer, timestamps.
  for (const key of ['eid', 'sid']) if (p[key] !== undefined && !UUID.test(p[key])) errors.push(`${at} ${key}: not a valid UUID`);
  if (p.vid !== undefined && !/^-?\d+$/.test(p.vid)) errors.push(`${at} vid: not an integer`);
  for (const key of ['dtm', 'stm', 'ttm']) if (p[key] !== undefined && !/^\d{1,13}$/.test(p[key])) errors.push(`${at} ${key}: not a timestamp in ms`);
  if (p.res !== undefined && !/^\d+x\d+$/.test(p.res)) errors.push(`${at} res: not view dimensions`);
  for (const [key, max] of Object.entries(ATOMIC)) if (typeof p[key] === 'string' && p[key].length > max) errors.push(`${at} ${key}: longer than ${max} (atomic schema)`);
  // enrich modules/common/.../utils/IgluUtils.scala: contexts (co) and the unstructured event (ue_pr).
  let contexts = [];
  if (p.co !== undefined) {
    try {
      const co = JSON.parse(p.co);
      errors.push(...igluErrors(co, `${at} co`));
      contexts = Array.isArray(co.data) ? co.data : [];
      contexts.forEach((entity, n) => errors.push(...igluErrors(entity, `${at} co/${n}`)));
    } catch {
      errors.push(`${at} co: not JSON`);
    }
  }
  let unstruct = null;
  if (p.e === 'ue') {
    try {
      const ue = JSON.parse(p.ue_pr);
      errors.push(...igluErrors(ue, `${at} ue_pr`));
      unstruct = ue?.data;
      errors.push(...igluErrors(unstruct, `${at} ue_pr/data`));
    } catch {
      errors.push(`${at} ue_pr: missing or not JSON`);
    }
  }
  return { errors, contexts, unstruct };
}

/**
 * Starts the pipeline on 127.0.0.1 (a random port); `paths`: the collector's custom paths (its `paths`
 * setting: stream-collector Service.scala determinePath). `record`: every request (with its cookie and
 * headers), the good events (the tracker protocol's fields, the collector's network user id, the
 * contexts and the unstructured event), and the bad rows, each with its reason.
 */
export async function startSnowplowPipeline({ paths = {} } = {}) {
  const record = { requests: [], good: [], bad: [] };
  const handle = async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const origin = req.headers.origin;
    // stream-collector core/.../Service.scala: accessControlAllowOriginHeader (the request's Origin, else
    // *) and Access-Control-Allow-Credentials on every answer; preflightResponse for OPTIONS, on any path.
    const cors = { 'Access-Control-Allow-Origin': origin || '*', 'Access-Control-Allow-Credentials': 'true' };
    if (req.method === 'OPTIONS') {
      return res.writeHead(200, { ...cors, 'Access-Control-Allow-Headers': 'Content-Type, SP-Anonymous', 'Access-Control-Max-Age': '3600' }).end();
    }
    const segments = url.pathname.split('/').filter(Boolean);
    // stream-collector core/.../Routes.scala: cookieRoutes, POST -> Root / vendor / version (two segments, no more).
    if (req.method === 'POST') {
      if (segments.length !== 2) return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      const body = await readBody(req);
      const spAnonymous = req.headers['sp-anonymous'] !== undefined;
      const cookie = /(?:^|;\s*)sp=([^;]+)/.exec(req.headers.cookie || '')?.[1];
      // Service.scala networkUserId: the nil UUID when anonymous, else the sp cookie, else a new one.
      const nuid = spAnonymous ? '00000000-0000-0000-0000-000000000000' : cookie || randomUUID();
      const headers = { ...cors, 'Content-Type': 'text/plain' };
      // Service.scala cookieHeader (reference.conf: sp, 365 days, Secure, HttpOnly, SameSite=None); with
      // SP-Anonymous, none (and a cookie that came is expired).
      if (!spAnonymous) headers['Set-Cookie'] = `sp=${nuid}; Max-Age=31536000; Path=/; SameSite=None; Secure; HttpOnly`;
      else if (cookie) headers['Set-Cookie'] = 'sp=; Max-Age=0; Path=/; SameSite=None; Secure; HttpOnly';
      const contentType = req.headers['content-type']?.toLowerCase() ?? null;
      record.requests.push({ path: url.pathname, contentType, cookie: cookie ?? null, spAnonymous, bytes: Buffer.byteLength(body) });
      enrich({ path: paths[url.pathname] || url.pathname, contentType, body, nuid, spAnonymous });
      return res.writeHead(200, headers).end('ok');
    }
    if (req.method === 'GET' || req.method === 'HEAD') return serveFile(res, url);
    res.writeHead(405).end();
  };
  // A request the browser gave up on mid-body (its page closed as the test ended) rejects the read of its body: its
  // socket goes, and no rejection reaches the test's worker (seen in CI: "Error: aborted" failing a Tracardi case).
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));

  /** What enrich makes of a collector payload: good events, or bad rows. */
  function enrich({ path, contentType, body, nuid, spAnonymous }) {
    const bad = (reason) => record.bad.push({ path, reason, body: body.slice(0, 300) });
    // enrich modules/common/.../adapters/AdapterRegistry.scala: only the tracker protocol's vendor and version here.
    if (path !== '/com.snowplowanalytics.snowplow/tp2') return bad(`no adapter for ${path} (a custom collector path must be mapped to /com.snowplowanalytics.snowplow/tp2)`);
    if (!CONTENT_TYPES.includes(contentType)) return bad(`contentType ${contentType}: expected one of ${CONTENT_TYPES.join(', ')}`);
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      return bad('body is not JSON');
    }
    // Tp2Adapter PayloadDataSchema: payload_data 1-0-*, validated by Iglu.
    if (!/^iglu:com\.snowplowanalytics\.snowplow\/payload_data\/jsonschema\/1-0-\d+$/.test(json?.schema)) return bad(`schema ${json?.schema} is not payload_data 1-0-*`);
    const errors = igluErrors(json, 'payload_data');
    if (errors.length) return bad(errors.join('; '));
    json.data.forEach((p, i) => {
      const found = eventErrors(p, i);
      if (found.errors.length) return bad(found.errors.join('; '));
      record.good.push({ ...p, network_userid: nuid, spAnonymous, contexts: found.contexts, unstruct: found.unstruct });
    });
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    record,
    close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
  };
}
