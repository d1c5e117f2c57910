/**
 * The README's delivery guarantees, each against what used to break them: calls held at start, pages
 * that close or navigate right after a beacon, an entry too large for any request, two trackers on one page.
 */
import type { Page } from '@playwright/test';
import { call, consoleOf, expect, newTab, outboxSize, pageUrl, test, waitForStint, type Build, type Collector } from './fixtures';
import { esmBuild } from './npm';

/** Starts Stint in the page (opened with `noinit`) and tracks `n` events in the same task, before storage can answer. */
function startAndTrack(page: Page, build: Build, config: Record<string, unknown>, n: number): Promise<number> {
  return page.evaluate(
    async ({ build, config, n }) => {
      const w = window as any;
      const base = { collector: '/collect/' + new URLSearchParams(location.search).get('run'), appId: 'e2e', ...config };
      let track: (i: number) => unknown;
      if (build === 'tag') {
        w.stint('init', base);
        track = (i) => w.stint('track', 'burst', { i });
      } else {
        const { createTracker } = await import('/dist/index.mjs' as string);
        const tracker = createTracker(base);
        w.stint = (method: string, ...args: unknown[]) => tracker[method](...args);
        track = (i) => tracker.track('burst', { i });
      }
      let kept = 0;
      for (let i = 0; i < n; i++) if (typeof track(i) === 'string') kept++;
      return kept;
    },
    { build, config, n },
  );
}

async function openBare(page: Page, build: Build, run: string): Promise<void> {
  await page.goto(pageUrl(build, run, {}, '&noinit'));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
}

/**
 * Firefox, tabs closed by Playwright over WebDriver BiDi: pagehide does not always run to the end (measured here:
 * the cookie a page writes there lost in about one close in three, under load), so what it marks as sent is
 * lost and the next page sends it again. (lifecycle.spec.ts leaves by a navigation for the same reason.)
 */
const CLOSED_OVER_BIDI = 'Firefox over WebDriver BiDi: a tab closed by page.close() does not always run its pagehide to the end';

const droppedIn = async (collector: Collector) => (await collector.summary()).requests.reduce((n, r) => n + (r.dropped ?? 0), 0);

/** Cookies silently dropped: the session lives in IndexedDB, which answers in a later task (calls are held until then). */
const blockCookies = (page: Page) =>
  page.addInitScript(() => Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} }));

test('1,000 events tracked before storage answers, on a first visit: every one arrives', async ({ page, build, run, collector }) => {
  await blockCookies(page); // (with cookies, a first visit is ready at init: nothing is held)
  await openBare(page, build, run);
  expect(await startAndTrack(page, build, {}, 1000)).toBe(1000);
  await call(page, 'ready');
  await call(page, 'flush');
  const burst = await collector.exactly(1000, (e) => e.name === 'burst', page);
  expect(new Set(burst.map((e) => e.properties.i)).size).toBe(1000);
  expect(await droppedIn(collector)).toBe(0);
});

test('1,000 events tracked while another tab of the site is open (the liveness check is pending): every one arrives', async ({
  context,
  build,
  run,
  collector,
}) => {
  await newTab(context, build, run);
  const page = await context.newPage();
  await openBare(page, build, run);
  expect(await startAndTrack(page, build, {}, 1000)).toBe(1000);
  await call(page, 'ready');
  await call(page, 'flush');
  await collector.exactly(1000, (e) => e.name === 'burst', page);
  expect(await droppedIn(collector)).toBe(0);
});

