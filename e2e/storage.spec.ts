/**
 * The storage chain (cookie, IndexedDB, memory, custom stores) and one session across tabs.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { baseUrl, call, Collector, consoleOf, expect, newTab, openStint, outboxSize, pageUrl, setVisibility, startStint, stintCookies, test, waitForStint, type Build } from './fixtures';

const MINUTE = 60_000;

/** Cookies silently dropped, as a browser that blocks them does: writes vanish, reads find nothing. */
const blockCookies = (page: Pick<Page, 'addInitScript'>) =>
  page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} });
  });

/** IndexedDB that throws on open, as sandboxed frames and some private modes do. */
const blockIndexedDb = (page: Pick<Page, 'addInitScript'>) =>
  page.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
  });

const stintDatabases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

/**
 * Tracks `first`, reloads the page (after `between`), tracks `second` there: both as the collector received them,
 * and every event it has in one line each (name, sessionIndex/eventIndex, storageMechanism) for the messages.
 */
async function acrossReload(page: Page, collector: Collector, between: () => Promise<unknown> = async () => {}) {
  await call(page, 'track', 'first');
  // IndexedDB writes are asynchronous: one issued in the very last milliseconds of a page may be aborted
  // by its unload (the README says so). A person does not reload within milliseconds of an event.
  await call(page, 'flush');
  await between();
  await page.reload();
  await waitForStint(page);
  await call(page, 'track', 'second');
  await call(page, 'flush');
  const [first] = await collector.waitFor(1, (e) => e.name === 'first');
  const [second] = await collector.waitFor(1, (e) => e.name === 'second');
  const names = (await collector.events()).map((e) => `${e.name} ${e.session.sessionIndex}/${e.session.eventIndex} ${e.session.storageMechanism}`);
  return { first, second, names };
}

test('cookies blocked: the session lives in IndexedDB and survives a reload', async ({ page, build, run, collector }) => {
  await blockCookies(page);
  await openStint(page, build, run);
  const { first, second, names } = await acrossReload(page, collector);
  expect(first.session.storageMechanism).toBe('INDEXED_DB');
  expect(second.session.storageMechanism).toBe('INDEXED_DB');
  expect(second.session.sessionId, `events: ${names}`).toBe(first.session.sessionId);
  expect(second.session.userId).toBe(first.session.userId);
  expect(second.session.eventIndex, `events: ${names}`).toBeGreaterThan(first.session.eventIndex);
  expect(await stintDatabases(page)).toEqual(['stint']);
  await collector.expectValid();
});

test("cookies blocked, IndexedDB stalled at the tab's next page: it goes on with the session the last page handed over (no second session)", async ({ page, build, run, collector }) => {
  await blockCookies(page);
  // The tab's next page finds IndexedDB stalled, as WebKit leaves it behind a cached page's pending transaction
  // (https://bugs.webkit.org/show_bug.cgi?id=315804): an open that never answers, so the start passes its bound.
  await page.addInitScript(() => {
    if (sessionStorage.getItem('e2e:stall')) IDBFactory.prototype.open = () => ({}) as IDBOpenDBRequest;
  });
  await openStint(page, build, run);
  // (on the next page, ready() resolves once the start's bound has passed: the store never answers)
  const { first, second, names } = await acrossReload(page, collector, () => page.evaluate(() => sessionStorage.setItem('e2e:stall', '1')));
  expect(second.session.sessionId, `events: ${names}`).toBe(first.session.sessionId);
  expect(second.session.userId).toBe(first.session.userId);
  expect(second.session.eventIndex, `events: ${names}`).toBeGreaterThan(first.session.eventIndex);
  expect(names.filter((n) => n.startsWith('session_start')), `events: ${names}`).toHaveLength(1);
  // (the stand-in keeps it in memory: the store never answered)
  expect(second.session.storageMechanism).toBe('MEMORY');
});

/** Stint's database: its version and object stores. */
const databaseOf = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[] }>((resolve, reject) => {
        const open = indexedDB.open('stint');
        open.onsuccess = () => {
          const db = open.result;
          resolve({ version: db.version, stores: [...db.objectStoreNames].sort() });
          db.close();
        };
        open.onerror = () => reject(open.error);
      }),
  );

