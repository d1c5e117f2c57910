#!/usr/bin/env node
// `npx stint-collector [options]`: the collector on its own server; `--help` says the options.
import { parseArgs } from 'node:util';

const HELP = `stint-collector: takes Stint's native format and stores it in DuckDB.

  npx stint-collector [--port 8788] [--host 127.0.0.1] [--db stint.duckdb] [--origin https://shop.example]...

  --port <n>          the port to listen on (default 8788; 0 for any free one)
  --host <address>    the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --db <file>         the DuckDB file, created when missing (default ./stint.duckdb)
  --origin <origin>   a site origin answered with CORS, repeatable (default none: same-origin only)
  --path <path>       where Stint posts (default /collect)
  --cookie-path <p>   the serverCookie endpoint (default /stint/id; '' for none)
  --limit <bytes>     a body's size at most, as sent and unzipped (default 1048576: 413 past it)
  --queue <events>    events waiting for the writer at most (default 20000: 503 with Retry-After past it)
  -h, --help          this

Then point Stint at it: createTracker({ collector: '<url>/collect', appId: '…' }), or the tag's
stint('init', { collector: '<url>/collect', appId: '…' }); query with DuckDB: SELECT * FROM sessions.`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      origin: { type: 'string', multiple: true },
      path: { type: 'string' },
      'cookie-path': { type: 'string' },
      limit: { type: 'string' },
      queue: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`stint-collector: ${e.message} (--help lists the options)`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

/** A whole number option, or a one-line error. */
const whole = (name, text) => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) {
    console.error(`stint-collector: --${name} must be a whole number, not ${text}`);
    process.exit(2);
  }
  return Number(text);
};
const origins = values.origin || [];
for (const origin of origins) {
  if (new URL(origin, 'http://x').origin !== origin) {
    console.error(`stint-collector: --origin ${origin} is not an origin (scheme://host[:port], no path): ${origin}`);
    process.exit(2);
  }
}

let serveCollector;
try {
  ({ serveCollector } = await import('../src/index.mjs'));
} catch (e) {
  // In a clone of the repository, lib/ (Stint's decoder) is made by the root's build.
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !/lib[\\/]stint\.mjs/.test(e.message)) throw e;
  console.error('stint-collector: lib/stint.mjs is missing: run `npm run build` at the repository root first');
  process.exit(1);
}

const collector = await serveCollector({
  port: whole('port', values.port),
  host: values.host,
  db: values.db,
  origins,
  path: values.path,
  cookiePath: values['cookie-path'],
  limit: whole('limit', values.limit),
  maxQueue: whole('queue', values.queue),
}).catch((e) => {
  console.error(`stint-collector: ${e.code === 'EADDRINUSE' ? `port ${values.port ?? 8788} is busy (--port)` : e.message}`);
  process.exit(1);
});

const path = values.path || '/collect';
const cors = origins.length ? `CORS for ${origins.join(', ')}` : 'same-origin only';
console.log(`stint-collector: collector: '${collector.url}${path}' (stores into ${values.db || 'stint.duckdb'}; ${cors})`);

// A graceful stop: the requests under way are answered once their batches are committed, then the database closes.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    collector.close().then(
      () => process.exit(0),
      (e) => {
        console.error(`stint-collector: ${e.message}`);
        process.exit(1);
      },
    );
  });
}
