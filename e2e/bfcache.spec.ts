/**
 * The back/forward cache, for real (Playwright turns it off in Chromium; it is turned back on here): a page
 * with Stint is restored whenever the same page without Stint is, and Stint resumes there; the next page of
 * the tab after a cached navigation starts, sends and flushes (WebKit left IndexedDB transactions of a cached
 * page pending, and the next page waited behind them). WebKit plays the same test bodies (e2e/webkit/).
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, expect, inTrackedOrder, pageUrl, startStint, test, waitForStint, type Build } from './fixtures';

test.use({
  launchOptions: async ({ launchOptions, browserName }, use) =>
    use(browserName === 'chromium' ? { ...launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] } : launchOptions),
});

/** The page's own account of a round trip: restored from the cache, or loaded anew (and why not restored, where the engine says). */
interface Trip {
  restored: boolean;
  /** PerformanceNavigationTiming.notRestoredReasons of the page loaded anew (Chromium), as JSON */
  reasons: string | null;
}

/** Leaves the page by a link, comes back with history.back(), and asks the page what happened. */
async function roundTrip(page: Page): Promise<Trip> {
  await page.evaluate(() => {
    (window as any).__before = true;
    addEventListener('pageshow', (e) => ((window as any).__persisted = e.persisted));
  });
  await page.click('#away');
  await page.waitForURL(/other\.html/);
  // Not page.goBack(): over WebDriver BiDi it waits for a load event that a restored page never fires.
  await page.evaluate(() => void setTimeout(() => history.back()));
  await page.waitForFunction(() => location.pathname === '/e2e/app.html' && document.readyState === 'complete');
  // Restored: the same window, whose pageshow said so. Loaded anew: a fresh window.
  await page.waitForFunction(() => !(window as any).__before || (window as any).__persisted !== undefined);
  return page.evaluate(() => {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown };
    return { restored: (window as any).__persisted === true, reasons: entry.notRestoredReasons ? JSON.stringify(entry.notRestoredReasons) : null };
  });
}

/** The e2e page, served so that the back/forward cache may keep it. */
const cacheable = (build: Build | 'none', run: string, config = {}) =>
  build === 'none' ? `${baseUrl()}/e2e/app.html?build=none&cacheable` : pageUrl(build, run, config, '&cacheable');

test('a page with Stint is restored from the back/forward cache like the same page without it, and Stint resumes', async ({
  page,
  build,
  run,
  collector,
}) => {
  await page.goto(cacheable('none', run));
  const control = await roundTrip(page);
  expect(control, 'the page without Stint is restored: this browser caches it').toEqual({ restored: true, reasons: null });

  await page.goto(cacheable(build, run));
  await waitForStint(page);
  await call(page, 'page');
  await call(page, 'flush');
  const trip = await roundTrip(page);
  expect(trip, 'the page with Stint is restored too').toEqual({ restored: true, reasons: null });
  // Back in the foreground, a fresh page view, in the same session; no exit (the page never left), and no trip to
  // the background reported either way (a navigation in the tab is none).
  await call(page, 'track', 'after-restore');
  await call(page, 'flush');
  const events = await collector.exactly(1, (e) => e.name === 'after-restore', page);
  const names = inTrackedOrder(await collector.events((e) => !e.name.startsWith('marker-'))).map((e) => e.name);
  expect(names).toEqual(['session_start', 'application_initialized', 'page_view', 'page_view', 'after-restore']);
  expect(new Set((await collector.events()).map((e) => e.session.sessionId))).toEqual(new Set([events[0].session.sessionId]));
});

test('a page whose send is in flight when the navigation starts is restored too', async ({ page, build, run, collector }) => {
  await page.goto(cacheable(build, run));
  await waitForStint(page);
  // (delivery known to work first: a request in flight as its page leaves before any answer is sent again, by design,
  // docs/delivery.md "Page hidden or closed")
  await call(page, 'flush');
  // The collector takes 3 s to answer: the send (and whatever Stint holds for it) is in flight as the visitor leaves.
  await collector.fault(200, 1, undefined, 3000);
  await call(page, 'track', 'in-flight');
  void call(page, 'flush').catch(() => {});
  await expect.poll(async () => (await collector.summary()).requests.some((r) => !r.end)).toBe(true);
  const trip = await roundTrip(page);
  expect(trip).toEqual({ restored: true, reasons: null });
  await call(page, 'flush');
  await collector.exactly(1, (e) => e.name === 'in-flight', page);
  expect((await collector.summary()).duplicates).toBe(0);
});

