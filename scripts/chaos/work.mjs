// Multi-tab work, timed: the same work in each build, to compare their speed beside the chaos seeds
// (scripts/chaos.mjs).
//
//   node scripts/chaos/work.mjs --builds <dir>,<dir>,... [--rounds 3] [--tabs 3] [--events 300]
//
// Each round, for each build in turn (alternating, on the same machine): a fresh browser, `--tabs` tabs of one site
// (the first in front, the others behind it, hidden), each tracking `--events` events in bursts of 10 every 100 ms,
// all at once; then a flush() in each. Printed per build: the tabs' main-thread time per event (Chromium's
// TaskDuration), each flush()'s time, and how long until the collector had every event. No fault: the work alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../../demo/server.mjs';
import { launch, sleep, startTabs, within } from './site.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const builds = arg('--builds', 'dist')
  .split(',')
  .map((dir) => resolve(dir));
const rounds = Number(arg('--rounds', 3));
const width = Number(arg('--tabs', 3));
const events = Number(arg('--events', 300));

/** One round of the work in `dist`: its numbers. */
async function work(dist) {
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-work-')), dist });
  const run = `work${Date.now().toString(36)}`;
  // (each document sends to `<run>-<doc>`: e2e/pages/chaos.html)
  const receive = server.collector.receive;
  server.collector.receive = (runId, ...rest) => receive(runId.split('-')[0], ...rest);
  const notes = [];
  const site = await launch();
  try {
    const tabs = startTabs(
      site,
      () => `${server.url}/e2e/chaos.html?run=${run}&cacheable`,
      (kind, n) => notes.push({ kind, ...n }),
      { offline: false },
    );
    for (let i = 0; i < width; i++) await tabs.open(i > 0);
    const before = await Promise.all(tabs.tabs.map((t) => tabs.cpu(t).then((c) => c?.task ?? 0)));
    const began = Date.now();
    await Promise.all(
      tabs.tabs.map(async (tab) => {
        for (let sent = 0; sent < events; sent += 10) {
          await within(
            tab.page.evaluate(([name]) => __track(name, 10), [`w${tab.n}`]),
            15_000,
            'track',
          );
          await sleep(100);
        }
      }),
    );
    const flushes = await Promise.all(
      tabs.tabs.map((t) =>
        within(
          t.page.evaluate(() => __flush()),
          60_000,
          'flush',
        ).catch(() => NaN),
      ),
    );
    for (let i = 0; i < 600 && server.collector.summary(run).events.length < width * events; i++) await sleep(100);
    const arrived = Date.now() - began;
    const after = await Promise.all(tabs.tabs.map((t) => tabs.cpu(t).then((c) => c?.task ?? 0)));
    const cpu = after.reduce((sum, t, i) => sum + t - before[i], 0);
    const { events: got, duplicates } = server.collector.summary(run);
    return { perEvent: (cpu * 1000) / (width * events), flushes, arrived, got: got.length, duplicates };
  } finally {
    await site.close();
    await server.close();
  }
}

const results = new Map(builds.map((b) => [b, []]));
for (let round = 1; round <= rounds; round++)
  for (const dist of builds) {
    const r = await work(dist);
    results.get(dist).push(r);
    const flushes = r.flushes.map((ms) => (ms / 1000).toFixed(2)).join(', ');
    console.log(
      `round ${round} ${dist}: ${r.perEvent.toFixed(2)} ms of main thread an event; flush() ${flushes} s; ` +
        `all ${r.got} arrived after ${(r.arrived / 1000).toFixed(1)} s (${r.duplicates} duplicates)`,
    );
  }
const median = (list) => list.slice().sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const [dist, list] of results)
  console.log(
    `${dist}: median ${median(list.map((r) => r.perEvent)).toFixed(2)} ms an event, flush() max median ` +
      `${(median(list.map((r) => Math.max(...r.flushes))) / 1000).toFixed(2)} s, every event after ` +
      `${(median(list.map((r) => r.arrived)) / 1000).toFixed(1)} s`,
  );
