/**
 * One seed, one execution: the schedule drawn from the seed played against a site running Stint's script tag,
 * the invariants checked after every task, then a final drain (the network back, the collector well, every tab shown,
 * a new tab opened, fifteen minutes) and the last checks. `shrink` finds a shorter schedule that still fails.
 */
import type vm from 'node:vm';
import { startChecks, type CarveOut, type Violation } from './check';
import { startLiveness, TASKS, type Liveness } from './liveness';
import type { Tolerance } from './oracle';
import { probeCounts, resetProbes, type ProbeName } from './probes';
import { random } from './random';
import { describeAction, schedule, type Action, type Scenario, type Schedule } from './schedule';
import { startSite, type Site } from './site';

export interface Outcome {
  seed: number;
  schedule: Schedule;
  violations: Violation[];
  excused: Partial<Record<CarveOut | Tolerance, number>>;
  /** the flight recorder: what happened, in order */
  log: string[];
  stats: { tracked: number; arrived: number; duplicates: number; requests: number; tasks: number; pages: number };
  /** the busiest second of one page, by use, and the most tasks one `runUntil` ran (liveness.ts) */
  busiest: Liveness['busiest'] & { tasks: number };
  /** the rare paths this run reached (probes.ts) */
  probes: Partial<Record<ProbeName, number>>;
}

const DRAIN = 15 * 60_000;

/**
 * A promise of a page's realm rejected with nobody to hear it is an error the page sees ("nothing thrown into the page":
 * no rejected promise either), unless the page had crashed (its browser APIs throw from then on). Node reports them
 * once the simulation yields: each run waits for that before it judges.
 */
let rejected: ((reason: unknown, promise: Promise<unknown>) => void) | null = null;
process.on('unhandledRejection', (reason, promise) => rejected?.(reason, promise));
function watchRejections(site: Site) {
  rejected = (reason, promise) => {
    for (const page of site.pages.values()) {
      if (!(promise instanceof page.Promise)) continue;
      if (!page.crashed) site.faults.push(`${page.id}: a promise rejected unheard: ${String((reason as Error)?.stack || reason)}`);
      return;
    }
    site.faults.push(`a promise rejected unheard: ${String((reason as Error)?.stack || reason)}`);
  };
}

function act(site: Site, a: Action) {
  const tab = 'tab' in a ? site.tabs[a.tab] : undefined;
  const { net } = site;
  const toPages = (type: string) => {
    for (const page of site.pages.values())
      if (page.state !== 'gone')
        site.loop.at(0, page, type, () => {
          // (a page that hears the browser go offline knows delivery does not work: shared with the site's pages; one
          // that hears it once the browser is back, having been frozen or cached through the spell, learns nothing:
          // Stint takes it as over, delivery/transport.ts `wentOffline`)
          if (type === 'offline' && !net.onLine) net.learned(page, false);
          page.fire('window', type);
        });
  };
  switch (a.do) {
    case 'open':
      return void site.openTab();
    case 'offline':
      site.log('the network goes down (navigator.onLine false)');
      if (net.onLine) toPages('offline'), net.onLines.push({ at: site.loop.now(), on: false });
      net.up = net.onLine = false;
      return;
    case 'online':
      site.log('the network is back');
      if (!net.onLine) toPages('online'), net.onLines.push({ at: site.loop.now(), on: true });
      net.up = net.onLine = true;
      return;
    case 'lie':
      site.log('the network goes down, navigator.onLine still true');
      net.up = false;
      return;
    case 'collector':
      site.log(`the collector: ${a.mode}`);
      net.mode = a.mode;
      return;
    case 'stall':
      site.log(`IndexedDB stalls for ${a.ms} ms`);
      site.idb.stall(site.loop.now() + a.ms);
      return;
  }
  if (!tab) return;
  // (what the visitor does in a page busy with a long task waits for it: input, a navigation's pagehide, a visibility
  // change run as tasks of the page, https://html.spec.whatwg.org/multipage/webappapis.html#event-loop-processing-model;
  // a crash does not wait)
  const page = tab.history[tab.at]?.page;
  const busy = (page?.busyUntil ?? 0) - site.loop.now();
  if (busy > 0 && a.do !== 'crash') return void site.loop.at(busy, null, `${a.do} after a long task`, () => act(site, a));
  switch (a.do) {
    case 'track':
      return site.track(tab, a.n, a.size);
    case 'steady':
      for (let i = 0; i < a.n; i++) site.loop.at(i * a.every, null, 'steady', () => act(site, { at: 0, do: 'track', tab: a.tab, n: 1 }));
      return;
    case 'view':
      return site.view(tab);
    case 'flush':
      return site.flush(tab);
    case 'consent':
      return site.setConsent(tab, a.state);
    case 'crash':
      return site.crash(tab, a.after);
    default:
      return site[a.do](tab);
  }
}

/** The network back, the collector well, every tab shown and a new one opened; then time passes. */
function drain(site: Site, until: (at: number) => boolean): boolean {
  site.log('-- the final drain');
  act(site, { at: 0, do: 'online' });
  site.net.up = site.net.onLine = true;
  site.net.mode = 'ok';
  for (const tab of site.tabs) if (!tab.closed) (site.resume(tab), site.show(tab));
  // (a page that crashes in the drain, after its last start, leaves what its outbox holds to the next start: one more
  // comes, as the visitor's next visit would. Seed 2309: a restored page wrote the outbox, then crashed)
  for (let round = 0; round < 3; round++) {
    const from = site.loop.now();
    site.openTab();
    if (!until(site.loop.now() + DRAIN)) return false;
    if (![...site.deaths.values()].some((d) => d.at >= from && (d.why === 'crashed' || d.why === 'discarded'))) break;
  }
  return true;
}

