/**
 * stint-collector: a collector for Stint's native format that runs and stores. `serveCollector` is what
 * `npx stint-collector` runs (an HTTP server); `startCollector` is the same collector without a server of its own, for
 * a Node server that has one (`handle` serves its routes; `receive` takes a body read already); `queryFile` asks a
 * database file, read-only, once the collector that writes it has stopped.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { serverCookieHandler } from '../lib/stint.mjs';
import { createHandler } from './http.mjs';
import { decodeBody, readBatch } from './read.mjs';
import { openStore } from './store.mjs';

// (`npx stint-collector query`'s reading, for a site's own Node code: it needs no DuckDB client of its own)
export { queryFile } from './query.mjs';

export const DEFAULTS = Object.freeze({
  port: 8788,
  host: '127.0.0.1',
  db: 'stint.duckdb',
  path: '/collect',
  cookiePath: '/stint/id',
  /** bytes of a body, as sent and unzipped: far above the 60,000 bytes Stint's requests stay under */
  limit: 1024 * 1024,
  maxQueue: 20_000,
  maxGroup: 5_000,
  log: (line) => console.error(line),
});

/**
 * The answer to a batch read once the collector is stopping: not taken, sent again by Stint after Retry-After (a
 * restart's time, about), and the connection closed, so that a keep-alive sender cannot hold the stop open.
 */
const STOPPING = Object.freeze({
  status: 503,
  headers: Object.freeze({ 'Retry-After': '5', Connection: 'close' }),
  reason: 'the collector is stopping',
});

/**
 * @typedef {object} CollectorOptions
 * @property {string} [db] the DuckDB file, created when missing ('./stint.duckdb'; ':memory:' keeps nothing)
 * @property {string[]} [origins] the origins taken from, answered with CORS ('*': any; none: same-origin only): a batch
 *   from another is refused, 403
 * @property {(line: string) => void} [log] where a line for the operator goes (a refused origin's): stderr
 * @property {string} [path] where Stint posts (`collector` in its config): '/collect'
 * @property {string} [cookiePath] the `serverCookie` endpoint: '/stint/id' ('' for none)
 * @property {{ name?: string, domain?: string, maxAgeDays?: number, secure?: boolean }} [cookie] its cookie's options
 * @property {number} [limit] bytes of a body at most, as sent and unzipped (413 past it): 1 MiB
 * @property {number} [maxQueue] events waiting for the writer at most (503 past it): 20,000
 * @property {number} [maxGroup] events in one transaction at most: 5,000
 */

/**
 * @typedef {object} Answer
 * @property {number} status 204 (committed), 400 (refused: Stint drops the batch), 413 (Stint halves it), 415 (an
 *   encoding Stint never sends), 500 or 503 (Stint sends it again; Retry-After with 503)
 * @property {Record<string, string>} [headers]
 * @property {string} [reason]
 */

/**
 * The collector on its database, without a server.
 * @param {CollectorOptions} [options]
 */
export async function startCollector(options = {}) {
  // (an option given as undefined, as the command line leaves one it was not given, is the default)
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const store = await openStore({ file: o.db, maxQueue: o.maxQueue, maxGroup: o.maxGroup });
  /** Set by `close`: a batch read from then on is not taken, so that a stop ends however busy the senders are. */
  let stopping = false;

  /**
   * Takes a request's body: stored and committed (204), or refused with the reason.
   * @param {Buffer | string} body
   * @param {string} [encoding] its Content-Encoding
   * @returns {Promise<Answer>}
   */
  async function receive(body, encoding) {
    let batch;
    try {
      const text = typeof body === 'string' ? body : await decodeBody(body, encoding, o.limit);
      batch = readBatch(text, { id: randomUUID(), receivedAt: Date.now() });
    } catch (e) {
      if (e?.status) return { status: e.status, reason: e.message };
      throw e;
    }
    if (stopping) return STOPPING;
    const stored = store.write(batch);
    if (!stored) {
      const { retryAfter } = store.state();
      return { status: 503, headers: { 'Retry-After': String(retryAfter) }, reason: 'the writer is behind' };
    }
    try {
      await stored;
      return { status: 204 };
    } catch (e) {
      return { status: 500, reason: `not stored: ${e?.message}` };
    }
  }

  const handle = createHandler({
    path: o.path,
    cookiePath: o.cookiePath,
    origins: new Set(o.origins || []),
    limit: o.limit,
    receive,
    cookie: serverCookieHandler(o.cookie),
    health: () => ({ ok: true, ...store.state() }),
    log: o.log,
  });
  /** Takes no batch from now on, and closes the store once every batch taken is committed. */
  function close() {
    stopping = true;
    return store.close();
  }
  return { handle, receive, store, close };
}

/** How long a stop waits, after the commit, for a request still under way (not taken) before it cuts it. */
const STRAGGLERS_MS = 1000;

/**
 * The collector on its own HTTP server: what `npx stint-collector` runs. Resolves once it listens.
 * @param {CollectorOptions & { port?: number, host?: string }} [options]
 */
export async function serveCollector(options = {}) {
  const { port = DEFAULTS.port, host = DEFAULTS.host, ...rest } = options;
  const collector = await startCollector(rest);
  /** The responses under way, which a stop tells to close their connection. */
  const answering = new Set();
  /** The stop, once begun. */
  let stopping = null;
  const server = createServer((req, res) => {
    answering.add(res);
    if (stopping) res.setHeader('Connection', 'close');
    res.once('close', () => answering.delete(res));
    return collector.handle(req, res);
  });
  // (a page's keepalive requests reuse connections; an idle one is closed before a proxy's 60 s would cut it)
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  }).catch(async (e) => {
    await collector.close();
    throw e;
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  /**
   * No new connection; the idle ones closed at once, each busy one after its answer (a batch read from now on is
   * answered 503, not taken); every batch taken committed, then the database closed. A connection still open a
   * second after the commit holds no batch taken (a body still on its way): it is cut.
   */
  async function stop() {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
    await collector.close();
    const cut = setTimeout(() => server.closeAllConnections(), STRAGGLERS_MS);
    await closed;
    clearTimeout(cut);
  }
  return {
    url: `http://${shown}:${address.port}`,
    ...collector,
    /** Stops taking batches, answers those taken once committed, then closes the database (`stop`). */
    close: () => (stopping ||= stop()),
  };
}
