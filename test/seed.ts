/**
 * The seed of a property-based run (fast-check): `STINT_FUZZ_SEED` when set (to replay a run); else, on CI,
 * the fixed `CI_SEED`, so that a red CI replays the same cases; else a new seed at every run, so that runs on
 * a developer's machine try new cases. Change `CI_SEED` on purpose to move CI to other cases. Always printed.
 */
export const CI_SEED = 20261123;

export function fuzzSeed(what: string): number {
  const seed = Number(process.env.STINT_FUZZ_SEED || (process.env.CI ? CI_SEED : Date.now() % 2 ** 31));
  console.log(`${what}: seed ${seed} (STINT_FUZZ_SEED=${seed} replays it)`);
  return seed;
}
