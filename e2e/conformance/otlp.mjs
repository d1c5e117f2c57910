// An OpenTelemetry Collector's `otlp` receiver (OTLP/HTTP, logs) in one local server, with the rules of its
// source, read at open-telemetry/opentelemetry-collector 934999fbab274d10cbf18704b4594a6fb2049887 (August 2026),
// and of the OTLP specification (open-telemetry/opentelemetry-proto v1.11.0, docs/specification.md). Every body is
// decoded with the official protobuf definitions (./opentelemetry-proto, loaded by protobufjs). It records what the
// Collector would have taken in, every request it would have refused (with the status it would have answered),
// and what the specification forbids even where the receiver tolerates it. It also serves the e2e pages.
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { serveFile } from '../../demo/server.mjs';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'opentelemetry-proto');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTO, target);
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', { keepCase: true });
const REQUEST = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

// ---------------------------------------------------------------------------------------------------------
// The body: pdata's JSON reading (pdata/internal/json/iterator.go, the generated UnmarshalJSON of each message in
// pdata/internal/generated_proto_*.go, pdata/internal/bytesid.go) and the specification's JSON encoding
// (docs/specification.md "JSON Protobuf Encoding").
// ---------------------------------------------------------------------------------------------------------

/**
 * JSON text as a tree that keeps what JSON.parse loses: every member of an object in order (duplicate keys
 * too) and each number's text (a 64-bit integer does not fit a double). Throws a SyntaxError on bad JSON.
 */
export function parseTree(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const space = () => {
    while (/[ \t\n\r]/.test(text[i] || '')) i++;
  };
  const value = () => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const members = [];
      space();
      if (text[i] === '}') return i++, { kind: 'object', members };
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[i++] !== ':') fail('expected :');
        members.push([key, value()]);
        space();
        if (text[i] === ',') i++;
        else if (text[i++] === '}') return { kind: 'object', members };
        else fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const items = [];
      space();
      if (text[i] === ']') return i++, { kind: 'array', items };
      for (;;) {
        items.push(value());
        space();
        if (text[i] === ',') i++;
        else if (text[i++] === ']') return { kind: 'array', items };
        else fail('expected , or ]');
      }
    }
    if (c === '"') return { kind: 'string', value: string() };
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))?.[0];
    if (!literal) fail('unexpected character');
    i += literal.length;
    if (literal === 'null') return { kind: 'null' };
    if (literal === 'true' || literal === 'false') return { kind: 'bool', value: literal === 'true' };
    return { kind: 'number', text: literal };
  };
  const string = () => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const tree = value();
  space();
  if (i < text.length) fail('text after the value');
  return tree;
}

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const INT_RANGE = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
// pdata/internal/traceid.go, spanid.go: a trace id is 16 bytes, a span id 8 (in JSON, hex of exactly that length).
const ID_BYTES = { trace_id: 16, span_id: 8 };

/**
 * Reads a JSON tree as message `type` the way the Collector's pdata does, and as the specification says.
 * `refuse(path, why)`: what pdata reports as an error (the receiver answers 400); `forbid(path, why)`: what the
 * specification forbids and the receiver tolerates. Returns the message as protobufjs's `fromObject` takes it.
 */
