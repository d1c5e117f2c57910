/**
 * Delivery that loses nothing: the outbox, retries, offline, unload, tabs, and the Snowplow protocol.
 */
import type { BrowserContext } from '@playwright/test';
import { baseUrl, call, consoleOf, expect, newTab, openStint, sleep, test } from './fixtures';

const KEEPALIVE_LIMIT = 64 * 1024;

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

test('the collector answers 503 for a while, then 200: every event arrives, none twice', async ({ page, build, run, collector }) => {
  await collector.fault(503, 3);
  await openStint(page, build, run);
  for (let i = 0; i < 5; i++) await call(page, 'track', 'x', { i });
  await call(page, 'flush'); // resolves once the collector has accepted them
  await collector.exactly(5, (e) => e.name === 'x');
  const { requests, duplicates } = await collector.summary();
  expect(requests.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 503]);
  expect(requests.at(-1)!.status).toBe(200);
  expect(duplicates).toBe(0);
  // exponential backoff: each wait longer than the last (jitter keeps each in [½, 1] of its step)
  const gaps = requests.slice(0, 4).map((r, i, all) => (i ? r.at - all[i - 1].at : 0)).slice(1);
  expect(gaps[0]).toBeGreaterThanOrEqual(450);
  expect(gaps[2]).toBeGreaterThan(gaps[0]);
});

test('Retry-After is honoured', async ({ page, build, run, collector }) => {
  await collector.fault(429, 1, 2);
  await openStint(page, build, run);
  await call(page, 'track', 'later');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'later');
  const { requests } = await collector.summary();
  expect(requests[0].status).toBe(429);
  expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(1950);
});

test('another 4xx drops the batch with one warning; 413 splits it', async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  await openStint(page, build, run);
  await call(page, 'flush');
  await collector.fault(400, 1);
  await call(page, 'track', 'refused');
  await call(page, 'flush');
  expect(seen.warnings.filter((w) => /HTTP 400/.test(w))).toHaveLength(1);
  await collector.fault(413, 1);
  await page.evaluate(() => {
    for (let i = 0; i < 10; i++) (window as any).stint('track', 'split', { i });
  });
  await call(page, 'flush');
  await collector.exactly(10, (e) => e.name === 'split');
  expect(await collector.events((e) => e.name === 'refused')).toEqual([]);
  const statuses = (await collector.summary()).requests.map((r) => r.status);
  expect(statuses.slice(-3)).toEqual([413, 200, 200]);
});

test('offline: events tracked, the page reloaded while still offline, the network back: each arrives once', async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  await serveFromNode(context);
  await openStint(page, build, run);
  await call(page, 'flush');
  await context.setOffline(true);
  for (let i = 0; i < 3; i++) await call(page, 'track', 'offline', { i });
  await sleep(300);
  await page.reload();
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  for (let i = 3; i < 5; i++) await call(page, 'track', 'offline', { i });
  await sleep(300);
  expect(await collector.events((e) => e.name === 'offline')).toEqual([]);
  await context.setOffline(false);
  const events = await collector.exactly(5, (e) => e.name === 'offline');
  expect(events.map((e) => e.properties.i).sort()).toEqual([0, 1, 2, 3, 4]);
  expect((await collector.summary()).duplicates).toBe(0);
});

test('1,000 events in one burst arrive in a few requests, none over 64 KB', async ({ page, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'flush');
  const before = (await collector.summary()).requests.length;
  await page.evaluate(() => {
    for (let i = 0; i < 1000; i++) (window as any).stint('track', 'burst', { i, label: 'item-' + i });
  });
  await call(page, 'flush');
  const events = await collector.exactly(1000, (e) => e.name === 'burst', 500);
  expect(new Set(events.map((e) => e.properties.i)).size).toBe(1000);
  const requests = (await collector.summary()).requests.slice(before);
  expect(requests.length).toBeLessThanOrEqual(20);
  expect(Math.max(...requests.map((r) => r.bytes))).toBeLessThan(KEEPALIVE_LIMIT);
  expect(requests.every((r) => r.contentType === 'text/plain;charset=UTF-8')).toBe(true);
});

test('20 events, then the tab closes at once: 20 arrive', async ({ context, build, run, collector }) => {
  const page = await newTab(context, build, run);
  await page.evaluate(() => {
    for (let i = 0; i < 20; i++) (window as any).stint('track', 'closing', { i });
  });
  await page.close();
  await collector.exactly(20, (e) => e.name === 'closing');
});

