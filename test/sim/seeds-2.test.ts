/** Seeds 1001..2000 of the simulator (seeds.ts): every interleaving they draw keeps every invariant. */
import { expect, it } from 'vitest';
import { runSeeds } from './seeds';

it('seeds 1001..2000: every event arrives or is excused by docs/delivery.md, and nothing else breaks', async () => {
  const { summary, failure } = await runSeeds(1001, 1000);
  console.log(summary);
  expect(failure, failure ?? '').toBeNull();
}, 240_000);
