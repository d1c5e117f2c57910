// The demo: a Node server on 127.0.0.1 that serves the demo pages (using the real dist/stint.js),
// the e2e test pages, and the collector they send to.
//
//   node demo/server.mjs [--port 8787] [--data demo/data] [--db demo/data/stint.duckdb | --no-db]
//
// POST /collect[/<run>]                                         the collector (Stint's native format); without a run, the
//                                                              one the `stint-run` cookie names (GET /e2e/run/<run>), else default
// GET  /e2e/run/<run>?to=<path>                                 sets that cookie and goes to <path>: a page whose collector is
//                                                              '/collect' (the README's recipes and snippet) sends to <run>
// GET  /api/runs/<run>                                         what a run received (events, duplicates, requests, invalid, fault)
// POST /api/runs/<run>/fault {status, count, retryAfter, delay, location} answer the next `count` requests of a run with an
//                                                              error (after `delay` ms; status 200: answered normally, after `delay`;
//                                                              `location`: a redirect's Location header)
// POST /api/runs/<run>/fault {status, ms, retryAfter}          answer every request of a run with an error for `ms`
// DELETE /api/runs/<run>/fault                                 answer normally again
// POST /api/runs/<run>/browsers {key, browser}                 the demo page's own record: the browser a device id
//                                                              (or `session:<id>`) was seen in (one timeline lane per browser)
// DELETE /api/runs/<run>                                       forget a run
// POST|DELETE /stint/id/<run>                                  the serverCookie endpoint: stint/collector's serverCookieHandler
//                                                              (dist/collector.mjs) sets or expires the session's server copy
// GET  /api/runs/<run>/copies                                  what that endpoint was asked: [{method, status, at}]
// GET  /api/stream?run=<run>                                   Server-Sent Events: what the run received, then each change live
// GET  /api/sessions                                           with --db (npm run demo: demo/data/stint.duckdb): the last
//                                                              100 sessions of stint-collector's `sessions` view, which
//                                                              stores every batch the collector takes (every run's)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector } from './collector.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.css': 'text/css' };

/**
 * URL prefix -> folder. node_modules is served only for the runtime dependency (the ESM build's import map) and the
 * IAB Tech Lab's CMP APIs (the e2e pages' CMPs, e2e/pages/cmp.js and gpp-cmp.js).
 */
const STATIC = [
  ['/dist/', join(root, 'dist')],
  ['/node_modules/idb-keyval/', join(root, 'node_modules/idb-keyval')],
  ['/node_modules/@iabtechlabtcf/', join(root, 'node_modules/@iabtechlabtcf')],
  ['/node_modules/@iabgpp/', join(root, 'node_modules/@iabgpp')],
  ['/e2e/', join(root, 'e2e/pages')],
  // The README's recipes built with the real frameworks (e2e/apps/build.mjs): a single-page app's routes are its index.html.
  ['/apps/', join(root, 'e2e/apps/dist'), 'spa'],
  ['/', join(root, 'demo/public')],
];

const MAX_BODY = 1024 * 1024;
/** Open event streams at most (each demo tab holds one), and how often an idle one gets a comment. */
const MAX_STREAMS = 64;
const HEARTBEAT = 15_000;
/** The requests a new stream is told of (the events: all of them). */
const BACKLOG_REQUESTS = 200;

/** Pages served with a Content-Security-Policy (e2e/csp.spec.ts: Trusted Types). */
const CSP = {
  '/e2e/trusted-types.html': "require-trusted-types-for 'script'; trusted-types stint",
  '/e2e/trusted-types-tag.html': "require-trusted-types-for 'script'; trusted-types 'none'",
  '/e2e/trusted-types-consent.html': "require-trusted-types-for 'script'; trusted-types stint-part",
};

