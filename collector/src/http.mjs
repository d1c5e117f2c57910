/**
 * The collector's HTTP face, for Node's `http`: the native format at `path` (POST, `text/plain`, plain or gzip), the
 * `serverCookie` endpoint at `cookiePath` (stint/collector's own handler), `GET /health`; CORS for the origins given.
 */
import { readBody } from './read.mjs';

/** A preflight's answer is kept this long by the browser (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE = '7200';

/**
 * CORS headers for a request from `origin`: only for the origins given. The native format is a simple request (no
 * preflight, so `sendBeacon` works cross-origin), with Content-Encoding only when gzipped, which then preflights;
 * Retry-After is exposed, since Stint reads it (docs/pipelines.md, "The native format").
 * @param {Set<string>} origins
 * @param {string | undefined} origin
 */
function corsFor(origins, origin) {
  if (!origins.size) return {};
  if (!origin || !origins.has(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
}

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
 * @property {Set<string>} origins answered with CORS
 * @property {number} limit bytes of a body, read and unzipped
 * @property {(bytes: Buffer, encoding: string | undefined) =>
 *   Promise<{ status: number, headers?: Record<string, string>, reason?: string }>} receive
 * @property {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} cookie
 * @property {() => object} health
 */

/**
 * The request handler: `http.createServer(handler)`. Every path it does not serve is a 404.
 * @param {Routes} routes
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createHandler({ path, cookiePath, origins, limit, receive, cookie, health }) {
  async function collect(req, res, cors) {
    if (req.method === 'OPTIONS') {
      const allowed = 'Access-Control-Allow-Origin' in cors;
      const preflight = {
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding',
      };
      return answer(res, 204, allowed ? { ...cors, ...preflight, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE } : cors);
    }
    if (req.method !== 'POST') return answer(res, 405, { ...cors, Allow: 'POST, OPTIONS' }, 'POST a batch here');
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