function read(node, type, path, refuse, forbid) {
  // A message is an object; null reads as an empty one (jsoniter's ReadObject).
  if (node.kind === 'null') return {};
  if (node.kind !== 'object') return refuse(path, `${type.name} must be an object`), {};
  const out = {};
  const seen = new Set();
  let oneof = null;
  for (const [key, value] of node.members) {
    const at = `${path}.${key}`;
    // "The keys of JSON objects are field names converted to lowerCamelCase. Original field names are not valid"
    // (pdata's generated code accepts both: `case "timeUnixNano", "time_unix_nano"`).
    const field = type.fieldsArray.find((f) => camel(f.name) === key) || type.fieldsArray.find((f) => f.name === key);
    if (seen.has(field?.name ?? key)) forbid(at, 'a key given twice in one object');
    seen.add(field?.name ?? key);
    if (!field) {
      // pdata: iter.HandleUnknownField (skipped); the specification: receivers MUST ignore it. Either way it is lost.
      forbid(at, `not a field of ${type.name}: the receiver ignores it`);
      continue;
    }
    if (key !== camel(field.name)) forbid(at, `snake_case key: the JSON name is ${camel(field.name)}`);
    if (field.partOf) {
      // AnyValue's `value`: a oneof takes one member (pdata keeps the last one given).
      if (oneof) forbid(at, `a second member of the oneof ${field.partOf.name} (${oneof} already)`);
      oneof = key;
    }
    if (field.repeated) {
      if (value.kind === 'null') continue;
      if (value.kind !== 'array') {
        refuse(at, 'a repeated field must be an array');
        continue;
      }
      out[field.name] = value.items.map((item, n) => scalarOrMessage(item, field, `${at}[${n}]`, refuse, forbid));
    } else out[field.name] = scalarOrMessage(value, field, at, refuse, forbid);
  }
  // common.proto, KeyValueList and the attributes of Resource, InstrumentationScope, LogRecord: "The keys MUST be unique".
  for (const list of ['attributes', 'values']) {
    const keys = (type.fields[list]?.resolvedType?.name === 'KeyValue' ? out[list] || [] : []).map((kv) => kv.key);
    const twice = keys.filter((k, n) => keys.indexOf(k) !== n);
    if (twice.length) forbid(`${path}.${list}`, `attribute keys given twice: ${[...new Set(twice)].join(', ')}`);
  }
  return out;
}

function scalarOrMessage(node, field, at, refuse, forbid) {
  const type = field.resolvedType;
  if (type instanceof protobuf.Type) return read(node, type, at, refuse, forbid);
  if (type instanceof protobuf.Enum) {
    // pdata ReadEnumValue: an integer or a known name; the specification: "enum name strings MUST NOT be used".
    if (node.kind === 'string') {
      if (!(node.value in type.values)) return refuse(at, `unknown enum name ${node.value}`), 0;
      forbid(at, `an enum as its name (${node.value}): OTLP/JSON takes the integer`);
      return type.values[node.value];
    }
    return Number(integer(node, 'int32', at, refuse));
  }
  switch (field.type) {
    case 'string':
      // jsoniter ReadString: a string (null reads as "").
      if (node.kind === 'null') return '';
      if (node.kind !== 'string') return refuse(at, 'must be a string'), '';
      return node.value;
    case 'bool':
      if (node.kind !== 'bool') return refuse(at, 'must be true or false'), false;
      return node.value;
    case 'double':
    case 'float':
      // ReadFloat64: a number, or a string strconv.ParseFloat reads.
      if (node.kind === 'number') return Number(node.text);
      if (node.kind === 'string' && /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i.test(node.value)) return Number(node.value.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
      return refuse(at, 'must be a number'), 0;
    case 'bytes': {
      if (node.kind !== 'string') return refuse(at, 'must be a string'), Buffer.alloc(0);
      const size = ID_BYTES[field.name];
      if (size) {
        // bytesid.go unmarshalJSON: "" is no id; else hex of exactly the id's length ("length mismatch"), hex.Decode.
        if (!node.value) return Buffer.alloc(0);
        if (node.value.length !== size * 2) return refuse(at, `an id of ${size} bytes is ${size * 2} hex digits, not ${node.value.length}`), Buffer.alloc(0);
        if (!/^[0-9a-fA-F]+$/.test(node.value)) return refuse(at, `an id must be hex: ${JSON.stringify(node.value)}`), Buffer.alloc(0);
        return Buffer.from(node.value, 'hex');
      }
      // iterator.go ReadBytes: standard base64.
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(node.value)) return refuse(at, 'must be base64'), Buffer.alloc(0);
      return Buffer.from(node.value, 'base64');
    }
    default:
      return integer(node, field.type, at, refuse);
  }
}

/**
 * iterator.go ReadInt32, ReadUint32, ReadInt64, ReadUint64: a JSON integer (jsoniter refuses a fraction: "can not
 * decode float as int"; an exponent leaves text it cannot read), or a string strconv.ParseInt / ParseUint reads in
 * base 10 (ParseUint takes no sign), within the type's range. As a decimal string, for protobufjs.
 */