test('unsent events survive a crash and a closed tab, and are sent at the next start', async ({ context, build, run, collector }) => {
  const bystander = await context.newPage();
  await bystander.goto(`${baseUrl()}/e2e/other.html`);
  await collector.fault(503, 1000);
  const crashing = await newTab(context, build, run);
  await call(crashing, 'track', 'survivor', { from: 'crash' });
  await sleep(1500); // the first attempt fails; the event waits in the outbox
  const cdp = await context.newCDPSession(crashing);
  cdp.send('Page.crash').catch(() => {});
  const closing = await newTab(context, build, run);
  await call(closing, 'track', 'survivor', { from: 'close' });
  // The outbox write is one IndexedDB transaction at the end of the task; a page closed within the
  // first milliseconds of its life, before its database is open, is the documented exception.
  await sleep(200);
  await closing.close(); // its beacon meets the 503 too
  await collector.heal();
  await newTab(context, build, run);
  const survivors = await collector.exactly(2, (e) => e.name === 'survivor');
  expect(survivors.map((e) => e.properties.from).sort()).toEqual(['close', 'crash']);
});

test('two tabs, a shared outbox and a failing collector: after recovery, every event once', async ({ context, build, run, collector }) => {
  await collector.fault(503, 1000);
  const [a, b] = [await newTab(context, build, run), await newTab(context, build, run)];
  for (let i = 0; i < 10; i++) {
    await call(a, 'track', 'shared', { tab: 'a', i });
    await call(b, 'track', 'shared', { tab: 'b', i });
  }
  await sleep(2500); // a few failed attempts from both tabs
  await collector.heal();
  await Promise.all([call(a, 'flush'), call(b, 'flush')]);
  await collector.exactly(20, (e) => e.name === 'shared', 1500);
  const { duplicates, requests } = await collector.summary();
  expect(duplicates).toBe(0);
  // one sender at a time: no two requests were in flight together
  expect(requests.filter((r) => r.status === 503).length).toBeGreaterThan(1);
});

test('format "snowplow": the tracker protocol, valid against the official schemas', async ({ page, build, run, collector }) => {
  await openStint(page, build, run, { format: 'snowplow' });
  await call(page, 'setSessionAttribute', 'plan', 'pro');
  await call(page, 'page', { section: 'home' });
  await call(page, 'track', 'signup', { method: 'email' });
  await call(page, 'identify', 'user-7');
  await call(page, 'flush');
  const events = await collector.waitFor(4);
  await collector.expectValid();
  const { requests } = await collector.summary();
  expect(requests.every((r) => r.format === 'snowplow' && r.status === 200)).toBe(true);
  const view = events.find((e) => e.name === 'page_view')!;
  const signup = events.find((e) => e.name === 'signup')!;
  expect(view.snowplow!.e).toBe('pv');
  expect(view.properties).toEqual({ section: 'home' });
  expect(signup.snowplow!.e).toBe('ue');
  expect(signup.properties).toEqual({ method: 'email' });
  expect(signup.snowplow).toMatchObject({ p: 'web', aid: 'e2e', tna: 'stint' });
  expect(signup.snowplow!.tv).toMatch(/^stint-\d/);
  expect(signup.session.storageMechanism).toBe('COOKIE_1');
  expect(signup.sessionAttributes).toEqual({ plan: 'pro' });
  const session = JSON.parse(signup.snowplow!.co).data.find((c: { schema: string }) => c.schema.includes('client_session')).data;
  expect(session).toMatchObject({ storageMechanism: 'COOKIE_1', sessionIndex: 1, sessionId: signup.session.sessionId });
  expect(signup.snowplow!.duid).toBe(session.userId);
  expect(signup.snowplow!.sid).toBe(session.sessionId);
});

test('format "snowplow" with IndexedDB: storageMechanism mapped to the enum', async ({ page, build, run, collector }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} });
  });
  await openStint(page, build, run, { format: 'snowplow' });
  await call(page, 'track', 'stored');
  await call(page, 'flush');
  const [stored] = await collector.waitFor(1, (e) => e.name === 'stored');
  await collector.expectValid();
  expect(stored.session.storageMechanism).toBe('INDEXED_DB'); // the exact one, in dev.stint/context
  const session = JSON.parse(stored.snowplow!.co).data.find((c: { schema: string }) => c.schema.includes('client_session')).data;
  expect(session.storageMechanism).toBe('LOCAL_STORAGE');
});
