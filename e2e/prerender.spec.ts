/**
 * Prerendered pages (docs/sessions.md, "Prerendered pages"): a page that Speculation Rules load starts no session,
 * stores nothing and sends nothing until it is activated, then starts at the activation's time. Played here by the
 * `document.prerendering` contract in every engine (the page starts with `prerendering` true, then it flips and
 * `prerenderingchange` fires, as https://wicg.github.io/nav-speculation/prerendering.html says); Chromium's real
 * prerender, which Playwright cannot drive (DevTools turn it off), is test/prerender.test.ts.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { call, expect, pageUrl, stintCookies, test } from './fixtures';
import { bothBuilds } from './npm';

/** The page is a prerender until `window.__activate()`, which answers the time just before and after it. */
const prerendered = (page: Page) =>
  page.addInitScript(() => {
    let prerendering = true;
    Object.defineProperty(Document.prototype, 'prerendering', { configurable: true, get: () => prerendering });
    (window as any).__activate = () => {
      const before = Date.now();
      prerendering = false;
      document.dispatchEvent(new Event('prerenderingchange'));
      return [before, Date.now()];
    };
  });

/** Everything Stint could have left on the device. */
const deviceOf = async (page: Page, context: BrowserContext) => ({
  cookies: (await stintCookies(context)).map((c) => c.name),
  ...(await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    localStorage: Object.keys(localStorage),
  }))),
});

bothBuilds(() => {
  test('a prerendered page stores and sends nothing until it is shown; then one session, its page view at the activation', async ({ page, context, build, run, collector }) => {
    await prerendered(page);
    await page.goto(pageUrl(build, run));
    await page.waitForFunction(() => (window as any).__stintLoaded === true);
    // The page had every chance: a page view and an event, flushed (which waits for what is held for storage).
    const calledAt = await page.evaluate(() => Date.now());
    await call(page, 'page');
    const during = await call(page, 'track', 'during');
    await call(page, 'flush');
    await collector.expectNothingSent(context);
    expect(await deviceOf(page, context)).toEqual({ cookies: [], databases: [], localStorage: [] });
    // (a call held has no id yet; no session either)
    expect([during, await call(page, 'getSession')]).toEqual([undefined, null]);

    const [before, after] = await page.evaluate(() => (window as any).__activate());
    expect(before).toBeGreaterThan(calledAt);
    await call(page, 'track', 'after');
    await call(page, 'flush');
    await collector.waitFor(1, (e) => e.name === 'after');
    const events = await collector.events((e) => e.appId === 'e2e');
    expect(events.map((e) => e.name)).toEqual(['session_start', 'application_initialized', 'page_view', 'during', 'after']);
    expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
    expect(events[0].session.sessionIndex).toBe(1);
    // The session, its page view and the event held begin at the activation, not at the calls.
    for (const e of events.slice(0, 4)) {
      expect(Date.parse(e.timestamp), e.name).toBeGreaterThanOrEqual(before);
      expect(Date.parse(e.timestamp), e.name).toBeLessThanOrEqual(after);
    }
    expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
  });
});