test('the next page of the tab after a cached navigation starts, sends and flushes', async ({ page, build, run, collector }) => {
  await page.goto(cacheable(build, run));
  await waitForStint(page);
  await page.evaluate(() => {
    for (let i = 0; i < 20; i++) (window as any).stint('track', 'burst', { i });
    location.href += '&next';
  });
  await page.waitForURL(/&next/);
  await waitForStint(page);
  await call(page, 'track', 'next-page');
  await call(page, 'flush');
  await collector.exactly(20, (e) => e.name === 'burst', page);
  await collector.exactly(1, (e) => e.name === 'next-page', page);
  // The first page went into the cache (background, not exit), and the next one is the same tab and session.
  expect(await collector.events((e) => e.name === 'application_exit')).toEqual([]);
  expect(new Set((await collector.events()).map((e) => e.session.sessionId)).size).toBe(1);
  await collector.exactly(1, (e) => e.name === 'application_initialized', page);
});

/** Why Chromium does not play a restore with the session in IndexedDB (see the test below). */
const EVICTS = "Chromium evicts a cached page whose pagehide's IndexedDB write meets the restored page's";

/** Stint on a page just loaded: with cookies `blocked`, started once they are (the page was opened with &noinit). */
async function startedOn(page: Page, build: Build, blocked: boolean) {
  if (!blocked) return void (await waitForStint(page));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  await page.evaluate(() => Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} }));
  await startStint(page, build);
  await call(page, 'ready');
}

/**
 * Leaves by `script` (a link's navigation, history back or forward) for page `n`: whether it was restored from the cache,
 * and where not, why (Chromium's `notRestoredReasons`: a restore that failed names its cause).
 */
async function goTo(page: Page, script: string, n: number): Promise<Trip> {
  await page.evaluate(() => {
    (window as any).__left = true;
    addEventListener('pageshow', (e) => ((window as any).__persisted = e.persisted));
  });
  await page.evaluate((script) => void setTimeout(new Function(script) as () => void), script);
  await page.waitForFunction((n) => new URLSearchParams(location.search).get('p') === String(n) && document.readyState === 'complete', n);
  await page.waitForFunction(() => !(window as any).__left || (window as any).__persisted !== undefined);
  return page.evaluate(() => {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown };
    return { restored: (window as any).__persisted === true, reasons: entry.notRestoredReasons ? JSON.stringify(entry.notRestoredReasons) : null };
  });
}

/** A round trip's account, for an assertion's message. */
const told = (trip: Trip, what: string) => `${what}${trip.restored ? '' : ` (loaded anew; why not restored: ${trip.reasons})`}`;

for (const where of ['a cookie', 'IndexedDB (cookies blocked)'] as const) {
  test(`five pages, then back and forward, the session in ${where}: each restored page takes the session first (no eventIndex twice), and its page view names the page the visitor came back from`, async ({
    page,
    build,
    run,
    collector,
    browserName,
  }) => {
    const blocked = where !== 'a cookie';
    // Chromium runs the leaving page's pagehide after the restored page's pageshow (in another process): their writes
    // to IndexedDB can meet, and Chromium then evicts the page in the cache that holds its transaction (seen in about
    // one restore in ten here), so that it cannot be asked for restores; the rules this test checks hold wherever it restores.
    test.skip(browserName === 'chromium' && blocked, EVICTS);
    const url = (n: number) => `${cacheable(build, run)}&p=${n}${blocked ? '&noinit' : ''}`;
    const started = () => startedOn(page, build, blocked);
    const go = (script: string, n: number) => goTo(page, script, n);
    await page.goto(url(1));
    await started();
    await call(page, 'page');
    await call(page, 'track', 'here', { p: 1 });
    for (let n = 2; n <= 5; n++) {
      expect((await go(`location.href = location.href.replace(/p=\\d/, 'p=${n}')`, n)).restored, `page ${n} is loaded`).toBe(false);
      await started();
      await call(page, 'page');
      await call(page, 'track', 'here', { p: n });
    }
    // Back to 4, back to 3, forward to 4: each restored from the cache, where it records a page view of its own.
    for (const [n, step] of [[4, 'back'], [3, 'back'], [4, 'forward']] as const) {
      const trip = await go(`history.${step}()`, n);
      expect(trip.restored, told(trip, `page ${n} is restored`)).toBe(true);
      await call(page, 'track', 'here', { p: n, restored: true });
    }
    await call(page, 'flush');
    const events = (await collector.exactly(8, (e) => e.name === 'here', page)).concat(await collector.events((e) => e.name !== 'here' && !e.name.startsWith('marker-')));
    const indices = events.map((e) => e.session.eventIndex);
    const story = inTrackedOrder(events).map((e) => `${e.name} p${new URL(e.context.page.url).searchParams.get('p')} #${e.session.eventIndex} ${e.session.storageMechanism}`);
    expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
    expect(indices.filter((i, k) => indices.indexOf(i) !== k), `eventIndex values taken twice: ${story.join(', ')}`).toEqual([]);
    // Each restored page's page view: the page the visitor came back from is its referrer.
    const views = inTrackedOrder(events.filter((e) => e.name === 'page_view'));
    const from = (e: (typeof views)[0]) => [new URL(e.context.page.url).searchParams.get('p'), e.context.page.referrer && new URL(e.context.page.referrer).searchParams.get('p')];
    expect(views.map(from)).toEqual([['1', null], ['2', '1'], ['3', '2'], ['4', '3'], ['5', '4'], ['4', '5'], ['3', '4'], ['4', '3']]);
  });
}

