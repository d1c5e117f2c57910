/**
 * Every engine plays every spec once, on the script tag build (the default `build`). The two builds differ
 * only in their entry point (src/tags/tag.ts: the command queue and data attributes; src/index.ts: `createTracker`
 * and the separate pipeline and consent entries), so the ESM build plays the tests where that entry matters:
 * importing it, one tracker per page, its own pipeline and consent entries, the framework recipes. Their titles
 * begin with "the ESM build ›". (Tree shaking, the types and server-side rendering are proven in Node:
 * test/treeshake.test.ts, test/ssr.test.ts.)
 */
import { test } from './fixtures';

/**
 * What the ESM build's case proves beyond its tag's twin is its entry (the import, the chunks it loads), which is the
 * same code in every engine: it plays in Chromium, unless `everyEngine` (the framework recipes, the first events, a
 * link's chunk), while the tag's twin plays in every engine.
 */
const ENTRY_ONLY =
  "the ESM build's entry is the same code in every engine: its twin on the tag plays in every engine (e2e/npm.ts)";

/** Declares `tests` once more, played on the ESM build (`import { createTracker } from 'stint'`). */
export function esmBuild(tests: () => void, everyEngine = false): void {
  test.describe('the ESM build', () => {
    test.use({ build: 'esm' });
    if (!everyEngine) test.skip(({ browserName }) => browserName !== 'chromium', ENTRY_ONLY);
    tests();
  });
}

/** Declares `tests` on the script tag build, then on the ESM build (see `esmBuild`). */
export function bothBuilds(tests: () => void, everyEngine = false): void {
  tests();
  esmBuild(tests, everyEngine);
}

/** Declares `tests` on the script tag build only (beside `bothBuilds` in a loop). */
export function tagBuild(tests: () => void): void {
  tests();
}