function integer(node, type, at, refuse) {
  const unsigned = type.startsWith('u') || type.startsWith('fixed');
  const pattern = node.kind === 'number' ? /^-?\d+$/ : unsigned ? /^\d+$/ : /^[+-]?\d+$/;
  const text = node.kind === 'number' ? node.text : node.kind === 'string' ? node.value : null;
  if (text === null || !pattern.test(text)) return refuse(at, `a ${type} must be an integer (a number or a decimal string), not ${text ?? node.kind}`), '0';
  const n = BigInt(text);
  const [min, max] = INT_RANGE[type];
  if (n < min || n > max) return refuse(at, `out of ${type}'s range: ${text}`), '0';
  return n.toString();
}

/** A decoded AnyValue (common.proto) as a JavaScript value. */
function jsValue(v) {
  if (!v) return null;
  if ('string_value' in v) return v.string_value;
  if ('bool_value' in v) return v.bool_value;
  if ('int_value' in v) return Number(v.int_value);
  if ('double_value' in v) return v.double_value;
  if ('array_value' in v) return (v.array_value.values || []).map(jsValue);
  if ('kvlist_value' in v) return attributesOf(v.kvlist_value.values);
  if ('bytes_value' in v) return Buffer.from(v.bytes_value, 'base64');
  return null;
}
const attributesOf = (list = []) => Object.fromEntries(list.map((kv) => [kv.key, jsValue(kv.value)]));

/**
 * Judges one body of `contentType` as the receiver's /v1/logs handler does (otlphttp.go handleLogs, encoder.go):
 * `refused`: the receiver's errors (it answers 400), `forbidden`: what the specification forbids besides,
 * `request`: the ExportLogsServiceRequest decoded with the official definitions, `records`: its log records with
 * their resource and scope, attributes as objects.
 */
export function judgeLogs(body, contentType = 'application/json') {
  const refused = [];
  const forbidden = [];
  const refuse = (at, why) => refused.push(`${at}: ${why}`);
  const forbid = (at, why) => forbidden.push(`${at}: ${why}`);
  let message;
  if (mediaType(contentType) === 'application/x-protobuf') {
    try {
      message = REQUEST.decode(Buffer.isBuffer(body) ? body : Buffer.from(body));
    } catch (e) {
      refuse('body', `not an ExportLogsServiceRequest: ${e.message}`);
    }
  } else {
    let tree;
    try {
      tree = parseTree(Buffer.isBuffer(body) ? body.toString('utf8') : body);
    } catch (e) {
      // An empty body too: jsoniter reports it (the receiver answers 400).
      refuse('body', `not JSON: ${e.message}`);
    }
    if (tree) {
      const object = read(tree, REQUEST, 'request', refuse, forbid);
      // The same request in the official definitions: made, encoded as protobuf and decoded again.
      message = REQUEST.decode(REQUEST.encode(REQUEST.fromObject(object)).finish());
    }
  }
  if (refused.length || !message) return { refused, forbidden, request: null, records: [] };
  const request = REQUEST.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false, oneofs: false });
  const records = [];
  for (const rl of request.resource_logs || [])
    for (const sl of rl.scope_logs || [])
      for (const r of sl.log_records || [])
        records.push({
          resource: attributesOf(rl.resource?.attributes),
          scope: { name: sl.scope?.name, version: sl.scope?.version },
          timeUnixNano: r.time_unix_nano,
          observedTimeUnixNano: r.observed_time_unix_nano,
          eventName: r.event_name,
          severityNumber: r.severity_number,
          body: jsValue(r.body),
          rawBody: r.body,
          attributes: attributesOf(r.attributes),
          rawAttributes: r.attributes || [],
          traceId: r.trace_id ? Buffer.from(r.trace_id, 'base64').toString('hex') : '',
          spanId: r.span_id ? Buffer.from(r.span_id, 'base64').toString('hex') : '',
        });
  return { refused, forbidden, request, records };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP: Go's ServeMux, confighttp's CORS (rs/cors v1.11.1), otlphttp.go's routes and answers.