/** What the previous release (e2e/pages/previous/stint.js) kept of the session in its database (where cookies are blocked). */
const previousSession = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string | null>((resolve) => {
        const open = indexedDB.open('stint');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('session')) return db.close(), resolve(null);
          const get = db.transaction('session').objectStore('session').get('state');
          get.onsuccess = () => (db.close(), resolve(get.result ?? null));
          get.onerror = () => (db.close(), resolve(null));
        };
        open.onerror = () => resolve(null);
      }),
  );

test('an outbox the previous release left is delivered after the upgrade, each event once, beside a tab of that release', async ({ context, page, build, run, collector }) => {
  // (e2e/pages/previous/stint.js: the build of the release whose stored formats later ones promise to read)
  // It sends to a collector that fails for good: what arrives at this run comes from this version only.
  const failing = new Collector(`${run}-previous`);
  await failing.fault(503, 1000);
  await page.goto(pageUrl('previous', run, { collector: `/collect/${failing.run}` }));
  await waitForStint(page);
  await call(page, 'track', 'left', { i: 1 });
  await call(page, 'track', 'left', { i: 2 });
  await expect.poll(() => outboxSize(page, 'left')).toBe(2);
  expect(await databaseOf(page)).toEqual({ version: 2, stores: ['outbox', 'session', 'turn'] });
  await expect.poll(async () => (await failing.summary()).requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
  // The tab of the previous release stays open beside this one.
  const next = await newTab(context, build, run);
  await call(next, 'track', 'after');
  const left = await collector.exactly(2, (e) => e.name === 'left', next);
  expect(left.map((e) => e.properties.i).sort()).toEqual([1, 2]);
  const [after] = await collector.waitFor(1, (e) => e.name === 'after');
  // The cookie the previous release wrote holds the same session.
  expect(after.session.sessionId).toBe(left[0].session.sessionId);
  expect(after.session.eventIndex).toBeGreaterThan(Math.max(...left.map((e) => e.session.eventIndex)));
  expect(await databaseOf(next)).toEqual({ version: 2, stores: ['outbox', 'session', 'turn'] });
  await expect.poll(() => outboxSize(next)).toBe(0);
  expect((await collector.summary()).duplicates).toBe(0);
  await collector.expectValid();
});

test('cookies blocked: the session the previous release kept in IndexedDB goes on after the upgrade', async ({ page, build, run, collector }) => {
  await blockCookies(page);
  await page.goto(pageUrl('previous', run));
  await waitForStint(page);
  await call(page, 'track', 'before');
  await call(page, 'flush');
  const [before] = await collector.waitFor(1, (e) => e.name === 'before');
  expect(before.session.storageMechanism).toBe('INDEXED_DB');
  await expect.poll(() => previousSession(page)).toContain(before.session.sessionId);
  await page.goto(pageUrl(build, run));
  await waitForStint(page);
  await call(page, 'track', 'after');
  const [after] = await collector.exactly(1, (e) => e.name === 'after', page);
  expect(after.session).toMatchObject({ sessionId: before.session.sessionId, userId: before.session.userId, storageMechanism: 'INDEXED_DB' });
  expect(after.session.eventIndex).toBeGreaterThan(before.session.eventIndex);
  // What was delivered before the upgrade is not sent again.
  await collector.exactly(1, (e) => e.name === 'before', page);
  expect(await databaseOf(page)).toEqual({ version: 2, stores: ['outbox', 'session', 'turn'] });
});

test('cookies blocked and IndexedDB throwing: the session lives in localStorage, shared by a tab opened later', async ({ context, page, build, run, collector }) => {
  // (in a page's memory, a tab opened later began a session of its own, or counted from an older one: test/sim seed
  // 36559, a database the disk refused)
  const seen = consoleOf(page);
  // (the context's: both tabs; WebKit's driver applies a page's to its whole context)
  await blockCookies(context);
  await blockIndexedDb(context);
  await openStint(page, build, run);
  await call(page, 'track', 'kept');
  await call(page, 'flush');
  const [kept] = await collector.waitFor(1, (e) => e.name === 'kept');
  expect(kept.session.storageMechanism).toBe('LOCAL_STORAGE');
  const other = await context.newPage();
  await openStint(other, build, run);
  await call(other, 'track', 'there');
  await call(other, 'flush');
  const [there] = await collector.waitFor(1, (e) => e.name === 'there');
  expect(there.session.sessionId).toBe(kept.session.sessionId);
  expect(there.session.eventIndex).toBeGreaterThan(kept.session.eventIndex);
  expect(seen.errors).toEqual([]);
});

test('a sandboxed iframe (no cookie, no IndexedDB, no sessionStorage, no Web Locks): MEMORY, events arrive, nothing thrown', async ({
  page,
  build,
  run,
  collector,
}) => {
  const seen = consoleOf(page);
  await page.goto(`${baseUrl()}/e2e/other.html`);
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.sandbox.add('allow-scripts'); // an opaque origin: storage APIs throw SecurityError
    frame.src = src;
    document.body.append(frame);
  }, `${pageUrl(build, run, { collector: `${baseUrl()}/collect/${run}` })}`);
  const frame = page.frames()[1] ?? (await page.waitForEvent('frameattached'));
  await frame.waitForFunction(() => (window as any).__stintLoaded === true);
  await frame.evaluate(() => (window as any).stint('ready'));
  expect(await frame.evaluate(() => origin)).toBe('null');
  const cookieThrows = await frame.evaluate(() => {
    try {
      return !document.cookie && false;
    } catch {
      return true;
    }
  });
  expect(cookieThrows, 'document.cookie throws in an opaque origin').toBe(true);
  await frame.evaluate(() => (window as any).stint('track', 'sandboxed'));
  await frame.evaluate(() => (window as any).stint('flush'));
  const [sandboxed] = await collector.waitFor(1, (e) => e.name === 'sandboxed');
  expect(sandboxed.session.storageMechanism).toBe('MEMORY');
  expect(seen.errors).toEqual([]);
});

