// The chaos harness: Stint's script tag in a real Chromium, 2-4 tabs of one site driven by a seeded schedule on the
// real clock, then the simulator's rules checked on what the collector received. Outside `npm test` (a seed takes
// about a minute):
//
//   node scripts/chaos.mjs --seeds 200..215 [--build <dir>] [--ms 30000] [--json <file>] [--verbose]
//
// --build: another build's dist/ (a1ae286's, built in a worktree of its own), served at /dist/ in place of this
// one's; --ms: how long each schedule runs before the drain; --json: every seed's record and result written there.
//
// Each seed: a fresh browser (one profile, one site), the demo server's collector (demo/server.mjs), the chaos page
// (e2e/pages/chaos.html: the tag, and a record in localStorage of what each document tracked and lived). The schedule
// (scripts/chaos/schedule.mjs): tabs opened in front or behind, tracks, a page's own steady trickle, flush() with the
// time it took to resolve, a tab brought to the front, a freeze and its resume (`Page.setWebLifecycleState`), a
// step away and back (the back/forward cache), reloads, closes, new tabs, the collector down (503) or slow, and
// offline spells (`context.setOffline`). Then the drain: faults healed, every tab resumed and flushed, a new tab
// flushed, until every event arrived (bounded). The checks (scripts/chaos/check.mjs): every event tracked is in some
// request and arrives; no eventIndex used twice in a session by events more than 50 ms apart; no event sent twice
// without a fault that explains it; each flush() resolves, and how long it took; the events a page held as it left
// were sent by it; the page's own calls answered. 127.0.0.1 only; every wait bounded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../demo/server.mjs';
import { expandEnvelope } from '../dist/collector.mjs';
import { check } from './chaos/check.mjs';
import { describe, schedule } from './chaos/schedule.mjs';
import { launch, sleep, startTabs, within } from './chaos/site.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const [from, to = from] = arg('--seeds', '200..215').split('..').map(Number);
const build = arg('--build') && resolve(arg('--build'));
const length = Number(arg('--ms', 30_000));
const verbose = process.argv.includes('--verbose');
/** --debug: Stint's flight recorder on, its log kept per document (each time the page hid, froze, left) in --json. */
const debug = process.argv.includes('--debug');

/** What the collector received per seed's run: each request, with the events it carried. */
const received = new Map();

const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-chaos-data-')), dist: build });
const receive = server.collector.receive;
/** The faults now, per run: the collector down until, slow until (and by how much). */
const faults = new Map();
server.collector.receive = (runId, format, text, meta) => {
  // (each document sends to `<run>-<doc>`: chaos.html)
  const [run, doc] = runId.split('-');
  const fault = faults.get(run);
  const now = Date.now();
  if (fault && fault.down > now) {
    const request = { at: now, doc, status: 503, fault: true, mode: meta.mode, events: idsOf(text) };
    received.get(run)?.push(request);
    return [503, {}, '{"error":"chaos: down"}', request];
  }
  const answer = receive(run, format, text, meta);
  const request = answer[3];
  if (fault && fault.slow > now) request.delay = fault.delay;
  received.get(run)?.push(Object.assign(request, { doc, events: idsOf(text) }));
  return answer;
};
const idsOf = (text) => {
  try {
    return expandEnvelope(JSON.parse(text)).map((e) => [
      e.eventId,
      e.session.sessionId,
      e.session.eventIndex,
      Date.parse(e.timestamp),
      e.name,
      // (the document that recorded it: the harness's events name it, and every event's page URL does: chaos.html)
      e.properties?.doc ?? (e.context?.page?.url?.split('#')[1] || undefined),
    ]);
  } catch {
    return [];
  }
};