export function serveFile(res, url, dist) {
  // (`dist`: another build's dist/, served in place of this one's: scripts/chaos.mjs --build)
  for (const [prefix, dir, spa] of dist ? [['/dist/', dist], ...STATIC] : STATIC) {
    if (!url.pathname.startsWith(prefix)) continue;
    let file = normalize(join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file.startsWith(dir + sep) && file !== dir) break;
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    // A route of a single-page app (/apps/<app>/<route>) that is no file: the app's page, whose router reads the URL.
    if (spa && !existsSync(file) && !extname(file)) file = join(dir, url.pathname.slice(prefix.length).split('/')[0], 'index.html');
    if (!existsSync(file)) break;
    // The benchmark page is cross-origin isolated, so that performance.now() is precise to 5 µs (scripts/bench.mjs).
    const isolated = url.pathname.startsWith('/e2e/bench')
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {};
    // `?cacheable`: a page the back/forward cache may keep (Firefox keeps no-store pages out of it), for the bfcache tests.
    const cache = url.searchParams.has('cacheable') ? 'no-cache' : 'no-store';
    const csp = CSP[url.pathname] ? { 'Content-Security-Policy': CSP[url.pathname] } : {};
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': cache, ...isolated, ...csp });
    createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
}

export function readBody(req) {
  return readBytes(req).then((bytes) => bytes.toString('utf8'));
}

/**
 * A request's body as it came (`wire`), and as text: a gzip body (`Content-Encoding: gzip`, Stint's
 * `compression: 'gzip'`) unzipped; one that does not unzip is a 400, as an OpenTelemetry Collector answers
 * (config/confighttp/compression.go, httpContentDecompressor).
 */
export async function readRequest(req) {
  const wire = await readBytes(req);
  const encoding = req.headers['content-encoding'] || null;
  if (encoding !== 'gzip') return { text: wire.toString('utf8'), wire: wire.length, encoding };
  try {
    return { text: gunzipSync(wire, { maxOutputLength: MAX_BODY }).toString('utf8'), wire: wire.length, encoding };
  } catch (e) {
    throw Object.assign(new Error(`gzip: ${e.message}`), { status: 400 });
  }
}

function readBytes(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(Object.assign(new Error('body too large'), { status: 413 }));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `GET /api/stream?run=<run>` (text/event-stream): the run's backlog (`stint` events, each with its position
 * in the record as its id, then the last requests and the fault state), `ready`, then every change as it
 * happens: `stint`, `request`, `fault`, `clear`. A client that reconnects (EventSource sends Last-Event-ID)
 * gets only the events it missed. A comment every HEARTBEAT keeps proxies from closing an idle stream.
 */
function stream(req, res, url, collector, streams) {
  const runId = url.searchParams.get('run') || 'default';
  if (!/^[\w-]+$/.test(runId)) return res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad run');
  if (streams.size >= MAX_STREAMS) return res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '5' }).end('too many streams');
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  const send = (type, data, id) => res.write(`${id ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  res.write('retry: 2000\n\n');
  const { events, requests, fault, browsers } = collector.summary(runId);
  const seen = Number(req.headers['last-event-id']);
  // A Last-Event-ID past the record means the run was cleared since: everything again.
  const from = Number.isInteger(seen) && seen > 0 && seen <= events.length ? seen : 0;
  events.slice(from).forEach((event, i) => send('stint', event, from + i + 1));
  for (const request of requests.slice(-BACKLOG_REQUESTS)) send('request', request);
  send('fault', fault);
  for (const [key, browser] of Object.entries(browsers)) send('browser', { key, browser });
  send('ready', { events: events.length });
  const unsubscribe = collector.subscribe(runId, (type, data, id) => send(type === 'event' ? 'stint' : type, data, id));
  const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT);
  streams.add(res);
  const close = () => {
    clearInterval(beat);
    unsubscribe();
    streams.delete(res);
    res.destroy();
  };
  req.on('close', close);
  res.on('error', close);
}

/**
 * stint-collector on `db`, or null (none asked for; or the file is held by another process, which is said).
 * The e2e suite's server has none: its record is the demo collector's own.
 */
async function openStored(db) {
  if (!db) return null;
  try {
    const { startCollector } = await import('../collector/src/index.mjs');
    return await startCollector({ db, cookiePath: '' });
  } catch (e) {
    // (the file held by another demo; or Node 18, where the demo runs and stint-collector, for Node 20, does not)
    console.log(`the demo stores nothing in DuckDB: ${e.message}`);
    return null;
  }
}

/**
 * A batch the demo collector took (`answer`: its [status, headers, body]), stored by stint-collector too when it
 * runs: the page is answered as stint-collector answers when that is not a 204 (a 503: Stint sends it again).
 */
async function alsoStore(stored, text, answer, request) {
  if (!stored || answer[0] !== 200 || request.fault) return answer;
  const { status, headers, reason } = await stored.receive(text);
  return status === 204 ? answer : [status, { ...answer[1], ...headers }, JSON.stringify({ error: reason }), request];
}

/**
 * Starts the server; resolves with its URL, the collector and a close function. `db`: stint-collector's file; `dist`:
 * the folder served at /dist/ (another build's: scripts/chaos.mjs --build), this repository's by default.
 * @param {{ port?: number, host?: string, dataDir?: string, db?: string, dist?: string }} [options]
 */
export async function startServer({ port = 0, host = '127.0.0.1', dataDir = join(root, 'demo/data'), db, dist } = {}) {
  const collector = createCollector(dataDir);
  const stored = await openStored(db);
  const streams = new Set();
  /** What the serverCookie endpoint was asked, per run. */
  const copies = new Map();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || host}`);
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin || '*',
      'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding',
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    };
    try {
      if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
      const visit = url.pathname.match(/^\/e2e\/run\/([\w-]+)$/);
      if (visit && req.method === 'GET') {
        const to = url.searchParams.get('to') || '/';
        if (!to.startsWith('/') || to.startsWith('//')) return res.writeHead(400).end('to: a path');
        return res.writeHead(302, { 'Set-Cookie': `stint-run=${visit[1]}; Path=/; SameSite=Lax`, Location: to, 'Cache-Control': 'no-store' }).end();
      }
      const copy = url.pathname.match(/^\/stint\/id\/([\w-]+)$/);
      if (copy) {
        // (the reference handler of the package, as built: what a site deploys)
        const { serverCookieHandler } = await import('../dist/collector.mjs');
        const asked = { method: req.method, status: 0, at: Date.now() };
        if (!copies.has(copy[1])) copies.set(copy[1], []);
        copies.get(copy[1]).push(asked);
        const writeHead = res.writeHead.bind(res);
        res.writeHead = (status, headers) => ((asked.status = status), writeHead(status, headers));
        return serverCookieHandler()(req, res);
      }
      const collect = url.pathname.match(/^\/collect(?:\/([\w-]+))?\/?$/);
      if (collect && req.method === 'POST') {
        const { text, wire, encoding } = await readRequest(req);
        const named = /(?:^|;\s*)stint-run=([\w-]+)/.exec(req.headers.cookie || '');
        const received = collector.receive(collect[1] || named?.[1] || 'default', 'native', text, {
          contentType: req.headers['content-type'] || null,
          // (which page sent it, and how: a beacon is no-cors; for a test's message about what came twice)
          from: req.headers.referer || null,
          mode: req.headers['sec-fetch-mode'] || null,
          encoding,
          wire,
        });
        const [status, headers, body, request] = await alsoStore(stored, text, received, received[3]);
        if (request.delay) await new Promise((resolve) => setTimeout(resolve, request.delay));
        // Stamped before the answer leaves, so that the page can only have it later.
        request.end = Date.now();
        res.writeHead(status, { ...cors, ...headers, 'Content-Type': 'application/json' }).end(body);
        return;
      }
      if (url.pathname === '/api/stream' && req.method === 'GET') return stream(req, res, url, collector, streams);
      if (url.pathname === '/api/sessions' && req.method === 'GET') {
        const rows = stored ? await stored.store.query('SELECT * FROM sessions ORDER BY started_at DESC LIMIT 100') : null;
        res.writeHead(rows ? 200 : 404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        return res.end(JSON.stringify(rows ?? { error: 'no database: the demo stores in DuckDB with --db (npm run demo does)' }));
      }
      const api = url.pathname.match(/^\/api\/runs\/([\w-]+)(\/fault|\/browsers|\/copies)?$/);
      if (api) {
        const json = (value) => res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(value));
        if (api[2] === '/browsers' && req.method === 'POST') {
          const { key, browser } = JSON.parse((await readBody(req)) || '{}');
          return json(collector.link(api[1], key, browser) ?? null);
        }
        if (api[2] === '/copies') return json(copies.get(api[1]) ?? []);
        if (api[2] === '/fault' && req.method === 'POST') return json(collector.fault(api[1], JSON.parse((await readBody(req)) || '{}')));
        if (api[2] === '/fault' && req.method === 'DELETE') return json(collector.heal(api[1]));
        if (req.method === 'DELETE') return json(collector.clear(api[1]));
        return json(collector.summary(api[1]));
      }
      if (req.method === 'GET' || req.method === 'HEAD') return serveFile(res, url, dist);
      res.writeHead(405).end();
    } catch (e) {
      res.writeHead(e.status || 500, cors).end(String(e.message));
    }
  });
  return new Promise((resolve, reject) => {
    // (a port taken: the caller may try another, on the same database file, which this process must let go of)
    server.once('error', (e) => (stored ? stored.close().then(() => reject(e), reject) : reject(e)));
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({
        url: `http://${host}:${actual}`,
        collector,
        close: () =>
          new Promise((done) => {
            // Event streams never end on their own, and a socket its client let go of can linger for seconds.
            for (const res of streams) res.end();
            server.close(() => (stored ? stored.close().then(done, done) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  if (!existsSync(join(root, 'dist/stint.js'))) {
    console.error('dist/stint.js is missing: run `npm run build` first (npm run demo does both).');
    process.exit(1);
  }
  const dataDir = arg('--data') ? normalize(arg('--data')) : join(root, 'demo/data');
  const db = process.argv.includes('--no-db') ? undefined : arg('--db') || join(dataDir, 'stint.duckdb');
  const options = { dataDir, db };
  const wanted = Number(arg('--port') ?? process.env.PORT ?? 8787);
  // (no top-level await: the e2e suite's CommonJS specs import this module)
  startServer({ ...options, port: wanted })
    .catch((e) => {
      if (e.code !== 'EADDRINUSE') throw e;
      console.log(`port ${wanted} is busy; taking a free one`);
      return startServer({ ...options, port: 0 });
    })
    .then((started) => console.log(`Stint demo running at ${started.url}/  (the live session timeline; the raw events: ${started.url}/events.html)`));
}
