/**
 * Page views that follow a single-page app's routes (`autoPageViews`), driven by small routers that touch
 * `history` the way React Router, Next.js's App Router and Vue Router do (e2e/pages/routers.js), and the
 * page's own values given to `page()`. The collector's record is the truth.
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, consoleOf, expect, inChromium, openStint, test, type Build, type Collector, type StintEvent } from './fixtures';

interface SpaOptions {
  router: 'react' | 'next' | 'vue';
  patch?: 'before' | 'after';
  config?: Record<string, unknown>;
  noframes?: boolean;
}

/** Opens the single-page shop (e2e/pages/spa.html) with its router, and waits for Stint. */
async function openSpa(page: Page, build: Build | 'data', run: string, { router, patch = 'after', config = {}, noframes }: SpaOptions) {
  const query = new URLSearchParams({ build, run, router, patch, config: JSON.stringify(config) });
  if (noframes) query.set('noframes', '');
  await page.goto(`${baseUrl()}/e2e/spa.html?${query}`);
  // Polled by timer: a page with `noframes` never runs requestAnimationFrame callbacks.
  await page.waitForFunction(() => (window as any).__stintLoaded === true, undefined, { polling: 50 });
  await call(page, 'ready');
  return `${baseUrl()}/e2e/spa.html?${query}`;
}

const url = (path: string) => `${baseUrl()}${path}`;
const isView = (e: StintEvent) => e.name === 'page_view';
const pages = (views: StintEvent[]) => views.map((e) => e.context.page as { url: string; path: string; referrer: string | null; title: string | null });

/** The index of the session's last event: it grows when Stint has recorded a page view. */
const eventIndex = (page: Page) => page.evaluate(() => (window as any).stint('getSession')?.eventIndex ?? 0);

/**
 * Changes the route with `action` and waits until the router has rendered it (`title`) and, when `view`,
 * until Stint has recorded a page view: changes made within one frame are one route change (a redirect).
 */
async function route(page: Page, action: () => Promise<unknown>, title?: string, view = true) {
  const before = await eventIndex(page);
  await action();
  if (title) await expect(page).toHaveTitle(title);
  if (view) await page.waitForFunction((n) => (window as any).stint('getSession')?.eventIndex > n, before, { polling: 50 });
}

/** Clicks a route link (the router's <Link>). */
const go = (page: Page, link: string, title?: string, view = true) =>
  route(page, () => page.getByRole('link', { name: link, exact: true }).click(), title, view);

/** Back (popstate): history.back(), since over WebDriver BiDi Firefox's page.goBack() waits for a load that never comes. */
const back = (page: Page, title?: string, view = true) => route(page, () => page.evaluate(() => history.back()), title, view);
/** The router navigates to `to` (a router.push from the app's code). */
const push = (page: Page, to: string) => page.evaluate((u) => (window as any).router.navigate(u === 'here' ? location.href : u), to);

/** Each page view's referrer is the URL of the one before it. */
function expectChain(views: StintEvent[]) {
  const list = pages(views);
  for (let i = 1; i < list.length; i++) expect(list[i].referrer, `page view ${i + 1}`).toBe(list[i - 1].url);
}

