/**
 * Offline, for real: a page that goes offline keeps its events in the outbox, a page loaded offline sends nothing, and
 * the network back sends each event once. A file of its own for its Chromium flag (below).
 */
import type { BrowserContext } from '@playwright/test';
import { call, expect, openStint, outboxSize, test, waitForStint } from './fixtures';

// Chromium 150 gives a reloaded page a new document host (its RenderDocument feature), which sheds the offline state
// Playwright 1.64 set over CDP: navigator.onLine was true again after the reload (a page of four lines shows it),
// and the test met a page online. With the feature off, a page loaded while offline is offline, as in a browser.
test.use({
  launchOptions: async ({ launchOptions, browserName }, use) =>
    use(browserName === 'chromium' ? { ...launchOptions, args: [...(launchOptions.args ?? []), '--disable-features=RenderDocument'] } : launchOptions),
});

/** Serves every page and script from Node (not the browser's network), so pages load while the browser is offline. */
async function serveFromNode(context: BrowserContext) {
  await context.route(
    (url) => !url.pathname.startsWith('/collect'),
    async (route) => {
      const res = await fetch(route.request().url());
      await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    },
  );
}

test('offline: events tracked, the page reloaded while still offline, the network back: each arrives once', async ({
  page,
  context,
  build,
  run,
  collector,
  browserName,
}) => {
  test.skip(browserName === 'firefox', 'Firefox offline (setOffline over WebDriver BiDi) refuses every navigation, even one served by page.route: NS_ERROR_OFFLINE');
  await serveFromNode(context);
  await openStint(page, build, run);
  await call(page, 'flush');
  await context.setOffline(true);
  for (let i = 0; i < 3; i++) await call(page, 'track', 'offline', { i });
  await expect.poll(() => outboxSize(page, 'offline')).toBe(3); // kept for the next page
  await page.reload();
  await waitForStint(page);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  for (let i = 3; i < 5; i++) await call(page, 'track', 'offline', { i });
  // The outbox holds the earlier three and this page's two; offline, none can have left.
  await expect.poll(() => outboxSize(page, 'offline')).toBe(5);
  expect(await collector.events((e) => e.name === 'offline')).toEqual([]);
  await context.setOffline(false);
  const events = await collector.exactly(5, (e) => e.name === 'offline', page);
  expect(events.map((e) => e.properties.i).sort()).toEqual([0, 1, 2, 3, 4]);
  expect((await collector.summary()).duplicates).toBe(0);
});