/** The restores a page's hand-over serves, which WebKit alone plays (Chromium evicts such a page). */
function handedOverInWebKitOnly(browserName: string) {
  test.skip(browserName === 'chromium', EVICTS);
  // (seen here: the restored page reads the item its own pagehide left, not the one the page it came back from left)
  test.skip(browserName === 'firefox', 'Firefox gives a page restored from its cache the sessionStorage it had when cached: no page can hand it the session there');
}

const titles = {
  stalled: "the session in IndexedDB (cookies blocked), a restored page's store stalled: it takes the session the page it came back from handed over (no eventIndex twice)",
  lost: "the session in IndexedDB (cookies blocked), a restored page's store answers without it (deleted by a page whose store failed, or a write not yet landed): it takes the session the page it came back from handed over (no eventIndex twice)",
  cut: 'the session in IndexedDB (cookies blocked), the write at pagehide cut short (WebKit may abort a transaction of a page entering its cache): restored, the page keeps its store, and the store the session',
};
for (const [how, title] of Object.entries(titles)) test(title, async ({ page, build, run, collector, browserName }) => {
  handedOverInWebKitOnly(browserName);
  const url = (n: number) => `${cacheable(build, run)}&p=${n}&noinit`;
  await page.goto(url(1));
  await startedOn(page, build, true);
  await call(page, 'track', 'here', { p: 1 });
  await call(page, 'flush');
  if (how === 'stalled')
    // From its pagehide on, page 1's reads of IndexedDB never answer (its writes go on): restored, it cannot re-read
    // the session its store holds, as WebKit stalls a cached page's transactions (https://bugs.webkit.org/show_bug.cgi?id=315804).
    await page.evaluate(() =>
      addEventListener('pagehide', () => {
        const transaction = IDBDatabase.prototype.transaction;
        const never = { objectStore: () => ({ get: () => ({}), getAll: () => ({}), getAllKeys: () => ({}) }), addEventListener() {}, commit() {} };
        IDBDatabase.prototype.transaction = function (this: IDBDatabase, names: string | string[], mode?: IDBTransactionMode) {
          return mode === 'readwrite' ? transaction.call(this, names, mode) : (never as unknown as IDBTransaction);
        } as typeof transaction;
      }),
    );
  // From its pagehide on, page 1's reads of a key answer at once, with nothing: restored, its store knows less than
  // the page it came back from (seen in WebKit under load: eventIndex values taken twice by the restored pages).
  else if (how === 'cut')
    // Page 1's first write once it is left (its save at pagehide: `goTo` marks the page just before it leaves) fails;
    // the writes of its restored life do not.
    await page.evaluate(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
        if (!(window as any).__left) return put.apply(this, args);
        IDBObjectStore.prototype.put = put;
        throw new DOMException('cut short', 'AbortError');
      };
    });
  else
    await page.evaluate(() =>
      addEventListener('pagehide', () => {
        const get = IDBObjectStore.prototype.get;
        IDBObjectStore.prototype.get = function (this: IDBObjectStore) {
          return get.call(this, 'no such key');
        };
      }),
    );
  expect((await goTo(page, `location.href = location.href.replace(/p=1/, 'p=2')`, 2)).restored, 'page 2 is loaded').toBe(false);
  await startedOn(page, build, true);
  for (let i = 0; i < 3; i++) await call(page, 'track', 'here', { p: 2 });
  const back = await goTo(page, 'history.back()', 1);
  expect(back.restored, told(back, 'page 1 is restored')).toBe(true);
  await call(page, 'track', 'here', { p: 1, restored: true });
  await call(page, 'flush');
  const events = await collector.exactly(5, (e) => e.name === 'here', page);
  const all = (await collector.events()).map((e) => `${e.name} ${e.session.eventIndex}`);
  const indices = (await collector.events()).map((e) => e.session.eventIndex);
  expect(indices.filter((i, k) => indices.indexOf(i) !== k), `eventIndex values taken twice: ${all}`).toEqual([]);
  const last = inTrackedOrder(events).at(-1)!;
  expect(last.properties).toEqual({ p: 1, restored: true });
  expect(last.session.storageMechanism, 'where the restored page keeps the session').toBe('INDEXED_DB');
  expect(last.session.eventIndex, `${all}`).toBeGreaterThan(Math.max(...events.filter((e) => e.properties.p === 2).map((e) => e.session.eventIndex)));
});

