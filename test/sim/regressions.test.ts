/**
 * Every bug the simulator found, kept (regressions.ts): its schedule breaks the rule with the fix taken back (the
 * mutant, mutants.ts) and keeps it with the fix. A mutant's regression drawn from the default seeds (no `actions`)
 * proves the seeds of `npm test` find it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stintScript } from './bundle';
import { MUTANTS } from './mutants';
import { REGRESSIONS, SIMULATOR_FAULTS } from './regressions';
import { report, run } from './run';

describe('each bug the simulator found: its schedule fails with the fix taken back, and passes with it', () => {
  it('every mutant has a regression, and every regression a mutant', () => {
    expect(REGRESSIONS.map((r) => r.mutant).sort()).toEqual(MUTANTS.map((m) => m.name).sort());
  });

  // (a mutant proven by a unit test is never bundled: without this, its text could drift from the code and name nothing)
  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s: names text that is in its file', (_, m) => {
    for (const { file, find } of [m, ...(m.also ?? [])]) {
      expect(readFileSync(join(__dirname, '../../src', file), 'utf8')).toContain(find);
    }
  });

  it.each(REGRESSIONS.filter((r) => r.unit).map((r) => [r.mutant, r.unit!] as const))('%s: its unit test exists', (_, unit) => {
    const [file, title] = unit.split(/: (.*)/s);
    const text = readFileSync(join(__dirname, '../..', file), 'utf8');
    // (a test of its own, or a case of a table: `it.each(cases)`)
    const openings = [`it('${title}'`, `it("${title}"`, `['${title}',`, `["${title}",`];
    expect(openings.some((opening) => text.includes(opening)), `${file} has it('${title}'`).toBe(true);
  });

  it.each(REGRESSIONS.filter((r) => !r.unit).map((r) => [r.mutant, r] as const))('%s', async (_, r) => {
    const mutant = MUTANTS.find((m) => m.name === r.mutant)!;
    const broken = await run(r.seed, await stintScript(mutant), r.actions, r.scenario);
    expect(broken.violations.map((v) => v.rule), report(broken, 60)).toContain(mutant.rule);
    const fixed = await run(r.seed, await stintScript(), r.actions, r.scenario);
    expect(fixed.violations, report(fixed, 150)).toEqual([]);
  }, 60_000);
});

describe("the long runs' seeds that found a fault of the simulator's own: each passes with the fault fixed", () => {
  it.each(SIMULATOR_FAULTS.map((f) => [f.seed, f.fault] as const))('seed %i: %s', async (seed) => {
    const outcome = await run(seed, await stintScript());
    expect(outcome.violations, report(outcome, 150)).toEqual([]);
  }, 60_000);
});