/** One seed: its schedule played, drained and checked. */
async function play(seed) {
  const plan = schedule(seed, length);
  const run = `chaos${seed}x${Date.now().toString(36)}`;
  received.set(run, []);
  const state = { offline: false, offlineUntil: 0 };
  const fault = { down: 0, slow: 0, delay: 0 };
  faults.set(run, fault);
  const record = { seed, run, notes: [], spells: [] };
  const note = (kind, fields) => (
    record.notes.push(Object.assign(fields, { kind })),
    verbose && console.log(`  ${kind} ${JSON.stringify(fields)}`)
  );
  const config = encodeURIComponent(JSON.stringify(debug ? { debug: true } : {}));
  const url = () => `${server.url}/e2e/chaos.html?run=${run}&cacheable&config=${config}`;
  const site = await launch();
  record.logs = {};
  if (debug) await site.context.exposeBinding('__chaosLog', (_, doc, why, log) => keepLog(record.logs, doc, why, log));
  const began = (record.began = Date.now());
  const tabs = startTabs(site, url, note, state);
  const pending = [];
  // (with --debug, each page's log is asked for every second too: a dump holds the last 200 steps alone)
  const ticks =
    debug &&
    setInterval(() => {
      for (const t of tabs.tabs)
        if (t.doc && !t.closed && !t.frozen)
          within(
            t.page.evaluate(() => window.__told?.('tick')),
            2000,
            'log',
          ).catch(() => {});
    }, 1000);
  try {
    for (const action of plan.actions) {
      const wait = began + action.at - Date.now();
      if (wait > 0) await sleep(wait);
      if (verbose) console.log(describe(action));
      if (action.do === 'open') pending.push(tabs.open(action.behind));
      else if (action.do === 'flush') pending.push(tabs.flush(action.tab));
      else if (action.do === 'collector') {
        const until = Date.now() + action.ms;
        record.spells.push({
          kind: action.mode === 'hang' ? 'slow' : action.mode,
          at: Date.now(),
          until: until + (action.mode === 'down' ? 0 : action.delay),
        });
        if (action.mode === 'down') fault.down = Math.max(fault.down, until);
        else
          Object.assign(fault, {
            slow: Math.max(fault.slow, until),
            delay: Math.max(action.delay, fault.slow > Date.now() ? fault.delay : 0),
          });
      } else if (action.do === 'offline') {
        const until = Date.now() + action.ms;
        record.spells.push({ kind: 'offline', at: Date.now(), until });
        state.offlineUntil = Math.max(state.offlineUntil, until);
        if (!state.offline) {
          state.offline = true;
          await site.context.setOffline(true);
          pending.push(offlineEnd(site, state));
        }
      } else tabs.queue(action.tab, (tab) => tabs.steps[action.do](tab, action));
    }
    record.schedule = Date.now() - began;
    await drain(site, tabs, state, fault, record, run);
  } finally {
    clearInterval(ticks);
    await within(Promise.allSettled(pending), 5000, 'pending').catch(() => {});
    await site.close();
  }
  record.took = Date.now() - began;
  record.requests = received.get(run);
  received.delete(run);
  faults.delete(run);
  return { plan, record, result: check(record) };
}

/**
 * A document's flight recorder log, joined to what it told before: each dump is its last 200 steps, the new ones
 * follow the last five steps already kept (where those are not in it, some were missed: a gap is marked).
 */
function keepLog(logs, doc, why, text) {
  const log = JSON.parse(text || 'null');
  if (!log) return;
  const kept = (logs[doc] ||= { steps: [], start: log.delivery });
  const strings = log.steps.map((step) => JSON.stringify(step));
  const tail = kept.steps.slice(-5).map((step) => JSON.stringify(step));
  let from = 0;
  if (tail.length)
    for (let i = strings.length - 1; i >= tail.length - 1; i--)
      if (tail.every((s, k) => strings[i - tail.length + 1 + k] === s)) {
        from = i + 1;
        break;
      }
  if (tail.length && !from && strings.length) kept.steps.push(['gap']);
  kept.steps.push(...log.steps.slice(from));
  Object.assign(kept, { why, at: Date.now(), now: log.now, sending: log.sending });
}

/** How long the drain waits for every event: past a request the collector held 35 s ('hang'). */
const DRAIN = 45_000;