test('IndexedDB out of quota: the session moves to its localStorage mirror, and no event is lost', async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  await blockCookies(page);
  await openStint(page, build, run);
  await call(page, 'track', 'before');
  await call(page, 'flush');
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await call(page, 'track', 'during');
  // The outbox write of 'during' failed: from now on the session is in the mirror behind IndexedDB (localStorage).
  await expect.poll(() => seen.warnings.filter((w) => w === '[stint] outbox (#40: debug: true or node_modules/stint/docs/messages.md#40)').length).toBe(1);
  await call(page, 'track', 'after');
  await call(page, 'flush');
  const [before] = await collector.waitFor(1, (e) => e.name === 'before');
  const [during] = await collector.waitFor(1, (e) => e.name === 'during');
  const [after] = await collector.waitFor(1, (e) => e.name === 'after');
  expect(before.session.storageMechanism).toBe('INDEXED_DB');
  expect(after.session.storageMechanism).toBe('LOCAL_STORAGE');
  expect(new Set([before, during, after].map((e) => e.session.sessionId)).size).toBe(1);
  expect(after.session.eventIndex).toBe(during.session.eventIndex + 1);
  await expect.poll(() => seen.warnings.filter((w) => w === '[stint] outbox (#40: debug: true or node_modules/stint/docs/messages.md#40)').length).toBe(1);
  expect(seen.errors).toEqual([]);
});

test('a cookie lost between two page loads is restored from the localStorage mirror, at once', async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'before');
  // Storage has answered (a page that leaves before it does keeps no mirror: see the early-exit test).
  await call(page, 'flush');
  await page.goto(`${baseUrl()}/e2e/other.html`); // pagehide writes the mirror
  await context.clearCookies();
  await page.goto(pageUrl(build, run));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  // At once: the mirror is read synchronously, so the session is there before anything is awaited.
  expect(await page.evaluate(() => (window as any).stint('getSession')?.sessionIndex)).toBe(1);
  await call(page, 'track', 'after');
  await call(page, 'flush');
  const [before] = await collector.waitFor(1, (e) => e.name === 'before');
  const [after] = await collector.waitFor(1, (e) => e.name === 'after');
  const names = (await collector.events()).map((e) => `${e.name} ${e.session.sessionIndex}/${e.session.eventIndex}`);
  expect(after.session.userId, `events: ${names}`).toBe(before.session.userId);
  expect(after.session.sessionId, `events: ${names}`).toBe(before.session.sessionId);
  expect(after.session.storageMechanism).toBe('COOKIE_1');
  expect(await stintCookies(context)).toHaveLength(1);
});

