// The collector's benchmark (`npm run bench` runs it after the browser's; alone: `node collector/bench.mjs`): the
// events per second that stint-collector commits, sent as Stint sends them, in batches of 20 events by 100 concurrent
// senders over keep-alive connections (20,000 events a second in batches of 20 is 1,000 requests a second: at 50 to
// 100 ms each, 50 to 100 of them in flight). The collector runs as `npx stint-collector` does, in its own process, on
// a fresh database file; the senders' bodies are made before the clock starts. Every event answered 204 is then
// counted in the database. The figure is for this machine: the senders share its cores with the collector, and so
// does whatever else runs on it (the load average at the start is printed). CPU per event is the steadier figure.
//
//   node collector/bench.mjs [--batches 10000] [--senders 100]
//
// The last line is the numbers as JSON, prefixed with `BENCH_JSON `.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from './src/store.mjs';
import { envelope } from './test/batches.mjs';

const BIN = fileURLToPath(new URL('bin/stint-collector.mjs', import.meta.url));
/** Issue 56's aim on a 2-core machine, with 20-event batches. */
const TARGET_EVENTS_PER_SECOND = 20_000;
const BATCH_EVENTS = 20;

/** Starts `npx stint-collector` on `db`; resolves with its process and the URL its one line names. */
async function startChild(db) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    const url = /(http:\/\/\S+?\/collect)\b/.exec(out)?.[1];
    if (url) return { child, url };
  }
  throw new Error(`stint-collector exited without its line: ${out}`);
}

/** POSTs `body`; resolves with the status (0: the connection failed). */
function post(url, body, agent) {
  return new Promise((resolve) => {
    const headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** CPU seconds a process has used, user and system (Linux: /proc; NaN elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // (utime and stime, in clock ticks of 1/100 s: USER_HZ on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Nearest-rank percentile. */
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];

/** Runs the benchmark; resolves with its figures. */
export async function benchCollector({ batches = 10_000, senders = 100 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stint-collector-bench-'));
  const db = join(dir, 'bench.duckdb');
  const bodies = Array.from({ length: batches }, () => JSON.stringify(envelope({ count: BATCH_EVENTS })));
  const loadBefore = loadavg()[0];
  const { child, url } = await startChild(db);
  const agent = new Agent({ keepAlive: true, maxSockets: senders });
  const statuses = {};
  const latencies = [];
  let next = 0;
  try {
    const serverCpuBefore = cpuSeconds(child.pid);
    const sendersCpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const sent = performance.now();
          const status = await post(url, body, agent);
          latencies.push(performance.now() - sent);
          statuses[status] = (statuses[status] || 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const serverCpu = cpuSeconds(child.pid) - serverCpuBefore;
    const { user, system } = process.cpuUsage(sendersCpuBefore);
    agent.destroy();
    child.kill('SIGTERM');
    await once(child, 'exit');
    const store = await openStore({ file: db });
    const [{ n }] = await store.query('SELECT count(*) AS n FROM events');
    await store.close();
    const answered = (statuses[204] || 0) * BATCH_EVENTS;
    return {
      eventsPerSecond: Math.round(answered / seconds),
      batches,
      batchEvents: BATCH_EVENTS,
      senders,
      seconds: Math.round(seconds * 10) / 10,
      statuses,
      stored: n,
      answered,
      p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      serverCpuUsPerEvent: Number.isNaN(serverCpu) ? null : Math.round((serverCpu * 1e6) / answered),
      sendersCpuUsPerEvent: Math.round((user + system) / answered),
      cores: cpus().length,
      loadAverage: Math.round(loadBefore * 10) / 10,
      target: TARGET_EVENTS_PER_SECOND,
    };
  } finally {
    agent.destroy();
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as the benchmark prints them. */
export function printCollector(r) {
  const pass = r.eventsPerSecond >= r.target && r.stored === r.answered;
  const row = (label, value, comment = '') => console.log(`${label.padEnd(30)}${value.padEnd(26)}${comment}`.trimEnd());
  console.log(`stint-collector (DuckDB, ${r.cores} cores shared with the senders)`);
  row(
    'events committed per second',
    r.eventsPerSecond.toLocaleString('en'),
    `(${r.batches.toLocaleString('en')} batches of ${r.batchEvents}, ${r.senders} senders, ${r.seconds} s)   ` +
      `target >= ${r.target.toLocaleString('en')}  ${pass ? 'PASS' : 'FAIL'}`,
  );
  row('  answered', Object.entries(r.statuses).map(([s, n]) => `${n} x ${s}`).join(', '));
  row('  stored / answered 204', `${r.stored.toLocaleString('en')} / ${r.answered.toLocaleString('en')}`);
  row('  latency p50 / p99', `${r.p50Ms} / ${r.p99Ms} ms`, '(from the POST to its answer: the commit included)');
  row(
    '  CPU per event',
    `${r.serverCpuUsPerEvent ?? '?'} / ${r.sendersCpuUsPerEvent} µs`,
    `(the collector's / the senders', user + system; the load average was ${r.loadAverage} at the start)`,
  );
  return pass;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { batches: { type: 'string' }, senders: { type: 'string' } } });
  const result = await benchCollector({
    batches: Number(values.batches || 10_000),
    senders: Number(values.senders || 100),
  });
  printCollector(result);
  console.log(`BENCH_JSON ${JSON.stringify(result)}`);
}