/** The end of an offline spell (spells that overlap make one). */
async function offlineEnd(site, state) {
  while (Date.now() < state.offlineUntil) await sleep(state.offlineUntil - Date.now());
  state.offline = false;
  await site.context.setOffline(false).catch(() => {});
}

/**
 * The drain: faults healed, every tab resumed, back and flushed; then a new tab in front, whose start reads the outbox,
 * flushed until every event tracked arrived (bounded: DRAIN).
 */
async function drain(site, tabs, state, fault, record, run) {
  Object.assign(fault, { down: 0, slow: 0 });
  state.offlineUntil = 0;
  if (state.offline) await site.context.setOffline(false).catch(() => {});
  state.offline = false;
  const open = tabs.tabs.filter((t) => !t.closed);
  // (each tab's steps first: a step away comes back, a freeze resumes)
  await within(Promise.allSettled(open.map((t) => t.chain)), 70_000, 'steps').catch(() =>
    note(record, 'drain', 'steps'),
  );
  for (const tab of open) await tabs.queue(tab.n, (t) => tabs.resume(t).then(() => tabs.ensure(t)));
  const began = Date.now();
  record.drain = { at: began };
  await Promise.allSettled(open.map((t) => tabs.flush(t.n, 30_000)));
  await tabs.open(false);
  const last = tabs.tabs[tabs.tabs.length - 1];
  const tracked = () => last.page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('chaos:')));
  for (let i = 0; Date.now() - began < DRAIN; i++) {
    await tabs.flush(last.n, 5000);
    const { events } = server.collector.summary(run);
    const arrived = new Set(events.map((e) => e.eventId));
    const all = await within(tracked(), 5000, 'tracked').catch(() => []);
    const ids = all.filter(([k]) => k.startsWith('chaos:t:')).flatMap(([, v]) => JSON.parse(v).map(([id]) => id));
    record.stored = all;
    if (ids.every((id) => arrived.has(id))) break;
    await sleep(500);
  }
  record.drain.ms = Date.now() - began;
  record.arrived = server.collector.summary(run).events.map((e) => e.eventId);
  for (const t of tabs.tabs.filter((t) => !t.closed)) await tabs.cpu(t);
  // (each tab's main-thread time, the closed ones' as they closed)
  record.cpu = tabs.tabs.reduce(
    (sum, t) => ({ task: sum.task + (t.cpu?.task ?? 0), script: sum.script + (t.cpu?.script ?? 0) }),
    { task: 0, script: 0 },
  );
  if (debug)
    for (const t of tabs.tabs.filter((t) => !t.closed))
      await within(
        t.page.evaluate(() => window.__told?.('end')),
        5000,
        'log',
      ).catch(() => {});
}
const note = (record, kind, what) => record.notes.push({ kind, what, at: Date.now() });

// (a Playwright call that lost its page as the schedule closed or navigated it: said, and the run goes on)
process.on('unhandledRejection', (e) => console.error(`  harness: ${String(e?.message ?? e).split('\n')[0]}`));

const results = [];
try {
  for (let seed = from; seed <= to; seed++) {
    const { plan, record, result } = await play(seed);
    results.push({ seed, result, record: arg('--json') ? record : undefined, plan: arg('--json') ? plan : undefined });
    const flushes = record.notes.filter((n) => n.kind === 'flush');
    const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `seed ${seed}: ${result.failures.length ? 'FAIL' : 'clean'} (${plan.tabs} tabs, ${result.tracked} events, ` +
        `${record.requests.length} requests, schedule ${s(record.schedule)}, drain ${s(record.drain.ms)}; ` +
        `flush() max ${s(result.flushMax)} of ${flushes.length}; main thread ${record.cpu.task.toFixed(2)} s)`,
    );
    for (const line of result.failures) console.log(`  ${line}`);
  }
} finally {
  await server.close();
  if (arg('--json')) writeFileSync(arg('--json'), JSON.stringify(results, null, 1));
}
const clean = results.filter((r) => !r.result.failures.length).length;
console.log(`${clean} of ${results.length} seeds clean${build ? ` (build ${build})` : ''}`);