test("the session in IndexedDB (cookies blocked), a restored page's store stalled, and the page left again before its bound: what it held goes out with the session the page it came back from handed over (no eventIndex twice)", async ({ page, build, run, collector, browserName }) => {
  handedOverInWebKitOnly(browserName);
  // (seen in WebKit under load, CI's "five pages…" failures: the restored page's read of the store outlasted the test's
  // next step, and its pagehide let what it held go with the page's own older count)
  const url = (n: number) => `${cacheable(build, run)}&p=${n}&noinit`;
  await page.goto(url(1));
  await startedOn(page, build, true);
  await call(page, 'track', 'here', { p: 1 });
  await call(page, 'flush');
  // From its pagehide on, page 1's reads of IndexedDB never answer; restored, it tracks an event and leaves at once
  // (a task after its pageshow), long before the reread's bound.
  await page.evaluate(() =>
    addEventListener('pagehide', () => {
      IDBDatabase.prototype.transaction = function () {
        return { objectStore: () => ({ get: () => ({}), getAll: () => ({}), getAllKeys: () => ({}), put: () => ({}), delete: () => ({}) }), addEventListener() {}, commit() {} } as unknown as IDBTransaction;
      } as typeof IDBDatabase.prototype.transaction;
      addEventListener('pageshow', (e) => {
        if (!e.persisted) return;
        (window as any).stint('track', 'here', { p: 1, restored: true });
        setTimeout(() => history.forward());
      });
    }),
  );
  expect((await goTo(page, `location.href = location.href.replace(/p=1/, 'p=2')`, 2)).restored, 'page 2 is loaded').toBe(false);
  await startedOn(page, build, true);
  for (let i = 0; i < 3; i++) await call(page, 'track', 'here', { p: 2 });
  await call(page, 'flush');
  // Back to page 1, which goes forward to page 2 again by itself.
  await page.evaluate(() => void setTimeout(() => history.back()));
  await collector.waitFor(1, (e) => e.name === 'here' && e.properties.restored === true);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('p') === '2' && document.readyState === 'complete');
  await call(page, 'track', 'here', { p: 2, again: true });
  await call(page, 'flush');
  const events = await collector.exactly(6, (e) => e.name === 'here', page);
  const all = inTrackedOrder(await collector.events()).map((e) => `${e.name} ${JSON.stringify(e.properties)} ${e.session.eventIndex}`);
  const indices = (await collector.events()).map((e) => e.session.eventIndex);
  expect(indices.filter((i, k) => indices.indexOf(i) !== k), `eventIndex values taken twice: ${all}`).toEqual([]);
  const restored = events.find((e) => e.properties.restored === true)!;
  expect(restored.session.eventIndex, `${all}`).toBeGreaterThan(Math.max(...events.filter((e) => e.properties.p === 2 && !e.properties.again).map((e) => e.session.eventIndex)));
});
