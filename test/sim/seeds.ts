/**
 * A range of seeds, as `npm test` runs them (test/sim/seeds-*.test.ts, one range per file so that the machine's cores
 * share them): each seed one execution, every invariant checked. A failure is reported with its shortest schedule
 * (shrunk within a bound, so that a failing run stays short) and the flight recorder's log; `--seed` replays it.
 */
import type vm from 'node:vm';
import { stintScript } from './bundle';
import { report, run, shrink } from './run';

export async function runSeeds(
  from: number,
  count: number,
  script: Promise<vm.Script> = stintScript(),
): Promise<{ summary: string; failure: string | null }> {
  const bundle = await script;
  const started = performance.now();
  const failed: number[] = [];
  let first = null;
  let tracked = 0;
  for (let seed = from; seed < from + count; seed++) {
    const outcome = await run(seed, bundle);
    tracked += outcome.stats.tracked;
    if (!outcome.violations.length) continue;
    failed.push(seed);
    first ??= outcome;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = `seeds ${from}..${from + count - 1}: ${count} executions, ${tracked} events tracked, in ${seconds} s; failed: ${failed.join(', ') || 'none'}`;
  return { summary, failure: first && report(await shrink(first, bundle, 40), 150) };
}
