/**
 * Seeds of the simulator against the tag as it ships, dist/stint.js minified by the build (issue 64): the source the
 * other seeds run is not what a site loads, and a minifier that changed a decision would pass them.
 */
import { expect, it } from 'vitest';
import { shippedScript } from './bundle';
import { runSeeds } from './seeds';

it('seeds 1..200 against dist/stint.js: every invariant holds in the shipped tag too', async () => {
  const { summary, failure } = await runSeeds(1, 200, shippedScript());
  console.log(summary);
  expect(failure, failure ?? '').toBeNull();
}, 240_000);
