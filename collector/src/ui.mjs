/**
 * The page of your sessions (`--ui`): the last day's sessions, the top pages, and one session's timeline, drawn by the
 * demo's own timeline (demo/public/timeline.js, copied into lib/ by the build). It reads through the store's own
 * connection, since DuckDB lets no other process open the file the collector writes.
 *
 * The data is the site's, not its visitors': the page has a server of its own, on 127.0.0.1 by default, apart from the
 * collect port (which serves no stored data). It sends no CORS header, so another site's page cannot read its JSON;
 * on a loopback address it answers only requests addressed to a loopback name, so that a site whose name resolves to
 * 127.0.0.1 (DNS rebinding) cannot read it either. Everything the page shows is visitor input (a title, a URL, a
 * referrer): the page writes it as text, never as HTML (ui-page.js).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

/** The window of the list and the top pages: the last day. */
const DAY = 24 * 60 * 60 * 1000;
/** Rows at most: sessions listed, pages ranked, events of one session drawn. */
const MAX_SESSIONS = 500;
const MAX_PAGES = 20;
const MAX_EVENTS = 5000;

/** The host of a URL's text, or null (DuckDB's regexp: no URL parsing that a malformed referrer could make fail). */
const host = (column) => `nullif(regexp_extract(${column}, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1), '')`;

/**
 * Where a session came from, as its first event says: its `utm_source`, else its referrer's host when that is
 * another site's; null for none (a visit typed in, or from a bookmark).
 */
const SOURCE = `arg_min_null(coalesce(nullif(utm_source, ''),
  CASE WHEN ${host('page_referrer')} IS DISTINCT FROM ${host('page_url')} THEN ${host('page_referrer')} END),
  (timestamp, event_index))`;

const SESSION_COLUMNS = `s.session_id::VARCHAR AS session_id, epoch_ms(s.started_at) AS started_at, s.duration_ms,
  s.end_reason, s.events, s.page_views, s.engaged_ms, s.entry_page, s.exit_page, f.source`;

/** The sessions started since `$1` (ms), the newest first. */
const SESSIONS_SQL = `SELECT ${SESSION_COLUMNS}
FROM sessions s JOIN (SELECT session_id, ${SOURCE} AS source FROM events GROUP BY session_id) f USING (session_id)
WHERE s.started_at >= make_timestamptz($1::BIGINT * 1000)
ORDER BY s.started_at DESC, s.session_id LIMIT ${MAX_SESSIONS}`;

/** One session's row, as the list has it. */
const SESSION_SQL = `SELECT ${SESSION_COLUMNS}
FROM sessions s JOIN (SELECT session_id, ${SOURCE} AS source FROM events WHERE session_id = $1::UUID GROUP BY ALL) f
  USING (session_id)`;

/** The pages viewed since `$1` (ms), the most viewed first. */
const PAGES_SQL = `SELECT page_path AS page, count(*) AS views, count(DISTINCT session_id) AS sessions
FROM events WHERE name = 'page_view' AND timestamp >= make_timestamptz($1::BIGINT * 1000)
GROUP BY page_path ORDER BY views DESC, page LIMIT ${MAX_PAGES}`;