test('a tampered cookie starts a fresh session, with no console error', async ({ page, context, build, run, collector }) => {
  const seen = consoleOf(page);
  await context.addCookies([
    { name: '_stint', value: '1.%7B%22u%22%3A%22not-a-uuid%22%2C%22s%22%3A5%7D', url: baseUrl() },
    { name: 'other', value: 'x', url: baseUrl() },
  ]);
  await openStint(page, build, run);
  await call(page, 'track', 'fresh');
  await call(page, 'flush');
  const [fresh] = await collector.waitFor(1, (e) => e.name === 'fresh');
  expect(fresh.session.sessionIndex).toBe(1);
  expect(seen.errors).toEqual([]);
  const [cookie] = await stintCookies(context);
  expect(decodeURIComponent(cookie.value)).toContain(fresh.session.sessionId);
});

async function openTabs(context: BrowserContext, n: number, build: Build, run: string, config = {}) {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) pages.push(await newTab(context, build, run, config));
  return pages;
}

test('five tabs share one session, and roll it over together into exactly one new session', async ({ context, build, run, collector }) => {
  await context.clock.install();
  const tabs = await openTabs(context, 5, build, run);
  for (const [i, tab] of tabs.entries()) await call(tab, 'track', 'in-turn', { tab: i });
  const inTurn = await collector.waitFor(5, (e) => e.name === 'in-turn');
  expect(new Set(inTurn.map((e) => e.session.sessionId)).size).toBe(1);
  const first = inTurn[0].session;

  await context.clock.fastForward(31 * MINUTE);
  await Promise.all(tabs.map((tab, i) => call(tab, 'track', 'at-once', { tab: i })));
  await Promise.all(tabs.map((tab) => call(tab, 'flush')));
  const atOnce = await collector.waitFor(5, (e) => e.name === 'at-once');
  expect(new Set(atOnce.map((e) => e.session.sessionId)).size).toBe(1);
  expect(atOnce.every((e) => e.session.sessionIndex === first.sessionIndex + 1)).toBe(true);
  expect(atOnce.every((e) => e.session.previousSessionId === first.sessionId)).toBe(true);
  // The ended session is reported once (tabs that found it together send the same event id).
  const ends = await collector.exactly(1, (e) => e.name === 'session_end', tabs[0]);
  expect(ends[0].properties.session_id).toBe(first.sessionId);
  // ...and the tabs go on in that session.
  await call(tabs[2], 'track', 'later');
  await call(tabs[2], 'flush');
  const [later] = await collector.waitFor(1, (e) => e.name === 'later');
  expect(later.session.sessionId).toBe(atOnce[0].session.sessionId);
});

test('one tab hidden while another is visible: the background timeout does not apply', async ({ context, build, run, collector }) => {
  await context.clock.install();
  const config = { backgroundTimeout: 5 * MINUTE, foregroundTimeout: 30 * MINUTE };
  const [hidden, visible] = await openTabs(context, 2, build, run, config);
  await call(hidden, 'track', 'start');
  // Hidden, the tab asks the others whether one is visible (a roll call, answered within 1 s): the clock jumps only
  // once the visible tab has answered, or the jump would pass the roll call's wait before its answer is heard. The
  // answer reaches Stint's channel in this page before this one, made later (channels hear it in creation order: https://html.spec.whatwg.org/multipage/web-messaging.html#dom-broadcastchannel-postmessage).
  await hidden.evaluate(() => {
    const channel = new BroadcastChannel('stint:_stint');
    channel.onmessage = ({ data }) => data?.k === 'vis' && data.visible && (((window as any).answered = true), channel.close());
  });
  await setVisibility(hidden, 'hidden');
  await expect.poll(() => hidden.evaluate(() => (window as any).answered)).toBe(true);
  await context.clock.fastForward(10 * MINUTE);
  await call(hidden, 'track', 'while-other-visible');
  await call(hidden, 'flush');
  const [start] = await collector.waitFor(1, (e) => e.name === 'start');
  const [later] = await collector.waitFor(1, (e) => e.name === 'while-other-visible');
  expect(later.session.sessionId).toBe(start.session.sessionId);
  expect(later.context.visibility).toBe('background');
  // The site went to the background only when the last visible tab did.
  await setVisibility(visible, 'hidden');
  await context.clock.fastForward(10 * MINUTE);
  await call(hidden, 'track', 'all-hidden');
  await call(hidden, 'flush');
  const [allHidden] = await collector.waitFor(1, (e) => e.name === 'all-hidden');
  expect(allHidden.session.sessionIndex).toBe(start.session.sessionIndex + 1);
  // (the other tab's beacon: waited for, then no more than one)
  await collector.exactly(1, (e) => e.name === 'application_background', hidden);
});

