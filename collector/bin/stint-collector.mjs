#!/usr/bin/env node
// `npx stint-collector [options]`: the collector on its own server. `npx stint-collector query "<sql>"`: SQL on its
// database file. `--help` says the options.
import { parseArgs } from 'node:util';

const HELP = `stint-collector: takes Stint's native format and stores it in DuckDB.

  npx stint-collector [--port 8788] [--host 127.0.0.1] [--db stint.duckdb] [--origin https://shop.example]...
                     [--ui [host:]port | off]

  --port <n>          the port to listen on (default $PORT, else 8788; 0 for any free one)
  --host <address>    the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --db <file>         the DuckDB file, created when missing (default ./stint.duckdb)
  --origin <origin>   a site origin to take batches from, with CORS, repeatable; '*' for any (default none:
                      same-origin only; a batch from another origin is refused, 403). A site whose proxy
                      sends /collect here with this collector's Host header needs its origin given too
  --path <path>       where Stint posts (default /collect)
  --cookie-path <p>   the serverCookie endpoint (default /stint/id; '' for none)
  --limit <bytes>     a body's size at most, as sent and unzipped (default 1048576: 413 past it)
  --queue <events>    events waiting for the writer at most (default 20000: 503 with Retry-After past it)
  --ui <[host:]port>  the page of your sessions, on a port of its own (default 127.0.0.1 on the collect port + 1;
                      a port alone is on 127.0.0.1; off for none). The collect port serves no stored data.
  -h, --help          this

  npx stint-collector query "<sql>" [--db stint.duckdb]
                      SQL on the database, read-only, printed as a table (stop the collector first: DuckDB lets
                      no other process open a file it writes)

Point Stint at the URL it prints: createTracker({ collector: '<url>', appId: '…' }), or the tag's
stint('init', { collector: '<url>', appId: '…' }). Then: npx stint-collector query "SELECT * FROM sessions".`;

/** Says what is wrong in one line, and exits. */
function fail(message, code = 2) {
  console.error(`stint-collector: ${message}`);
  process.exit(code);
}

let values;
let positionals;
try {
  ({ values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      origin: { type: 'string', multiple: true },
      path: { type: 'string' },
      'cookie-path': { type: 'string' },
      limit: { type: 'string' },
      queue: { type: 'string' },
      ui: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  // (its first sentence: the rest is about positional arguments, which only `query` takes)
  fail(`${e.message.split('. ')[0]} (--help lists the options)`);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

/** A whole number option, or a one-line error. */
const whole = (name, text) => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) fail(`--${name} must be a whole number, not ${text}`);
  return Number(text);
};

const [command, sql, ...extra] = positionals;
if (command === 'query') {
  if (!sql || extra.length) fail('query takes one SQL statement, quoted: query "SELECT * FROM sessions"');
  const { formatTable, queryFile } = await import('../src/query.mjs');
  const rows = await queryFile(values.db || 'stint.duckdb', sql).catch((e) => fail(e.message, 1));
  console.log(formatTable(rows));
  process.exit(0);
}
if (command) fail(`no command ${command} (--help lists them)`);

const origins = values.origin || [];
for (const origin of origins) {
  if (origin === '*' || new URL(origin, 'http://x').origin === origin) continue;
  fail(`--origin ${origin} is not an origin (scheme://host[:port], or '*' for any)`);
}

const { serveUi, uiAddress } = await import('../src/ui.mjs');
let uiAt;
try {
  uiAt = values.ui === undefined ? undefined : uiAddress(values.ui);
} catch (e) {
  fail(e.message);
}

let serveCollector;
try {
  ({ serveCollector } = await import('../src/index.mjs'));
} catch (e) {
  // In a clone of the repository, lib/ (Stint's decoder) is made by the root's build.
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !/lib[\\/]stint\.mjs/.test(e.message)) throw e;
  fail('lib/stint.mjs is missing: run `npm run build` at the repository root first', 1);
}

const port = whole('port', values.port ?? process.env.PORT);
const collector = await serveCollector({
  port,
  host: values.host,
  db: values.db,
  origins,
  path: values.path,
  cookiePath: values['cookie-path'],
  limit: whole('limit', values.limit),
  maxQueue: whole('queue', values.queue),
}).catch((e) => fail(e.code === 'EADDRINUSE' ? `port ${port ?? 8788} is busy (--port)` : e.message, 1));

const where = `${collector.url}${values.path || '/collect'}`;
const named = origins.includes('*') ? 'any origin' : origins.join(', ');
const cors = origins.length ? `CORS for ${named}` : 'same-origin only';
// The page of your sessions, on a port of its own: the data is the site's, not its visitors'.
let ui = null;
if (uiAt !== null) {
  const at = uiAt ?? { port: port === 0 ? 0 : Number(new URL(collector.url).port) + 1 };
  ui = await serveUi(collector.store, at).catch(async (e) => {
    await collector.close();
    fail(e.code === 'EADDRINUSE' ? `port ${at.port} is busy (--ui [host:]port, or --ui off)` : e.message, 1);
  });
}
console.log(`stint-collector: collector: '${where}' (stores into ${values.db || 'stint.duckdb'}; ${cors})`);
if (ui) console.log(`stint-collector: your sessions: ${ui.url}/ (--ui to move it, --ui off for none)`);

/**
 * The stop, on SIGTERM or Ctrl-C (SIGINT): no batch taken from then on, every one taken committed, then a line saying
 * what the run stored. Within 5 s, or it says so and exits 1: what was committed is in DuckDB's log, whatever comes.
 */
const STOP_WITHIN_MS = 4_500; // (and the exit, within 5 s)
let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => {
    const { queued } = collector.store.state();
    fail(`not stopped within 5 s of ${signal}: ${queued} events taken not committed (Stint sends them again)`, 1);
  }, STOP_WITHIN_MS);
  Promise.all([ui?.close(), collector.close()]).then(
    () => {
      const { committed, batches } = collector.store.state();
      const stored = `${committed} events stored, from ${batches} batches, in this run`;
      console.log(`stint-collector: stopped (${signal}): ${stored}`);
      process.exit(0);
    },
    (e) => fail(e.message, 1),
  );
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(signal));
