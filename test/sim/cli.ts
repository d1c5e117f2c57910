/**
 * `npm run simulate -- --seeds N [--from S] [--shrink]`: runs seeds S..S+N-1 and reports each failure with its shortest
 * schedule and the flight recorder's log; `--seed S` replays one (with `--actions '<json>'`, a shrunk schedule), its
 * whole log printed; `--mutant <name> [--from S] [--seeds N] [--shrink]` counts the seeds that find a mutant.
 */
import { stintScript } from './bundle';
import { MUTANTS } from './mutants';
import { PROBES, type ProbeName } from './probes';
import { report, run, shrink } from './run';
import type { Action } from './schedule';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<number> {
  const name = option(args, 'mutant');
  const mutant = name ? MUTANTS.find((m) => m.name === name) : undefined;
  if (name && !mutant) throw new Error(`no mutant "${name}": ${MUTANTS.map((m) => m.name).join(', ')}`);
  const bundle = await stintScript(mutant);
  const one = option(args, 'seed');
  if (mutant && one === undefined)
    return hunt(mutant, bundle, Number(option(args, 'from') ?? 1), Number(option(args, 'seeds') ?? 3000), args.includes('--shrink'));
  // (with `--mutant`, the one seed runs against that mutant)
  if (one !== undefined) {
    const actions = option(args, 'actions');
    const scenario = option(args, 'scenario');
    let outcome = await run(Number(one), bundle, actions ? (JSON.parse(actions) as Action[]) : undefined, scenario ? JSON.parse(scenario) : undefined);
    if (outcome.violations.length && args.includes('--shrink')) outcome = await shrink(outcome, bundle);
    console.log(report(outcome, Infinity));
    console.log(JSON.stringify({ stats: outcome.stats, excused: outcome.excused }));
    return outcome.violations.length ? 1 : 0;
  }
  const count = Number(option(args, 'seeds') ?? 2000);
  const from = Number(option(args, 'from') ?? 1);
  const started = performance.now();
  const rules = new Map<string, number[]>();
  const excused: Record<string, number> = {};
  const reached: Partial<Record<ProbeName, number>> = {};
  /** the busiest of each use over the seeds (liveness.ts), and its seed */
  const busiest: Record<string, [n: number, seed: number]> = {};
  let tracked = 0;
  let duplicates = 0;
  for (let seed = from; seed < from + count; seed++) {
    const outcome = await run(seed, bundle);
    tracked += outcome.stats.tracked;
    duplicates += outcome.stats.duplicates;
    for (const [why, n] of Object.entries(outcome.excused)) excused[why] = (excused[why] || 0) + n!;
    for (const [name, n] of Object.entries(outcome.probes) as [ProbeName, number][]) reached[name] = (reached[name] || 0) + n;
    for (const [use, n] of Object.entries(outcome.busiest)) if (n > (busiest[use]?.[0] ?? -1)) busiest[use] = [n, seed];
    for (const rule of new Set(outcome.violations.map((v) => v.rule))) rules.set(rule, [...(rules.get(rule) || []), seed]);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const failed = new Set([...rules.values()].flat());
  console.log(`${count} seeds (${from}..${from + count - 1}) in ${seconds} s: ${failed.size} failed; ${tracked} events tracked, ${duplicates} duplicates`);
  console.log(`carve-outs applied: ${JSON.stringify(excused)}`);
  console.log(`probes reached: ${JSON.stringify(reached)}`);
  const never = (Object.keys(PROBES) as ProbeName[]).filter((name) => !reached[name]);
  if (never.length) console.log(`probes no seed reached: ${never.join('; ')}`);
  const uses = Object.entries(busiest).map(([use, [n, seed]]) => `${use} ${n} (seed ${seed})`);
  console.log(`busiest (one page's second; tasks: one runUntil): ${uses.join(', ')}`);
  for (const [rule, seeds] of rules) console.log(`  ${rule}: ${seeds.length} seeds (${seeds.slice(0, 12).join(', ')}${seeds.length > 12 ? ', …' : ''})`);
  if (args.includes('--shrink'))
    for (const seeds of rules.values()) {
      const outcome = await run(seeds[0], bundle);
      console.log('\n' + report(await shrink(outcome, bundle), 150));
    }
  return failed.size ? 1 : 0;
}

/** Runs seeds until one breaks the mutant's rule: how many it took, and that seed's shortest schedule. */
async function hunt(mutant: (typeof MUTANTS)[number], bundle: Awaited<ReturnType<typeof stintScript>>, from: number, count: number, small: boolean) {
  for (let seed = from; seed < from + count; seed++) {
    const outcome = await run(seed, bundle);
    if (!outcome.violations.some((v) => v.rule === mutant.rule)) continue;
    console.log(`mutant "${mutant.name}": found by seed ${seed} (${seed - from + 1} seeds), "${mutant.rule}"`);
    if (small) {
      const shortest = await shrink(outcome, bundle, 300, mutant.rule);
      console.log(JSON.stringify({ seed, scenario: shortest.schedule.scenario, actions: shortest.schedule.actions }));
      console.log(report(shortest, 60));
    }
    return 0;
  }
  console.log(`mutant "${mutant.name}": not found in ${count} seeds`);
  return 1;
}
