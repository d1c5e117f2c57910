/**
 * The README's script tags under a strict Content-Security-Policy: Trusted Types
 * (`require-trusted-types-for 'script'`, https://w3c.github.io/trusted-types/dist/spec/), which refuses a plain
 * string where a script's URL goes. The pages are served with the header by demo/server.mjs; their collector
 * is '/collect', which sends to the test's run (the `stint-run` cookie that /e2e/run/<run> sets).
 */
import { baseUrl, call, expect, test } from './fixtures';

for (const [page_, what] of [
  ['trusted-types.html', 'the snippet, through its own policy'],
  ['trusted-types-tag.html', 'the bundle alone, with no policy at all'],
  ['trusted-types-consent.html', "the bundle with data-consent=\"google\" and data-auto-page-views, two parts through one policy stint-part"],
] as const) {
  test(`Trusted Types (require-trusted-types-for 'script'): ${what}`, async ({ page, run, collector }) => {
    await page.goto(`${baseUrl()}/e2e/run/${run}?to=/e2e/${page_}`);
    const [view] = await collector.waitFor(1, (e) => e.name === 'page_view');
    expect(view.context.page.path).toBe(`/e2e/${page_}`);
    expect(view.appId).toBe('shop-web');
    await call(page, 'track', 'under-trusted-types');
    await call(page, 'flush');
    await collector.exactly(1, (e) => e.name === 'under-trusted-types', page);
    expect(await page.evaluate(() => (window as any).__violations), 'no violation of the policy').toEqual([]);
    // And the policy is enforced here: a string where a script's URL goes is refused, as the snippet without its policy would be.
    expect(await page.evaluate(() => {
      try {
        document.createElement('script').src = '/dist/stint.js';
        return 'accepted';
      } catch {
        return 'refused';
      }
    })).toBe('refused');
  });
}