test('eventIndex never repeats across tabs tracking 50 ms apart: same origin, and sibling subdomains that share the cookie but no message', async ({ context, build, run, collector }) => {
  await context.clock.install();
  const at = (host: string) => pageUrl(build, run, { cookie: { domain: 'auto' } }).replace('127.0.0.1', host);
  // Two tabs on a.stint.test (they hear each other) and one on b.stint.test (it only shares the cookie).
  const tabs = [];
  for (const host of ['a.stint.test', 'b.stint.test', 'a.stint.test']) {
    const tab = await context.newPage();
    await tab.goto(at(host));
    tabs.push(await waitForStint(tab));
  }
  // The clock says 50 ms between turns, but in real time they are a WebDriver round trip apart, and a browser may
  // show a cookie write to its other processes later than that (WebKit under load, once in ~2,500 runs: its web
  // process hands document.cookie writes to the network process without waiting). What is promised is for tabs
  // 50 ms apart, so each turn waits until the next tab sees that a write was made (bounded: expect.poll).
  const cookie = (tab: Page) => tab.evaluate(() => document.cookie.split('; ').find((c) => c.startsWith('_stint=')));
  for (let i = 0; i < 12; i++) {
    const next = tabs[(i + 1) % 3];
    const before = await cookie(next);
    await context.clock.fastForward(50);
    await call(tabs[i % 3], 'track', 'turn', { i });
    await expect.poll(() => cookie(next)).not.toBe(before);
  }
  for (const tab of tabs) await call(tab, 'flush');
  const turns = await collector.waitFor(12, (e) => e.name === 'turn');
  const events = await collector.events((e) => !e.name.startsWith('marker-'));
  expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
  const indices = events.map((e) => e.session.eventIndex);
  expect(indices.length, `indices ${indices}`).toBe(new Set(indices).size);
  // in the order they were tracked
  const byTurn = [...turns].sort((x, y) => (x.properties.i as number) - (y.properties.i as number)).map((e) => e.session.eventIndex);
  expect(byTurn).toEqual([...byTurn].sort((x, y) => x - y));
});

test('a custom store is used (localStorage)', async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run, { store: 'localStorage' });
  await call(page, 'track', 'custom');
  await call(page, 'flush');
  const [custom] = await collector.waitFor(1, (e) => e.name === 'custom');
  expect(custom.session.storageMechanism).toBe('LOCAL_STORAGE');
  const stored = await page.evaluate(() => localStorage.getItem('my-session'));
  expect(stored).toContain(custom.session.sessionId);
  expect(await stintCookies(context)).toEqual([]);
  await collector.expectValid();
});

test('an async store: events tracked before it answers are held, then sent in order with their own times', async ({
  page,
  build,
  run,
  collector,
}) => {
  await page.goto(pageUrl(build, run, { store: 'slowAsync' }));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  const { times, held } = await page.evaluate(async () => {
    const stint = (window as any).stint;
    const times: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      stint('track', 'early', { i });
      times.push([before, Date.now()]);
      await new Promise((r) => setTimeout(r, 50)); // three distinct moments
    }
    // Still no session: the store has not answered, so the three were held.
    return { times, held: stint('getSession') === null };
  });
  expect(held).toBe(true);
  await page.evaluate(() => (window as any).__answerStore());
  await call(page, 'ready');
  await call(page, 'flush');
  const early = await collector.exactly(3, (e) => e.name === 'early', page);
  expect(early.map((e) => e.properties.i)).toEqual([0, 1, 2]);
  expect(early.map((e) => e.session.eventIndex)).toEqual([3, 4, 5]); // after session_start and application_initialized
  early.forEach((e, i) => {
    expect(Date.parse(e.timestamp)).toBeGreaterThanOrEqual(times[i][0]);
    expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(times[i][1]);
  });
  expect(new Set(early.map((e) => e.session.sessionId)).size).toBe(1);
  expect(early[0].session.storageMechanism).toBe('SLOW_ASYNC');
});

