/**
 * Every engine plays every spec once, on the script tag build (the default `build`). The two builds differ
 * only in their entry point (src/tag.ts: the command queue and data attributes; src/index.ts: `createTracker`
 * and the separate pipeline and consent entries), so the ESM build plays the tests where that entry matters:
 * importing it, one tracker per page, its own pipeline and consent entries, the framework recipes. Their titles
 * begin with "the ESM build ›". (Tree shaking, the types and server-side rendering are proven in Node:
 * test/treeshake.test.ts, test/ssr.test.ts.)
 */
import { test } from './fixtures';

/** Declares `tests` once more, played on the ESM build (`import { createTracker } from 'stint'`). */
export function esmBuild(tests: () => void): void {
  test.describe('the ESM build', () => {
    test.use({ build: 'esm' });
    tests();
  });
}

/** Declares `tests` on the script tag build, then on the ESM build. */
export function bothBuilds(tests: () => void): void {
  tests();
  esmBuild(tests);
}

/** Declares `tests` on the script tag build only (beside `bothBuilds` in a loop). */
export function tagBuild(tests: () => void): void {
  tests();
}
