/**
 * The server's copy of the session (`serverCookie`): Safari's purge simulated (WebKitGTK runs without tracking
 * prevention: the test deletes what Safari would), the once-a-day bound, consent. The endpoint is the package's own
 * handler (stint/collector `serverCookieHandler`, mounted by demo/server.mjs at /stint/id/<run>). The decisions are
 * test/core/headers.test.ts's.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { baseUrl, call, expect, openStint, pageUrl, setVisibility, test, waitForStint, type Build } from './fixtures';

const COPY = '_stint_srv';
const config = (run: string, more: Record<string, unknown> = {}) => ({ serverCookie: `/stint/id/${run}`, ...more });

/** What the endpoint was asked in this run. */
async function asked(run: string): Promise<{ method: string; status: number }[]> {
  return (await fetch(`${baseUrl()}/api/runs/${run}/copies`)).json();
}

/** Waits (bounded) until the endpoint was asked `count` times, and answered each. */
async function waitAsked(run: string, count: number) {
  await expect.poll(() => asked(run).then((a) => a.length >= count && a.every((x) => x.status > 0)), { timeout: 10_000 }).toBe(true);
  return asked(run);
}

const copyOf = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === COPY);

/**
 * Every write of `document.cookie`, by the cookie's name, from the first script of each page on, kept in the tab's
 * `window.name` (which outlives its same-site navigations, and the purge).
 */
async function spyOnCookies(context: BrowserContext) {
  await context.addInitScript(() => {
    const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      get() {
        return d.get!.call(this);
      },
      set(value: string) {
        window.name += ' ' + String(value).split('=')[0].trim();
        d.set!.call(this, value);
      },
    });
  });
}
const cookieWrites = (page: Page): Promise<string[]> => page.evaluate(() => window.name.split(' ').filter(Boolean));

/**
 * What Safari deletes after 7 days without a visit (https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/),
 * and the cookie it caps: every cookie Stint wrote from script, localStorage, sessionStorage (the tab's hand-over) and
 * IndexedDB. Done from a page of the site without Stint; the server's cookie stays.
 */
async function purge(page: Page, context: BrowserContext) {
  await page.goto(`${baseUrl()}/e2e/other.html`);
  await context.clearCookies({ name: '_stint' });
  await page.evaluate(async () => {
    localStorage.clear();
    sessionStorage.clear();
    await new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase('stint');
      request.onsuccess = resolve;
      request.onerror = () => reject(request.error);
      // (the page left may still hold the database in the back/forward cache: it closes it at versionchange, db.ts)
      setTimeout(() => reject(new Error('the database was not deleted within 5 s')), 5000);
    });
  });
  expect((await context.cookies()).map((c) => c.name).filter((n) => n.startsWith('_stint'))).toEqual([COPY]);
}

/** A visit: the page opened, an event, then the page left for another (its pagehide renews the copy). */
async function visit(page: Page, build: Build, run: string, name: string, more: Record<string, unknown> = {}) {
  await openStint(page, build, run, config(run, more));
  await call(page, 'track', name);
  await call(page, 'flush');
  const session = await call<{ userId: string; sessionId: string; sessionIndex: number; eventIndex: number }>(page, 'getSession');
  await page.goto(`${baseUrl()}/e2e/other.html`);
  return session;
}

test("serverCookie: after Safari's purge (simulated), the next visit keeps the device from the cookie the server set, and starts the next session: no index of the copied one again, though it went on after the day's copy; the page never writes it", async ({ page, context, build, run, collector }) => {
  await spyOnCookies(context);
  const first = await visit(page, build, run, 'first');
  expect((await waitAsked(run, 1)).map((a) => `${a.method} ${a.status}`)).toEqual(['POST 204']);
  await expect.poll(() => copyOf(context).then((c) => !!c)).toBe(true);
  const copy = (await copyOf(context))!;
  // Set by the server: not HttpOnly (the page reads it back), no longer than the server's own say.
  expect([copy.httpOnly, copy.path]).toEqual([false, '/']);
  // The session goes on after the day's copy (the copy is not renewed within the day), in a tab then closed.
  const tab = await context.newPage();
  await openStint(tab, build, run, config(run));
  for (const name of ['later 1', 'later 2', 'later 3']) await call(tab, 'track', name);
  await call(tab, 'flush');
  await collector.waitFor(3, (e) => e.name.startsWith('later'));
  // (left for a page without Stint before it closes: a closed tab's last write, at its pagehide, may land after close()
  // resolved, and Firefox ran it after the purge's clearCookies in 1 of about 20 CI runs: the cookie came back)
  await tab.goto(`${baseUrl()}/e2e/other.html`);
  await tab.close();
  expect(await asked(run)).toHaveLength(1);
  await purge(page, context);

  await openStint(page, build, run, config(run));
  await call(page, 'track', 'after the purge');
  await call(page, 'flush');
  const [after] = await collector.waitFor(1, (e) => e.name === 'after the purge');
  expect(after.session.userId).toBe(first.userId);
  expect([after.session.sessionIndex, after.session.previousSessionId]).toEqual([first.sessionIndex + 1, first.sessionId]);
  expect(after.session.storageMechanism).toBe('COOKIE_1');
  const [start] = await collector.waitFor(1, (e) => e.name === 'session_start' && e.session.sessionId === after.session.sessionId);
  expect(start.properties.reason).toBe('restored');
  // No index taken twice in either session (the pages' exits included), and no session_end of the copied one after the purge.
  await collector.proveSent(page);
  for (const sessionId of [first.sessionId, after.session.sessionId]) {
    const events = await collector.events((e) => e.session.sessionId === sessionId);
    const indices = events.map((e) => e.session.eventIndex);
    expect(new Set(indices).size, events.map((e) => `${e.name} ${e.session.eventIndex}`).join(', ')).toBe(indices.length);
    expect(events.filter((e) => e.name === 'session_start')).toHaveLength(1);
  }
  expect(await collector.events((e) => e.name === 'session_end')).toEqual([]);
  // The server's cookie: written by the server only, never by the page's script (Safari would cap it).
  expect(await cookieWrites(page)).not.toContain(COPY);
  expect(await cookieWrites(page)).toContain('_stint');
});

