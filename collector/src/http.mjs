/**
 * The collector's HTTP face, for Node's `http`: the native format at `path` (POST, `text/plain`, plain or gzip), the
 * `serverCookie` endpoint at `cookiePath` (stint/collector's own handler), `GET /health`; CORS for the origins given,
 * and a 403 for a batch from another origin.
 */
import { readBody } from './read.mjs';

/** A preflight's answer is kept this long by the browser (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE = '7200';

/**
 * CORS headers for a request from `origin`, an origin given ('*': any, echoed): the native format is a simple request
 * (no preflight, so `sendBeacon` works cross-origin), with Content-Encoding only when gzipped, which then preflights;
 * Retry-After is exposed, since Stint reads it (docs/pipelines.md, "The native format").
 * @param {Set<string>} origins
 * @param {string | undefined} origin
 */
function corsFor(origins, origin) {
  if (!origin || !(origins.has(origin) || origins.has('*'))) return origins.size ? { Vary: 'Origin' } : {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
}

/** Whether `origin` is the one the request was sent to, its Host's (as a proxy that passes the Host on keeps it). */
function sameOrigin(origin, host) {
  try {
    const { protocol, host: its } = new URL(origin);
    return its === new URL(`${protocol}//${host}`).host;
  } catch {
    return false; // (`null`, an opaque origin, is no one's)
  }
}

/**
 * What to do for a POST from an origin not admitted, in one line. A site that proxies the collect path to the
 * collector (nginx, Vite's server.proxy) sends its own origin, and its proxy often the collector's Host: it is a
 * cross-origin request here, and that site's origin must be given too.
 */
function fixFor(origin, path) {
  const given = origin === 'null' ? "--origin '*' (an opaque origin, null, has no name)" : `--origin ${origin}`;
  const proxied = `a site that proxies ${path} here needs its origin given too, or '*' for any`;
  return `start the collector with ${given}; ${proxied}`;
}

/** Origins logged at most: each is logged once, and a sender of made-up origins does not fill the memory or the log. */
const LOGGED_MAX = 100;

/** Ends `res` with `status`, its headers and a reason (the body of a 4xx or 5xx). */
function answer(res, status, headers, reason) {
  if (res.headersSent) return;
  const body = reason ? `${reason}\n` : '';
  res.writeHead(status, body ? { 'Content-Type': 'text/plain; charset=utf-8', ...headers } : headers);
  res.end(body);
}

/**
 * @typedef {object} Routes
 * @property {string} path where batches are posted
 * @property {string} cookiePath the serverCookie endpoint ('' for none)
 * @property {Set<string>} origins taken from and answered with CORS ('*': any); same-origin and no Origin are taken
 * @property {number} limit bytes of a body, read and unzipped
 * @property {(bytes: Buffer, encoding: string | undefined) =>
 *   Promise<{ status: number, headers?: Record<string, string>, reason?: string }>} receive
 * @property {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} cookie
 * @property {() => object} health
 * @property {(line: string) => void} log a line for the operator (stderr)
 */

/**
 * The request handler: `http.createServer(handler)`. Every path it does not serve is a 404.
 * @param {Routes} routes
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createHandler({ path, cookiePath, origins, limit, receive, cookie, health, log }) {
  const logged = new Set();

  /**
   * A POST from an origin not given is refused, 403, before its body is read: a simple request is not stopped by
   * CORS, so the origins are the collector's to check. The refusal is readable by the page (its origin allowed on this
   * answer alone, and on the preflight that comes first), so that Stint can say why its batches are refused.
   */
  function refuse(req, res, origin) {
    if (!logged.has(origin) && logged.size < LOGGED_MAX) {
      logged.add(origin);
      log(`stint-collector: refused a batch from ${origin} (403, nothing stored): ${fixFor(origin, path)}`);
    }
    req.resume();
    const cors = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    answer(res, 403, cors, `the origin ${origin} is not one this collector takes from: ${fixFor(origin, path)}`);
  }

  async function collect(req, res, cors) {
    const { origin } = req.headers;
    const listed = 'Access-Control-Allow-Origin' in cors;
    const admitted = !origin || listed || sameOrigin(origin, req.headers.host);
    if (req.method === 'OPTIONS') {
      // (an origin not admitted is answered too: the POST that follows gets its 403, which the page can then read)
      if (admitted && !listed) return answer(res, 204, cors);
      return answer(res, 204, {
        ...cors,
        'Access-Control-Allow-Origin': origin,
        Vary: 'Origin',
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding',
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      });
    }
    if (req.method !== 'POST') return answer(res, 405, { ...cors, Allow: 'POST, OPTIONS' }, 'POST a batch here');
    if (!admitted) return refuse(req, res, origin);
    let bytes;
    try {
      bytes = await readBody(req, limit);
    } catch (e) {
      // (a body over the limit: the connection closes after the answer)
      return answer(res, e.status, { ...cors, Connection: 'close' }, e.message);
    }
    const { status, headers, reason } = await receive(bytes, req.headers['content-encoding']);
    answer(res, status, { ...cors, ...headers }, reason);
  }

  return async (req, res) => {
    // (the path as sent, its query left out: no URL parsing that a malformed target could make throw)
    const pathname = (req.url || '/').split('?')[0];
    const cors = corsFor(origins, req.headers.origin);
    try {
      if (pathname === path) return await collect(req, res, cors);
      // (same-origin by nature: `serverCookie` is a path of the site, and the cookie is the site's)
      if (cookiePath && pathname === cookiePath) return cookie(req, res);
      if (pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const json = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
        return answer(res, 200, json, JSON.stringify(health()));
      }
      answer(res, 404, cors, 'not found');
    } catch (e) {
      answer(res, 500, cors, `the collector failed: ${e?.message}`);
    }
  };
}