test('a store that does not answer: Stint goes on after a short bound, and writes there once it answers', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl(build, run, { store: 'slowAsync' }));
  // The store never answers by itself: ready() resolves anyway (session/open.ts OPEN_WAIT), with a stand-in in memory.
  await waitForStint(page);
  await call(page, 'track', 'meanwhile');
  await call(page, 'flush');
  const [meanwhile] = await collector.waitFor(1, (e) => e.name === 'meanwhile');
  expect(meanwhile.session.storageMechanism).toBe('MEMORY');
  expect(await page.evaluate(() => localStorage.getItem('slow-session'))).toBeNull();
  // The store answers late: the session this page reported is written there, not lost, and goes on.
  await page.evaluate(() => (window as any).__answerStore());
  await call(page, 'track', 'answered');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('slow-session'))).toContain(meanwhile.session.sessionId);
  await call(page, 'flush');
  const [answered] = await collector.waitFor(1, (e) => e.name === 'answered');
  expect(answered.session.sessionId).toBe(meanwhile.session.sessionId);
  expect(answered.session.eventIndex).toBe(meanwhile.session.eventIndex + 1);
});

test('cookie domain "auto": subdomains share one session', async ({ context, build, run, collector }) => {
  const port = new URL(baseUrl()).port;
  const at = (host: string) => pageUrl(build, run, { cookie: { domain: 'auto' } }).replace('127.0.0.1', host);
  expect(port).not.toBe('');
  const a = await context.newPage();
  await a.goto(at('a.stint.test'));
  await waitForStint(a);
  await call(a, 'track', 'on-a');
  await call(a, 'flush');
  const b = await context.newPage();
  await b.goto(at('b.stint.test'));
  await waitForStint(b);
  await call(b, 'track', 'on-b');
  await call(b, 'flush');
  const [onA] = await collector.waitFor(1, (e) => e.name === 'on-a');
  const [onB] = await collector.waitFor(1, (e) => e.name === 'on-b');
  expect(onB.session.sessionId).toBe(onA.session.sessionId);
  const cookies = await stintCookies(context);
  expect(cookies.map((c) => c.domain)).toEqual(['.stint.test']);
});

test('IndexedDB failing everywhere (its creation, every write, every transaction): nothing reaches the page, every event arrives', async ({ page, build, run, collector }) => {
  type How = 'the database makes no store' | 'every write throws' | 'every transaction aborts';
  /** A fresh page whose IndexedDB fails as `how` says, cookies blocked (the session goes to IndexedDB); then Stint starts. */
  const failing = async (how: How) => {
    await page.goto(pageUrl(build, run, {}, '&noinit'));
    // (the collector comes back once the page that left the event is gone: its beacon met the failure too)
    await collector.heal();
    await page.waitForFunction(() => (window as any).__stintLoaded === true);
    await page.evaluate(async (how) => {
      const w = window as any;
      // What reaches the page: its error monitoring listens to these.
      w.__reached = [];
      addEventListener('error', (e) => w.__reached.push(`error: ${e.message}`));
      addEventListener('unhandledrejection', (e) => w.__reached.push(`unhandledrejection: ${e.reason}`));
      // (no database: it is created, and its stores fail)
      if (how === 'the database makes no store') await new Promise((resolve) => (indexedDB.deleteDatabase('stint').onsuccess = resolve));
      Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} });
      const full = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
      if (how !== 'every transaction aborts') {
        for (const write of ['put', 'add', 'delete', 'clear'] as const) IDBObjectStore.prototype[write] = full;
        if (how === 'the database makes no store') IDBDatabase.prototype.createObjectStore = full;
        return;
      }
      // Each transaction aborts once its requests are made (a full disk, as the browser reports it).
      const transaction = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
        const made = transaction.apply(this, args);
        queueMicrotask(() => made.abort());
        return made;
      };
    }, how);
    await startStint(page, build);
  };

  // Stint's database at its version, an event left in its outbox (the collector failed until the page left): the
  // next page that can use the database sends it (one whose writes fail keeps to memory).
  await openStint(page, build, run);
  await collector.fault(503, 1000);
  await call(page, 'track', 'left-behind');
  await expect.poll(() => outboxSize(page, 'left-behind')).toBe(1);
  // The page knows the collector fails (a second attempt is made only once the first failure was heard): leaving, it
  // keeps the event for the next page. (A page that leaves before it has heard of the failure counts what it beacons,
  // and its requests in flight, as delivered: see Sender.beacon.)
  await expect.poll(async () => (await collector.summary()).requests.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(2);
  for (const how of ['every write throws', 'every transaction aborts', 'the database makes no store'] as const) {
    if (how === 'the database makes no store') {
      // (before the last case, which deletes the database)
      await openStint(page, build, run);
      await collector.waitFor(1, (e) => e.name === 'left-behind');
    }
    await failing(how);
    await call(page, 'ready');
    for (let i = 0; i < 3; i++) await call(page, 'track', 'stored-nowhere', { how, i });
    await call(page, 'flush');
    // The page is hidden, leaves into the cache and comes back (each commits what Stint's database holds, at once).
    await setVisibility(page, 'hidden');
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await setVisibility(page, 'visible');
    await call(page, 'track', 'stored-nowhere', { how, i: 3 });
    await call(page, 'flush');
    await collector.exactly(4, (e) => e.name === 'stored-nowhere' && e.properties.how === how, page);
    expect(await page.evaluate(() => (window as any).__reached), how).toEqual([]);
  }
});