test('serverCookie: at most once a day per device: not again in the same page, nor from another tab, until a day has passed (a fake clock)', async ({ page, context, build, run, collector }) => {
  // (the tag configured by its data attributes: data-server-cookie)
  await page.goto(pageUrl('data', run, config(run)));
  await waitForStint(page);
  await page.clock.install();
  await call(page, 'track', 'a');
  await setVisibility(page, 'hidden');
  expect((await waitAsked(run, 1)).map((a) => a.method)).toEqual(['POST']);
  await expect.poll(() => copyOf(context).then((c) => !!c)).toBe(true);
  await setVisibility(page, 'visible');
  await call(page, 'track', 'b');
  await setVisibility(page, 'hidden');
  await setVisibility(page, 'visible');
  // Another tab of the site, hidden: the copy is of this device, and fresh.
  const other = await context.newPage();
  await openStint(other, build, run, config(run));
  await call(other, 'track', 'c');
  await setVisibility(other, 'hidden');
  // (each hide renews, or not, right after it beacons what it holds: a request of theirs would have been made before these arrived)
  await collector.waitFor(1, (e) => e.name === 'b');
  await collector.waitFor(1, (e) => e.name === 'c');
  await collector.proveSent(page);
  expect((await asked(run)).map((a) => a.method)).toEqual(['POST']);
  // A day later (the page's clock), the next hide renews it.
  await page.clock.fastForward(24 * 3_600_000 + 60_000);
  await call(page, 'track', 'a day later');
  await setVisibility(page, 'hidden');
  expect((await waitAsked(run, 2)).map((a) => a.method)).toEqual(['POST', 'POST']);
});

test('serverCookie: nothing is asked before consent, nor after a refusal; a withdrawal expires the copy', async ({ page, context, build, run, collector }) => {
  await spyOnCookies(context);
  // Consent pending: the page hides and leaves, nothing is asked.
  await openStint(page, build, run, config(run, { consent: 'pending' }));
  await call(page, 'track', 'held');
  await setVisibility(page, 'hidden');
  await page.goto(`${baseUrl()}/e2e/other.html`);
  // Refused, events sent anonymously: the page's beacon arrived, and nothing was asked.
  await openStint(page, build, run, config(run, { consent: 'denied', onDenied: 'anonymous' }));
  await call(page, 'track', 'anonymous');
  await setVisibility(page, 'hidden');
  await collector.waitFor(1, (e) => e.name === 'anonymous');
  await setVisibility(page, 'visible');
  await collector.proveSent(page);
  expect(await asked(run)).toEqual([]);
  expect(await copyOf(context)).toBeUndefined();

  // Granted: the copy is set at the first hide; withdrawn: the handler expires it.
  await page.goto(pageUrl(build, run, config(run)));
  await waitForStint(page);
  await call(page, 'track', 'granted');
  await setVisibility(page, 'hidden');
  await waitAsked(run, 1);
  await expect.poll(() => copyOf(context).then((c) => !!c)).toBe(true);
  await setVisibility(page, 'visible');
  await call(page, 'setConsent', 'denied');
  expect((await waitAsked(run, 2)).map((a) => `${a.method} ${a.status}`)).toEqual(['POST 204', 'DELETE 204']);
  await expect.poll(() => copyOf(context).then((c) => !!c)).toBe(false);
  // A refusal with nothing left to erase asks nothing.
  await openStint(page, build, run, config(run, { consent: 'denied' }));
  await call(page, 'track', 'refused');
  await setVisibility(page, 'hidden');
  await page.goto(`${baseUrl()}/e2e/other.html`);
  await collector.proveSent(context);
  expect((await asked(run)).map((a) => a.method)).toEqual(['POST', 'DELETE']);
  expect(await cookieWrites(page)).toContain('_stint');
  expect(await cookieWrites(page)).not.toContain(COPY);
});