test('React Router: one page view per route change, the previous URL as referrer; a hash-only change and the same URL are not one', async ({
  page,
  build,
  run,
  collector,
}) => {
  const start = await openSpa(page, build, run, { router: 'react' });
  await go(page, 'Products', 'Products · Shop');
  await go(page, 'Product 42', 'Product 42 · Shop');
  // A change of the query is a route change.
  await go(page, 'Reviews', 'Product 42 reviews · Shop');
  // A change of the hash alone is not; a push or a replace of the same URL is not.
  await go(page, 'Specs', undefined, false);
  await expect(page).toHaveURL(/#specs$/);
  await push(page, 'here');
  await page.evaluate(() => history.replaceState(history.state, ''));
  await go(page, 'About', 'About · Shop');
  // Back (popstate): to the same-URL entry, its twin, the entry before the hash, and the product page.
  await back(page, 'Product 42 reviews · Shop');
  await back(page, undefined, false);
  await back(page, undefined, false);
  await expect(page).toHaveURL(/\/42\?tab=reviews$/);
  await back(page, 'Product 42 · Shop');

  // The last page view arrived after the hash and same-URL changes: they had every chance to send one.
  const views = await collector.exactly(7, isView, page);
  expect(pages(views).map((p) => [p.url, p.title])).toEqual([
    [start, 'Home · Shop'],
    [url('/e2e/spa/products'), 'Products · Shop'],
    [url('/e2e/spa/products/42'), 'Product 42 · Shop'],
    [url('/e2e/spa/products/42?tab=reviews'), 'Product 42 reviews · Shop'],
    [url('/e2e/spa/about'), 'About · Shop'],
    [url('/e2e/spa/products/42?tab=reviews#specs'), 'Product 42 reviews · Shop'],
    [url('/e2e/spa/products/42'), 'Product 42 · Shop'],
  ]);
  expect(pages(views)[0].referrer).toBeNull();
  expectChain(views);
  expect(pages(views)[1].path).toBe('/e2e/spa/products');
  expect(new Set(views.map((e) => e.session.sessionId)).size).toBe(1);
  await collector.expectValid();
});

test("with 'history+hash', a change of the hash alone is a page view too", async ({ page, build, run, collector }) => {
  await openSpa(page, build, run, { router: 'react', config: { autoPageViews: 'history+hash' } });
  await go(page, 'Reviews', 'Product 42 reviews · Shop');
  await go(page, 'Specs');
  await push(page, 'here');
  // A link to a fragment that no router handles: the browser's own same-document navigation.
  await route(page, () => page.evaluate(() => (location.hash = 'faq')));
  await go(page, 'About', 'About · Shop');
  const views = await collector.exactly(5, isView, page);
  expect(pages(views).map((p) => p.url).slice(1)).toEqual([
    url('/e2e/spa/products/42?tab=reviews'),
    url('/e2e/spa/products/42?tab=reviews#specs'),
    url('/e2e/spa/products/42?tab=reviews#faq'),
    url('/e2e/spa/about'),
  ]);
  expectChain(views);
});

for (const patch of ['before', 'after'] as const) {
  test(`Next.js App Router, history patched ${patch} Stint loaded: the title its metadata sets in a later task`, async ({
    page,
    build,
    run,
    collector,
  }) => {
    await openSpa(page, build, run, { router: 'next', patch });
    await go(page, 'Products', 'Products · Shop');
    await go(page, 'Product 42', 'Product 42 · Shop');
    // router.push to the page it is on: Next.js pushes the same URL.
    await push(page, 'here');
    await back(page, undefined, false);
    await back(page, 'Products · Shop');
    await expect(page).toHaveURL(url('/e2e/spa/products'));
    const views = await collector.exactly(4, isView, page);
    expect(pages(views).map((p) => [p.path, p.title])).toEqual([
      ['/e2e/spa.html', 'Home · Shop'],
      ['/e2e/spa/products', 'Products · Shop'],
      ['/e2e/spa/products/42', 'Product 42 · Shop'],
      ['/e2e/spa/products', 'Products · Shop'],
    ]);
    expectChain(views);
    // Next's own patch ran for every change and its state is in the entries: Stint broke nothing of it.
    const next = await page.evaluate(() => ({ calls: (window as any).__next.calls, na: history.state?.__NA }));
    expect(next).toEqual({ calls: 4, na: true });
  });
}

test('Vue Router: its replaceState calls with state objects are no page view, and its state survives', async ({
  page,
  build,
  run,
  collector,
}) => {
  await openSpa(page, build, run, { router: 'vue' });
  await go(page, 'Products', 'Products · Shop');
  await go(page, 'Product 42', 'Product 42 · Shop');
  await back(page, 'Products · Shop');
  const views = await collector.exactly(4, isView, page);
  expect(pages(views).map((p) => p.path)).toEqual(['/e2e/spa.html', '/e2e/spa/products', '/e2e/spa/products/42', '/e2e/spa/products']);
  expectChain(views);
  // What Vue Router reads back on popstate is what it wrote.
  const state = await page.evaluate(() => history.state);
  const first = new URL(pages(views)[0].url);
  expect(state).toMatchObject({ back: first.pathname + first.search, current: '/e2e/spa/products', forward: '/e2e/spa/products/42' });
  expect(state.scroll).toEqual({ left: 0, top: 0 });
});

test('a page that gets no animation frames (hidden) still reports the route change, after a bounded wait', async ({
  page,
  build,
  run,
  collector,
}) => {
  await openSpa(page, build, run, { router: 'vue', noframes: true });
  await go(page, 'Products', 'Products · Shop');
  const views = await collector.waitFor(2, isView);
  expect(pages(views)[1]).toMatchObject({ path: '/e2e/spa/products', title: 'Products · Shop' });
});

for (const patch of ['before', 'after'] as const) {
  inChromium("what shutdown() gives back of history's functions is Stint's own logic, the same in every engine: the patch made after Stint loaded plays in every engine", () => {
    test(`shutdown() stops route page views and leaves the router's patch (made ${patch} Stint loaded) working`, async ({
      page,
      build,
      run,
      collector,
    }) => {
      await openSpa(page, build, run, { router: 'next', patch });
      await go(page, 'Products', 'Products · Shop');
      await collector.waitFor(2, isView);
      await call(page, 'shutdown');
      const after = await page.evaluate(() => {
        const native = (f: unknown) => /\[native code\]/.test(Function.prototype.toString.call(f));
        return {
          // The functions the page calls: Next's own again (patched before), or Next's wrapping Stint's (after).
          next: history.pushState === (window as any).__next.pushState && history.replaceState === (window as any).__next.replaceState,
          prototype: native(History.prototype.pushState) && native(History.prototype.replaceState),
        };
      });
      expect(after).toEqual({ next: true, prototype: true });
      await go(page, 'Product 42', 'Product 42 · Shop', false);
      await back(page, 'Products · Shop', false);
      expect(await page.evaluate(() => [(window as any).__next.calls, history.state?.__NA])).toEqual([3, true]);
      // Stint is off: its record ends with the two page views it made before shutdown (had it recorded the routes
      // since, a flush would send them: the record is read once the browser had every chance to deliver).
      await call(page, 'flush');
      await collector.proveSent(page.context());
      expect(pages(await collector.events(isView)).map((p) => p.path)).toEqual(['/e2e/spa.html', '/e2e/spa/products']);
    });
  }, patch === 'after');
}

/**
 * A route change made while the routes' watch is held back (`watch`: the URL of the tag's part or of the npm build's
 * chunk): no page view until it loads, then one, from the URL the page had when Stint started. Returns the page.
 */
async function routeWhileHeld(page: Page, run: string, collector: Collector, build: 'tag' | 'esm', watch: string) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(watch, async (route) => {
    await held;
    await route.continue();
  });
  const start = `${baseUrl()}/e2e/spa.html?${new URLSearchParams({ build, run, router: 'react', patch: 'before', config: '{}' })}`;
  // (the held part holds the load event back: wait for the document only)
  await page.goto(start, { waitUntil: 'domcontentloaded' });
  if (build === 'tag') await page.waitForFunction(() => (window as any).stint?._loaded === true, undefined, { polling: 50 });
  else await page.waitForFunction(() => (window as any).__stintLoaded === true, undefined, { polling: 50 });
  await call(page, 'ready');
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await expect(page).toHaveTitle('Products · Shop');
  await call(page, 'flush');
  await collector.exactly(1, isView, page);
  release();
  const views = await collector.waitFor(2, isView);
  expect(pages(views)[1]).toMatchObject({ path: '/e2e/spa/products', referrer: start, title: 'Products · Shop' });
}