/** A session's events, in order. */
const EVENTS_SQL = `SELECT event_id::VARCHAR AS event_id, name, epoch_ms(timestamp) AS at, properties, session_index,
  event_index, device_id::VARCHAR AS device_id, storage_mechanism, visibility, page_url, page_path, page_title,
  browser_name, browser_version, os_name
FROM events WHERE session_id = $1::UUID ORDER BY timestamp, event_index LIMIT ${MAX_EVENTS}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A row of `events` as the whole event the demo's timeline reads (schemas/envelope.json `wholeEvent`, the fields it
 * draws: `buildModel` and its tooltip).
 * @param {Record<string, any>} row
 * @param {string} sessionId
 */
export function wholeEvent(row, sessionId) {
  return {
    eventId: row.event_id,
    name: row.name,
    timestamp: new Date(row.at).toISOString(),
    properties: row.properties === null ? null : JSON.parse(row.properties),
    session: {
      userId: row.device_id,
      sessionId,
      sessionIndex: row.session_index,
      eventIndex: row.event_index,
      storageMechanism: row.storage_mechanism,
    },
    context: {
      visibility: row.visibility,
      page: { url: row.page_url, path: row.page_path, title: row.page_title },
      app: { name: row.browser_name, version: row.browser_version },
      os: { name: row.os_name },
    },
  };
}

/** The page's files: its own, and the demo's timeline. */
const FILES = {
  '/': ['./ui-page.html', 'text/html'],
  '/ui-page.js': ['./ui-page.js', 'text/javascript'],
  '/ui-page.css': ['./ui-page.css', 'text/css'],
  '/timeline.js': ['../lib/timeline.js', 'text/javascript'],
  '/timeline.css': ['../lib/timeline.css', 'text/css'],
};

/**
 * Every answer's headers: nothing cached, nothing but the page's own files run (a script that escaped the page's
 * escaping still would not), never in another site's frame.
 */
const HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The names a request to a loopback address may bear (its Host, without the port). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const isLoopback = (address) => address === 'localhost' || address === '::1' || /^127\./.test(address);

/**
 * The page's routes, on the store: the page, its files, and the JSON it reads.
 * @param {{ query: (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]> }} store
 * @param {{ loopback: boolean }} options `loopback`: the server listens on a loopback address only
 */
export function createUiHandler(store, { loopback }) {
  const send = (res, status, type, body) => {
    res.writeHead(status, { ...HEADERS, 'Content-Type': `${type}; charset=utf-8` });
    res.end(body);
  };
  const json = (res, value) => send(res, 200, 'application/json', JSON.stringify(value));

  async function api(pathname, params, res) {
    const since = Date.now() - DAY;
    if (pathname === '/api/sessions') return json(res, await store.query(SESSIONS_SQL, [since]));
    if (pathname === '/api/pages') return json(res, await store.query(PAGES_SQL, [since]));
    if (pathname !== '/api/session') return send(res, 404, 'text/plain', 'not found\n');
    const id = params.get('id') || '';
    if (!UUID.test(id)) return send(res, 400, 'text/plain', 'id must be a session id (a UUID)\n');
    const [session] = await store.query(SESSION_SQL, [id]);
    if (!session) return send(res, 404, 'text/plain', 'no such session\n');
    const rows = await store.query(EVENTS_SQL, [id]);
    json(res, { session, events: rows.map((row) => wholeEvent(row, session.session_id)) });
  }

  return async (req, res) => {
    const name = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    if (loopback && !LOOPBACK_NAMES.has(name)) {
      return send(res, 403, 'text/plain', 'this page answers on localhost and 127.0.0.1 only\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
    const url = new URL(req.url || '/', 'http://ui');
    try {
      if (url.pathname.startsWith('/api/')) return await api(url.pathname, url.searchParams, res);
      const file = FILES[url.pathname];
      if (!file) return send(res, 404, 'text/plain', 'not found\n');
      send(res, 200, file[1], await readFile(new URL(file[0], import.meta.url)));
    } catch (e) {
      if (!res.headersSent) send(res, 500, 'text/plain', `the page failed: ${e?.message}\n`);
    }
  };
}

/**
 * `--ui [host:]port` read: the address to listen on, null for `off`; a port alone listens on 127.0.0.1. Throws
 * with the reason when it is neither.
 * @param {string} text
 * @returns {{ host: string, port: number } | null}
 */
export function uiAddress(text) {
  if (text === 'off') return null;
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) throw new Error(`--ui takes [host:]port or off, not ${text}`);
  return { host: match[1]?.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(match[2]) };
}

/**
 * The page on its own server. Resolves once it listens.
 * @param {Parameters<typeof createUiHandler>[0]} store
 * @param {{ host?: string, port?: number }} [options] 127.0.0.1 and any free port by default
 */
export async function serveUi(store, { host = '127.0.0.1', port = 0 } = {}) {
  const server = createServer(createUiHandler(store, { loopback: isLoopback(host) }));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    /** Stops at once: a page's reads are cut, which costs nothing (it reads again). */
    close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    },
  };
}