test("the cookie is lean: the visitor's user id, attributes, UTM live in the mirror, and survive reloads, tabs and a lost cookie; a whole cookie is still read", async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  const visitor = (e: { user: { id: string | null }; sessionAttributes: Record<string, unknown>; context: Record<string, any> }) => [e.user.id, e.sessionAttributes.plan, e.context.utm.source];
  const cookie = async () => decodeURIComponent((await stintCookies(context))[0].value);
  // A visit that lands from a newsletter, logs in and picks a plan.
  await page.goto(pageUrl(build, run, {}, '&utm_source=newsletter&utm_campaign=spring'));
  await waitForStint(page);
  await call(page, 'identify', 'alice@example.com');
  await call(page, 'setSessionAttribute', 'plan', 'pro');
  await call(page, 'track', 'landed');
  await call(page, 'flush');
  const [landed] = await collector.waitFor(1, (e) => e.name === 'landed');
  expect(visitor(landed)).toEqual(['alice@example.com', 'pro', 'newsletter']);
  // What every same-site request carries: the ids, counters, times and flags the session rules read; none of the visitor.
  const lean = await cookie();
  for (const text of ['alice', 'plan', 'pro', 'newsletter', 'spring']) expect(lean).not.toContain(text);
  const mirror = await page.evaluate(() => localStorage.getItem('stint:mirror')!);
  expect(mirror).toContain('alice@example.com');

  const then = async (name: string, on = page) => {
    await call(on, 'track', name);
    await call(on, 'flush');
    const [event] = await collector.waitFor(1, (e) => e.name === name);
    expect(event.session.sessionId, name).toBe(landed.session.sessionId);
    expect(visitor(event), name).toEqual(['alice@example.com', 'pro', 'newsletter']);
  };
  await page.reload();
  await waitForStint(page);
  await then('after-a-reload');
  await then('in-another-tab', await newTab(context, build, run));
  await context.clearCookies();
  await page.reload();
  await waitForStint(page);
  await then('after-the-cookie-was-lost');
  // A whole cookie (the record as Stint wrote it before the cookie was lean) is read, the mirror gone meanwhile.
  const url = new URL(page.url());
  await context.addCookies([{ name: '_stint', value: encodeURIComponent(mirror), domain: url.hostname, path: '/' }]);
  await page.evaluate(() => localStorage.removeItem('stint:mirror'));
  await page.reload();
  await waitForStint(page);
  await then('from-a-whole-cookie');
  expect(await cookie()).not.toContain('alice');
});

test("sessionHeaders(): the site's own requests get the session, which a server reads with readSession (stint/collector) as the page does, from the header or from the cookie", async ({ page, build, run }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'a');
  const headers = await call<Record<string, string>>(page, 'sessionHeaders');
  const session = await call<{ userId: string; sessionId: string; eventIndex: number }>(page, 'getSession');
  const cookie = await page.evaluate(() => document.cookie.split('; ').find((c) => c.startsWith('_stint='))!.slice('_stint='.length));
  const { readSession } = await import('../dist/collector.mjs');
  expect(headers.baggage).toBe(`session.id=${session.sessionId}`);
  for (const value of [headers['stint-session'], cookie]) expect(readSession(value, Date.now())).toMatchObject({ userId: session.userId, sessionId: session.sessionId, eventIndex: session.eventIndex, ended: null });
  // fetch takes them as they are (a header value is Latin-1)
  expect(await page.evaluate(async (h) => (await fetch('/e2e/other.html', { headers: h })).status, headers)).toBe(200);
  // Consent withdrawn: none.
  await call(page, 'setConsent', 'denied');
  expect(await call(page, 'sessionHeaders')).toEqual({});
});
