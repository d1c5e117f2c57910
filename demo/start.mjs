// `npm run demo`: prints the demo's URL at once, then builds Stint (dist/, about 15 s on a 2-core machine) while
// that URL answers with a page that says so and reloads itself; once the build is done, the demo server
// (server.mjs) takes the same port and the page becomes the demo.
//
//   node demo/start.mjs [--port 8787] [--data demo/data]   (stint-collector stores into <data>/stint.duckdb)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const wanted = Number(arg('--port') ?? process.env.PORT ?? 8787);
const started = Date.now();

const WAITING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">
<title>Stint demo: building…</title><link rel="icon" href="data:,"></head>
<body style="font: 16px/1.5 system-ui, sans-serif; margin: 40px; color: #333">
<h1 style="font-size: 20px">Building Stint&hellip;</h1>
<p><code>npm run build</code> is making <code>dist/</code> (about 15 s). This page reloads by itself when the demo is ready.</p>
</body></html>`;

/** Answers every request while the build runs: the page above, or 503 for the API and scripts. */
const waiting = createServer((req, res) => {
  const page = req.method === 'GET' && !/^\/(api|dist|collect)\b/.test(req.url);
  res.writeHead(page ? 200 : 503, { 'Content-Type': page ? 'text/html; charset=utf-8' : 'text/plain', 'Cache-Control': 'no-store', 'Retry-After': '1', Connection: 'close' });
  res.end(page ? WAITING : 'building: try again in a moment');
});
const listen = (port) =>
  new Promise((resolve, reject) => {
    waiting.once('error', reject);
    waiting.listen(port, '127.0.0.1', () => resolve(waiting.address().port));
  });
const port = await listen(wanted).catch((e) => {
  if (e.code !== 'EADDRINUSE') throw e;
  console.log(`port ${wanted} is busy; taking a free one`);
  return listen(0);
});
const url = `http://127.0.0.1:${port}/`;
console.log(`Stint demo: ${url}  (building dist/ first, about 15 s: the page waits, then loads by itself)`);

// The build, quietly: its output is printed only if it fails.
const rollup = spawn(process.execPath, [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
rollup.stdout.on('data', (chunk) => (output += chunk));
rollup.stderr.on('data', (chunk) => (output += chunk));
rollup.on('exit', async (code) => {
  if (code !== 0) {
    process.stderr.write(output);
    console.error(`the build failed (rollup exited with ${code}): the demo cannot start`);
    process.exit(1);
  }
  await new Promise((resolve) => {
    waiting.close(resolve);
    waiting.closeAllConnections();
  });
  const { startServer } = await import('./server.mjs');
  const data = arg('--data') ? normalize(arg('--data')) : join(root, 'demo/data');
  // What the demo receives is also stored by stint-collector, in DuckDB (GET /api/sessions, docs/collect-and-query.md).
  const server = await startServer({ port, dataDir: data, db: join(data, 'stint.duckdb') });
  console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s: the demo is ready at ${server.url}/  (the live session timeline; the raw events: ${server.url}/events.html)`);
});