test("the tag loads the routes' watch beside it: a route change made before it has loaded is a page view once it has", async ({ page, run, collector }) => {
  await routeWhileHeld(page, run, collector, 'tag', '**/dist/stint.history.js');
  await go(page, 'Product 42', 'Product 42 · Shop');
  expectChain(await collector.exactly(3, isView, page));
});

test("an npm app loads the routes' watch as a chunk of its own: a route change made before it has loaded is a page view once it has", async ({ page, run, collector }) => {
  await routeWhileHeld(page, run, collector, 'esm', '**/dist/chunks/history-*.mjs');
});

test("an npm app whose routes' chunk does not load (a deploy that dropped it): one console error naming the field", async ({ page: other, run }) => {
  const seen = consoleOf(other);
  await other.route('**/dist/chunks/history-*.mjs', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await other.goto(`${baseUrl()}/e2e/spa.html?${new URLSearchParams({ build: 'esm', run, router: 'react', patch: 'before', config: '{}' })}`);
  await other.waitForFunction(() => (window as any).__stintLoaded === true, undefined, { polling: 50 });
  const said = () => seen.errors.filter((e) => e.startsWith('[stint]'));
  await expect.poll(said).toHaveLength(1);
  expect(said()[0]).toMatch(/^\[stint\] config.autoPageViews \(.*\) \(#11:/);
});

test("a routes' watch that does not load: one console error, and route changes are no page views", async ({ page, run, collector }) => {
  const seen = consoleOf(page);
  await page.route('**/dist/stint.history.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(`${baseUrl()}/e2e/spa.html?${new URLSearchParams({ build: 'tag', run, router: 'react', patch: 'before', config: '{}' })}`);
  // (the engine logs the failed request too, in its own words)
  const said = () => seen.errors.filter((e) => e.startsWith('[stint]'));
  const once = [`[stint] config.autoPageViews ${new URL('/dist/stint.history.js', page.url())} (#11: debug: true or node_modules/stint/docs/messages.md#11)`];
  await expect.poll(said).toEqual(once);
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await expect(page).toHaveTitle('Products · Shop');
  await call(page, 'track', 'after-route');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'after-route');
  await collector.proveSent(page.context());
  expect(pages(await collector.events(isView)).map((p) => p.path)).toEqual(['/e2e/spa.html']);
  expect(said()).toEqual(once);
});

test('data-auto-page-views="history" on the tag', async ({ page, build, run, collector }) => {
  test.skip(build === 'esm', 'data attributes belong to the script tag');
  await openSpa(page, 'data', run, { router: 'react' });
  await go(page, 'Products', 'Products · Shop');
  const views = await collector.exactly(2, isView, page);
  expect(pages(views).map((p) => p.path)).toEqual(['/e2e/spa.html', '/e2e/spa/products']);
  expectChain(views);
});

test("page(properties, { title, url, referrer }): the page's own values, kept by the events that follow", async ({
  page,
  build,
  run,
  collector,
}) => {
  const seen = consoleOf(page);
  await openStint(page, build, run);
  await call(page, 'page', { step: 1 }, { title: 'Checkout', url: '/shop/checkout?utm_source=mail', referrer: 'https://news.example/' });
  await call(page, 'track', 'paid');
  // A value of the wrong type: one warning, and the page view is read from the page as usual.
  await call(page, 'page', { step: 2 }, { title: 42 });
  await call(page, 'page', { step: 3 }, { url: 'http://[' });
  await call(page, 'track', 'marker');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'marker');
  const [own, paid, second, third] = await collector.events((e) => e.name === 'page_view' || e.name === 'paid');
  expect(own.context.page).toEqual({ url: url('/shop/checkout?utm_source=mail'), path: '/shop/checkout', referrer: 'https://news.example/', title: 'Checkout', viewId: expect.any(String) });
  expect(paid.context.page).toEqual(own.context.page);
  expect(second.properties).toEqual({ step: 2 });
  expect(second.context.page).toMatchObject({ path: '/e2e/app.html', title: 'Stint e2e' });
  // The previous page view's URL is the referrer of the next.
  expect(second.context.page.referrer).toBe(url('/shop/checkout?utm_source=mail'));
  expect(third.context.page.path).toBe('/e2e/app.html');
  expect(seen.warnings.filter((w) => w === '[stint] page (#23: debug: true or node_modules/stint/docs/messages.md#23)')).toHaveLength(2);
  await collector.expectValid();
});