test('past the bound, held events are dropped and every loss is counted in a later batch', async ({ page, build, run, collector }) => {
  test.slow(); // 6,000 events through a real browser and collector
  const seen = consoleOf(page);
  await blockCookies(page); // the calls are held until IndexedDB answers: the hold's bound applies
  await openBare(page, build, run);
  const kept = await startAndTrack(page, build, {}, 6000);
  expect(kept).toBeLessThan(6000);
  await call(page, 'ready');
  await call(page, 'flush');
  await collector.proveSent(page);
  const arrived = await collector.events((e) => e.name === 'burst' || e.name === 'application_initialized' || e.name === 'session_start');
  // Whatever the bounds let through arrived once; whatever they did not is in `dropped`: nothing vanished.
  expect(new Set(arrived.map((e) => e.eventId)).size).toBe(arrived.length);
  expect(arrived.length + (await droppedIn(collector))).toBe(6000 + 2);
  // One warning per bound that was met (README: "past that, one warning"): the hold's, then the outbox's
  // (the 5,000 held events and application_initialized are one over its bound).
  expect(seen.warnings.filter((w) => /\(#(26|42):/.test(w))).toEqual(['[stint] held events (#26: debug: true or node_modules/stint/docs/messages.md#26)', '[stint] outbox (#42: debug: true or node_modules/stint/docs/messages.md#42)']);
});

test('nothing is sent twice when a page closes or navigates right after tracking (10 closes, 10 navigations)', async ({
  context,
  build,
  run,
  collector,
  browserName,
}) => {
  test.skip(browserName === 'firefox', CLOSED_OVER_BIDI);
  // (Chromium rejects a keepalive fetch in flight as the page navigates, though it lands: a failure that, judged, sent
  // the site's last beacons again in about 1 run in 3; transport.ts takes a network error only from a page still there)
  test.slow();
  // (what only a browser shows: a real beacon and a real commit at unload, ten times each; the interleavings of tabs,
  // pages and the network around them are the simulator's, test/sim/)
  const TIMES = 10;
  const PER_PAGE = 20;
  // (a first answer first: what a page beacons before any page of the site knows delivery works is sent again by the
  // next page, by design, docs/delivery.md "Page hidden or closed")
  const first = await newTab(context, build, run);
  await call(first, 'flush');
  await first.close();
  for (let n = 0; n < TIMES; n++) {
    // Navigation: the next page of the site (with Stint) starts while the last one's outbox removal was cut short.
    const page = await newTab(context, build, run);
    await page.evaluate(
      ([n, per, next]) => {
        for (let i = 0; i < per; i++) (window as any).stint('track', 'navigating', { n, i });
        location.href = next;
      },
      [n, PER_PAGE, pageUrl(build, run, {}, `&next=${n}`)] as const,
    );
    // (a URL of its own: the page that leaves is at app.html too, and a wait for that could end before it left)
    await page.waitForURL(new RegExp(`&next=${n}$`));
    await waitForStint(page);
    // Close: the tab goes at once, its beacon away.
    await page.evaluate(([n, per]) => {
      for (let i = 0; i < per; i++) (window as any).stint('track', 'closing', { n, i });
    }, [n, PER_PAGE] as const);
    await page.close();
  }
  const last = await newTab(context, build, run);
  await call(last, 'flush');
  await collector.exactly(TIMES * PER_PAGE, (e) => e.name === 'navigating', last);
  await collector.exactly(TIMES * PER_PAGE, (e) => e.name === 'closing', last);
  // (what came twice names its two requests, each listed with the page that sent it and how: a beacon is no-cors)
  const { duplicated, requests } = await collector.summary();
  const sent = requests.map((r, i) => `${i}: ${r.at} ${r.mode} ${r.from?.replace(/^.*[?&]run=[^&]*/, '')} ${r.count} ${r.status}`);
  expect(duplicated, `events the collector received twice; the requests:\n${sent.join('\n')}`).toEqual([]);
});

test('a batch in flight when the tab closes is not sent again by the next page', async ({ context, build, run, collector, browserName }) => {
  test.skip(browserName === 'firefox', CLOSED_OVER_BIDI);
  const page = await newTab(context, build, run);
  await call(page, 'flush');
  // The next request is answered after 1.5 s: the tab closes while it is in flight.
  await collector.fault(200, 1, undefined, 1500);
  await page.evaluate(() => {
    for (let i = 0; i < 100; i++) (window as any).stint('track', 'in-flight', { i });
    (window as any).stint('flush');
  });
  await expect.poll(async () => (await collector.summary()).requests.some((r) => r.delay && !r.end)).toBe(true);
  await page.close();
  const next = await newTab(context, build, run);
  await call(next, 'flush');
  await collector.exactly(100, (e) => e.name === 'in-flight', next);
  expect((await collector.summary()).duplicated).toEqual([]);
});

test('an entry no request can carry (left in the outbox) is given up on, counted, and blocks nothing', async ({ page, context, build, run, collector }) => {
  const first = await newTab(context, build, run);
  await call(first, 'flush');
  // (shut down first: its sender must not find the entry and give it up, then close with the count)
  await call(first, 'shutdown');
  // An entry of 70 KB, as an older version (or a bug) could have left it, ahead of everything else.
  await first.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('stint');
        open.onsuccess = () => {
          const tx = open.result.transaction('outbox', 'readwrite');
          const e = { eventId: '00000000-0000-4000-8000-000000000070', name: 'poison', properties: { blob: 'x'.repeat(70_000) }, eventIndex: 1, visibility: 'foreground' };
          tx.objectStore('outbox').put({ contexts: ['{}'], list: JSON.stringify([{ id: e.eventId, at: Date.now(), appId: 'e2e', c: 0, e }]) }, '000000000000001:0.5');
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await first.close();
  await page.goto(pageUrl(build, run));
  await waitForStint(page);
  await call(page, 'track', 'behind');
  await call(page, 'flush'); // resolves: the poison does not hold back what came after it
  await collector.exactly(1, (e) => e.name === 'behind', page);
  // Given up on: out of the outbox. (Not always by the flush above: a read of the outbox that a loaded
  // machine kept past its bound lets the page's own events go first, and the next cycle finds the poison.)
  await expect.poll(() => outboxSize(page, 'poison')).toBe(0);
  // and counted, once, in the next batch that leaves.
  await call(page, 'track', 'after');
  await call(page, 'flush');
  await collector.exactly(1, (e) => e.name === 'after', page);
  expect(await collector.events((e) => e.name === 'poison')).toEqual([]);
  expect(await droppedIn(collector)).toBe(1);
});

test('the tag and an npm import on one page share the tracker', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl('tag', run));
  await waitForStint(page);
  await page.evaluate(async (run) => {
    const { createTracker } = await import('/dist/index.mjs' as string);
    const npm = createTracker({ collector: '/collect/' + run, appId: 'e2e' });
    (window as any).stint('track', 'from-tag');
    npm.track('from-npm');
    await npm.flush();
  }, run);
  const events = await collector.exactly(2, (e) => e.name.startsWith('from-'), page);
  expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
  await collector.exactly(1, (e) => e.name === 'application_initialized', page);
});

esmBuild(() => {
  test('two createTracker calls with one cookie name give one tracker: one device, one session, one application_initialized', async ({ page, build, run, collector }) => {
    const seen = consoleOf(page);
    await openBare(page, build, run);
    const same = await page.evaluate(async (run) => {
      const { createTracker } = await import('/dist/index.mjs' as string);
      const config = { collector: '/collect/' + run, appId: 'e2e' };
      // What React Strict Mode does with `useState(() => createTracker(config))`: it creates twice.
      const a = createTracker(config);
      const b = createTracker(config);
      const c = createTracker({ ...config, appVersion: '2.0.0' }); // another config: shared, with a warning
      await Promise.all([a.ready(), b.ready()]);
      a.track('from-a');
      b.track('from-b');
      c.track('from-c');
      (window as any).stint = (method: string, ...args: unknown[]) => a[method](...args);
      return JSON.stringify(a.getSession()) === JSON.stringify(b.getSession());
    }, run);
    expect(same).toBe(true);
    await call(page, 'flush');
    const events = await collector.exactly(3, (e) => e.name.startsWith('from-'), page);
    expect(new Set(events.map((e) => e.session.userId)).size).toBe(1);
    expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
    expect(events.map((e) => e.session.eventIndex)).toEqual([3, 4, 5]);
    await collector.exactly(1, (e) => e.name === 'application_initialized', page);
    expect(seen.warnings.filter((w) => w.includes(`a tracker with cookie "_stint" (#6:`))).toHaveLength(1);
  });
});