export async function run(seed: number, bundle: vm.Script, actions?: Action[], scenario?: Scenario): Promise<Outcome> {
  // (a scenario given without actions: the seed's schedule drawn for that network, as a regression found before the
  // rich network drew its own)
  const drawn = schedule(random(seed).fork('schedule'), scenario && !actions ? !!scenario.rich : undefined);
  const plan: Schedule = { scenario: scenario ?? drawn.scenario, actions: actions ?? drawn.actions };
  const log: string[] = [];
  resetProbes();
  const config = {
    collector: '/collect',
    appId: 'sim',
    foregroundTimeout: 60_000,
    backgroundTimeout: 20_000,
    consent: plan.scenario.consent,
    onDenied: plan.scenario.onDenied,
  };
  const site = startSite({ seed, random: random(seed), bundle, config, log, scenario: plan.scenario });
  const checks = startChecks(site, config, plan.scenario.onDenied === 'anonymous');
  site.loop.afterEach = () => checks.step();
  site.onFlush = (flush) => checks.flushed(flush);
  const liveness = startLiveness(site.loop);
  site.onUse = liveness.use;
  let tasks = 0;
  /** runs the loop to `at`; false once a livelock halted it (the run stops there: what follows would not end) */
  const until = (at: number) => {
    const before = site.loop.count();
    const ran = site.loop.runUntil(at, TASKS);
    tasks = Math.max(tasks, site.loop.count() - before);
    return ran;
  };
  const start = site.loop.now();
  let live = plan.actions.every((a) => {
    if (!until(start + a.at)) return false;
    checks.storage();
    site.log(`> ${describeAction(a).trim()}`);
    act(site, a);
    return true;
  });
  live &&= until(site.loop.now() + 5000) && drain(site, until);
  if (live) {
    checks.storage();
    checks.final();
  } else {
    checks.violations.push({ rule: 'liveness', at: site.loop.now(), detail: site.loop.halted()! });
    site.log(`VIOLATION liveness: ${site.loop.halted()}`);
  }
  watchRejections(site);
  await new Promise((resolve) => setImmediate(resolve));
  rejected = null;
  for (const fault of site.faults) checks.violations.push({ rule: 'the host page comes first', at: 0, detail: fault });
  return {
    seed,
    schedule: plan,
    violations: checks.violations,
    excused: checks.excused,
    log,
    stats: {
      tracked: site.tracked.size,
      arrived: site.net.arrived.size,
      duplicates: [...site.net.duplicates.values()].reduce((n, r) => n + r.length, 0),
      requests: site.net.requests.length,
      tasks: site.loop.count(),
      pages: site.pages.size,
    },
    probes: probeCounts(),
    busiest: { ...liveness.busiest, tasks },
  };
}

/**
 * A shorter schedule that still breaks the same rule (delta debugging over the actions: halves, then quarters, ...
 * then one action at a time), within `budget` runs.
 */
export async function shrink(outcome: Outcome, bundle: vm.Script, budget = 300, rule = outcome.violations[0].rule): Promise<Outcome> {
  let best = outcome;
  let runs = 0;
  const fails = async (actions: Action[]) => {
    runs++;
    const tried = await run(outcome.seed, bundle, actions, outcome.schedule.scenario);
    return tried.violations.some((v) => v.rule === rule) ? tried : null;
  };
  for (let size = Math.ceil(best.schedule.actions.length / 2); size >= 1 && runs < budget; ) {
    let removed = false;
    for (let from = 0; from < best.schedule.actions.length && runs < budget; ) {
      const actions = best.schedule.actions;
      // (the first open stays: a schedule without a tab tells nothing)
      const candidate = actions.filter((_, i) => i === 0 || i < from || i >= from + size);
      const smaller = candidate.length < actions.length ? await fails(candidate) : null;
      if (smaller) {
        best = smaller;
        removed = true;
      } else from += size;
    }
    if (!removed) size = Math.floor(size / 2);
  }
  return best;
}

/** A failing outcome as a report: the rule, the shortest schedule, and the flight recorder's log. */
export function report(outcome: Outcome, tail = 200): string {
  const { seed, schedule: plan, violations } = outcome;
  return [
    `seed ${seed}: ${violations.length} violation(s)`,
    ...violations.slice(0, 5).map((v) => `  ${v.rule}: ${v.detail}`),
    `scenario: ${JSON.stringify(plan.scenario)}`,
    `schedule (${plan.actions.length} actions; replay: npm run simulate -- --seed ${seed} --scenario '${JSON.stringify(plan.scenario)}' --actions '${JSON.stringify(plan.actions)}'):`,
    ...plan.actions.map((a) => '  ' + describeAction(a)),
    `log (last ${Math.min(tail, outcome.log.length)} of ${outcome.log.length} lines):`,
    ...outcome.log.slice(-tail),
  ].join('\n');
}