// ---------------------------------------------------------------------------------------------------------

/** mime.ParseMediaType's media type (lower case), or '' where it fails. */
const mediaType = (header) => {
  const m = /^\s*([a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+)\s*(?:;.*)?$/i.exec(header || '');
  return m ? m[1].toLowerCase() : '';
};

/** Go's path.Clean, as net/http's ServeMux applies it before matching (an unclean path is a 301 to the clean one). */
function cleanPath(p) {
  const out = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  const cleaned = '/' + out.join('/');
  // ServeMux keeps a trailing slash.
  return p.endsWith('/') && cleaned !== '/' ? cleaned + '/' : cleaned;
}

/**
 * Starts the receiver on 127.0.0.1 (a random port), as an OpenTelemetry Collector configured with
 * `receivers: otlp: protocols: http: { logs_url_path, cors: { allowed_origins, allowed_headers } }`.
 * `record.requests`: every request (method, path, content type, its Origin, whether it carried cookies, bytes,
 * the status answered); `record.accepted`: each request taken in, with its records; `record.refused`: each refused,
 * with its status and why; `record.forbidden`: what the specification forbids in a request taken in.
 */
export async function startOtlpReceiver({ allowedOrigins = [], allowedHeaders = [], logsPath = '/v1/logs' } = {}) {
  const record = { requests: [], accepted: [], refused: [], forbidden: [], preflights: [] };
  // rs/cors New: origins lower-cased, "*" allows all, one "*" inside an origin is a wildcard; with no allowed
  // headers configured, Accept, Content-Type and X-Requested-With; "*" allows any.
  const origins = allowedOrigins.map((o) => o.toLowerCase());
  const anyOrigin = origins.includes('*');
  const headers = allowedHeaders.length ? allowedHeaders.map((h) => h.toLowerCase()) : ['accept', 'content-type', 'x-requested-with'];
  const anyHeader = headers.includes('*');
  const originAllowed = (origin) =>
    anyOrigin ||
    origins.some((o) => {
      const star = o.indexOf('*');
      const lower = origin.toLowerCase();
      return star < 0 ? o === lower : lower.length >= o.length - 1 && lower.startsWith(o.slice(0, star)) && lower.endsWith(o.slice(star + 1));
    });
  // confighttp server.go ToServer: CORS only when cors.allowed_origins is set, with AllowCredentials: true; rs/cors's
  // default methods are GET, POST and HEAD.
  const cors = origins.length > 0;
  const METHODS = ['GET', 'POST', 'HEAD'];

  const handle = async (req, res) => {
    // (the request target as sent: `new URL('//v1/logs', base)` would read a doubled slash as a host)
    const url = new URL('http://127.0.0.1' + req.url);
    const origin = req.headers.origin;
    const out = {};
    if (cors) {
      // rs/cors cors.go Handler: a preflight is OPTIONS with Access-Control-Request-Method, answered 204 whatever
      // it decides (the browser reads the headers); an allowed one gets Access-Control-Allow-*.
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        const method = req.headers['access-control-request-method'];
        const asked = req.headers['access-control-request-headers'];
        // internal/sortedset.go Accepts: each name asked for (lower case, in the browser's sorted order) is allowed.
        const names = asked === undefined ? [] : asked.split(',').map((h) => h.trim()).filter(Boolean);
        const allowed = !!origin && originAllowed(origin) && (method === 'OPTIONS' || METHODS.includes(method)) && (anyHeader || names.every((h) => headers.includes(h.toLowerCase())));
        record.preflights.push({ path: url.pathname, origin, method, headers: names, allowed });
        const answer = { Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
        if (allowed) {
          Object.assign(answer, { 'Access-Control-Allow-Origin': anyOrigin ? '*' : origin, 'Access-Control-Allow-Methods': method, 'Access-Control-Allow-Credentials': 'true' });
          if (asked) answer['Access-Control-Allow-Headers'] = asked;
        }
        return res.writeHead(204, answer).end();
      }
      // handleActualRequest: an allowed origin gets Access-Control-Allow-Origin and -Credentials.
      out.Vary = 'Origin';
      if (origin && originAllowed(origin) && METHODS.includes(req.method)) Object.assign(out, { 'Access-Control-Allow-Origin': anyOrigin ? '*' : origin, 'Access-Control-Allow-Credentials': 'true' });
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const wire = Buffer.concat(chunks);
    const contentType = req.headers['content-type'] ?? null;
    const encoding = req.headers['content-encoding'] ?? null;
    // confighttp compression.go httpContentDecompressor (ToServer wraps every route in it): the body as its
    // Content-Encoding says, gzip, deflate or zlib (and snappy, zstd, which Stint never sends); one that does not
    // decode is a 400 in plain text (defaultErrorHandler); an encoding it does not know passes as it is.
    let body = wire;
    try {
      if (encoding === 'gzip') body = gunzipSync(wire);
      else if (encoding === 'deflate' || encoding === 'zlib') body = inflateSync(wire);
    } catch (e) {
      record.requests.push({ method: req.method, path: url.pathname, contentType, encoding, status: 400 });
      record.refused.push({ method: req.method, path: url.pathname, status: 400, why: `${encoding}: ${e.message}` });
      return res.writeHead(400, { ...out, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${e.message}\n`);
    }
    const seen = { method: req.method, path: url.pathname, contentType, encoding, origin: origin ?? null, cookies: !!req.headers.cookie, authorization: req.headers.authorization ?? null, bytes: body.length, wire: wire.length };
    const answer = (status, type, text, why) => {
      record.requests.push({ ...seen, status });
      if (status >= 400 || status === 301) record.refused.push({ ...seen, status, why, body: body.toString('utf8').slice(0, 300) });
      res.writeHead(status, { ...out, 'Content-Type': type, ...(status === 301 ? { Location: cleanPath(url.pathname) + url.search } : {}) }).end(text);
    };
    // net/http ServeMux: an unclean path (a doubled slash) is redirected, 301, to the clean one (which the browser
    // repeats as a GET); the logs route matches its path exactly (otlp.go startHTTPServer: HandleFunc(LogsURLPath)).
    if (cleanPath(url.pathname) !== url.pathname) return answer(301, 'text/html; charset=utf-8', '', 'an unclean path: Go’s ServeMux redirects it');
    if (url.pathname === logsPath) {
      // otlphttp.go readContentType: POST only (405), application/json or application/x-protobuf (415).
      if (req.method !== 'POST') return answer(405, 'text/plain', '405 method not allowed, supported: [POST]', `method ${req.method}`);
      const type = mediaType(contentType);
      if (type !== 'application/json' && type !== 'application/x-protobuf') {
        return answer(415, 'text/plain', '415 unsupported media type, supported: [application/json, application/x-protobuf]', `Content-Type ${contentType}`);
      }
      const verdict = judgeLogs(body, type);
      // encoder.go unmarshalLogsRequest fails: writeError with 400, a Status in the request's encoding.
      if (verdict.refused.length) return answer(400, type, JSON.stringify({ code: 3, message: verdict.refused.join('; ') }), verdict.refused.join('; '));
      record.accepted.push({ ...seen, ...verdict, body: body.toString('utf8') });
      if (verdict.forbidden.length) record.forbidden.push({ ...seen, why: verdict.forbidden });
      // logs.Receiver.Export: an ExportLogsServiceResponse (its partial_success empty) as JSON.
      return answer(200, type, type === 'application/json' ? '{"partialSuccess":{}}' : '', null);
    }
    // Not a receiver route: the e2e pages (this server stands for the page's origin in the same-origin tests).
    if (req.method === 'GET' || req.method === 'HEAD') return serveFile(res, url);
    answer(404, 'text/plain; charset=utf-8', '404 page not found\n', `no route for ${url.pathname}`);
  };
  // A request the browser gave up on mid-body (its page closed as the test ended) rejects the read of its body: its
  // socket goes, and no rejection reaches the test's worker (seen in CI: "Error: aborted" failing a Tracardi case).
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    record,
    /** Every record taken in, in arrival order. */
    records: () => record.accepted.flatMap((a) => a.records),
    close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
  };
}
