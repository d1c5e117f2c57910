// Tracardi's /track endpoint in one local server, with the rules of its source (read at Tracardi/tracardi
// and Tracardi/tracardi-api main): FastAPI's body parsing and pydantic validation of TrackerPayload, the
// CORS middleware, the event source check and the profile it assigns. It records what Tracardi would
// have stored, and every request it would have refused. It also serves the e2e pages.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { readBody, serveFile } from '../../demo/server.mjs';

const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);
const optionalDict = (v) => v === undefined || v === null || isObject(v);
// pydantic (v2) parses a datetime from an ISO 8601 string or a number.
const isDatetime = (v) => typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));

/**
 * The pydantic errors of a TrackerPayload (tracardi/domain/payload/tracker_payload.py) and its events
 * (tracardi/domain/payload/event_payload.py), as FastAPI reports them: [{loc, msg}].
 */
function payloadErrors(p) {
  const errors = [];
  const err = (loc, msg) => errors.push({ loc: ['body', ...loc], msg });
  if (!isObject(p)) return err([], 'Input should be a valid dictionary or object'), errors;
  // source: Union[EventSource, Entity] (entity.py: Entity.id: str, required)
  if (!isObject(p.source) || typeof p.source.id !== 'string') err(['source', 'id'], 'Field required (a string)');
  // session: Optional[Entity]; profile: Optional[PrimaryEntity] (id: str; primary_id: Optional[str])
  if (p.session != null && (!isObject(p.session) || typeof p.session.id !== 'string')) err(['session', 'id'], 'Input should be a valid string');
  if (p.profile != null && (!isObject(p.profile) || typeof p.profile.id !== 'string')) err(['profile', 'id'], 'Input should be a valid string');
  for (const key of ['context', 'properties', 'request', 'options']) if (!optionalDict(p[key])) err([key], 'Input should be a valid dictionary');
  for (const key of ['profile_less', 'debug']) if (p[key] !== undefined && typeof p[key] !== 'boolean') err([key], 'Input should be a valid boolean');
  if (p.events !== undefined && !Array.isArray(p.events)) err(['events'], 'Input should be a valid list');
  (Array.isArray(p.events) ? p.events : []).forEach((e, i) => {
    const at = ['events', i];
    if (!isObject(e)) return err(at, 'Input should be a valid dictionary or object');
    // EventPayload.type: str, and event_type_can_not_be_empty (stripped)
    if (typeof e.type !== 'string') err([...at, 'type'], 'Field required (a string)');
    else if (!e.type.trim()) err([...at, 'type'], 'Value error, Event type can not be empty');
    if (e.id != null && typeof e.id !== 'string') err([...at, 'id'], 'Input should be a valid string');
    for (const key of ['properties', 'options', 'context']) if (!optionalDict(e[key])) err([...at, key], 'Input should be a valid dictionary');
    if (e.tags != null && !Array.isArray(e.tags)) err([...at, 'tags'], 'Input should be a valid list');
    // time: Optional[Time] (tracardi/domain/time.py: insert, create, update: Optional[datetime])
    if (e.time != null) {
      if (!isObject(e.time)) err([...at, 'time'], 'Input should be a valid dictionary');
      else for (const key of ['insert', 'create', 'update']) if (e.time[key] != null && !isDatetime(e.time[key])) err([...at, 'time', key], 'Input should be a valid datetime');
    }
  });
  return errors;
}

/**
 * Starts Tracardi's API on 127.0.0.1 (a random port). `sources`: the event sources configured (their ids);
 * `record`: every request, the payloads stored (with the profile assigned), and the refusals (status, detail).
 */
export async function startTracardiApi({ sources = [] } = {}) {
  const record = { requests: [], stored: [], refused: [] };
  const profiles = new Set();
  const handle = async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const origin = req.headers.origin;
    // tracardi-api app/main.py: CORSMiddleware(allow_origins=["*"], allow_credentials=True, allow_methods=["*"],
    // allow_headers=["*"]). Starlette echoes the request's Origin (credentials allowed) and the headers asked for.
    const cors = origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } : {};
    if (req.method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      return res
        .writeHead(200, {
          ...cors,
          'Access-Control-Allow-Methods': 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '',
          'Access-Control-Max-Age': '600',
        })
        .end('OK');
    }
    const json = (status, value) => res.writeHead(status, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    // app/api/track/event_server_endpoint.py: @router.post("/track")
    if (url.pathname === '/track' && req.method === 'POST') {
      const body = await readBody(req);
      const contentType = req.headers['content-type'] || null;
      record.requests.push({ contentType, credentials: !!req.headers.cookie, bytes: Buffer.byteLength(body) });
      const refuse = (status, detail) => (record.refused.push({ status, detail, body: body.slice(0, 300) }), json(status, { detail }));
      // FastAPI parses a model body as JSON only when the Content-Type is JSON (application/json, or +json);
      // anything else reaches pydantic as bytes: 422.
      if (!/^application\/(\w+\+)?json\b/i.test(contentType || '')) {
        return refuse(422, [{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from' }]);
      }
      let payload;
      try {
        payload = JSON.parse(body);
      } catch {
        return refuse(422, [{ loc: ['body'], msg: 'JSON decode error' }]);
      }
      const errors = payloadErrors(payload);
      if (errors.length) return refuse(422, errors);
      // _track: an internal source is refused; track_event: an unknown source is UnauthorizedException (401).
      if (payload.source.id.startsWith('@')) return refuse(401, 'Internal event sources are not allowed via API.');
      if (!sources.includes(payload.source.id)) return refuse(401, `Invalid event source \`${payload.source.id}\``);
      // A profile id it never issued is treated as forged and replaced; none: a new profile.
      const asked = payload.profile?.id;
      const profile = asked && profiles.has(asked) ? asked : randomUUID();
      profiles.add(profile);
      record.stored.push({ payload, profile, replaced: !!asked && asked !== profile });
      // tracardi/service/tracking/tracker.py: the answer.
      return json(200, { task: randomUUID(), ux: [], response: {}, events: [], profile: { id: profile }, session: { id: payload.session?.id ?? null }, errors: [], warnings: [] });
    }
    if (req.method === 'GET' || req.method === 'HEAD') return serveFile(res, url);
    json(404, { detail: 'Not Found' });
  };
  // A request the browser gave up on mid-body (its page closed as the test ended) rejects the read of its body: its
  // socket goes, and no rejection reaches the test's worker (seen in CI: "Error: aborted" failing a Tracardi case).
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    record,
    close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
  };
}
