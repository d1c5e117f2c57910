/**
 * Fixtures and helpers shared by the e2e specs. The demo collector's record is the truth: a test
 * asks it what arrived, never `page.on('request')` (a beacon sent in pagehide may never show up there).
 * Each test sends to its own collector run, so tests share one server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { test as base, expect as playwrightExpect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { EventSession } from '../src/core/formats/envelope';
import { startTwice } from './start';
import { withWebKit } from './webkit/page';
export { inTrackedOrder } from './order';

export type Build = 'tag' | 'esm';

/** The session as an event carries it (Snowplow's `client_session` fields). */
export type Session = EventSession;

export interface StintEvent {
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, any>;
  session: Session;
  sessionAttributes: Record<string, unknown>;
  user: { id: string | null };
  context: Record<string, any>;
  dropped: number;
  /** the batch's sampleRate */
  sampleRate: number;
  appId: string;
}

export interface Summary {
  events: StintEvent[];
  duplicates: number;
  /** The first duplicates: `name properties` of each. */
  duplicated: string[];
  /** `bytes`: the body as read (unzipped); `wire`: as it came, `encoding` its Content-Encoding */
  requests: { at: number; end?: number; delay?: number; from?: string | null; mode?: string | null; bytes: number; wire?: number; encoding?: string | null; count?: number; dropped?: number; status: number; format: string; contentType: string | null }[];
  invalid: { errors: string[] }[];
}

export const baseUrl = () => process.env.STINT_BASE_URL!;

/** The collector's record of one run, read over its HTTP API. */
export class Collector {
  constructor(readonly run: string) {}

  async summary(): Promise<Summary> {
    const res = await fetch(`${baseUrl()}/api/runs/${this.run}`);
    return res.json();
  }

  async events(where: (e: StintEvent) => boolean = () => true): Promise<StintEvent[]> {
    return (await this.summary()).events.filter(where);
  }

  /**
   * Waits (bounded) until at least `count` events match, then returns all that match. On timeout it
   * fails with what did arrive, which is what one needs to see when a test breaks.
   */
  async waitFor(count: number, where: (e: StintEvent) => boolean = () => true, timeout = 10_000): Promise<StintEvent[]> {
    const deadline = Date.now() + timeout;
    for (let i = 0; i < timeout / POLL && Date.now() < deadline; i++) {
      const found = await this.events(where);
      if (found.length >= count) return found;
      await sleep(POLL);
    }
    const { events, invalid, requests, duplicates, duplicated } = await this.summary();
    // (what the collector dropped as already there, by eventId, and what each request said it lost: an event that never
    // comes may have come under an id it had seen)
    const lost = requests.reduce((n, r) => n + (r.dropped ?? 0), 0);
    throw new Error(
      `expected ${count} matching events within ${timeout} ms; the collector has ${events.length} in ${requests.length} requests` +
        ` (${duplicates} dropped as duplicates${duplicates ? `: ${duplicated.join('; ')}` : ''}; ${lost} counted lost by the page):\n` +
        events.map((e) => `  ${e.name} ${JSON.stringify(e.properties)} session ${e.session?.sessionIndex}/${e.session?.eventIndex}`).join('\n') +
        (invalid.length ? `\ninvalid batches: ${JSON.stringify(invalid.map((i) => i.errors))}` : ''),
    );
  }

  /**
   * `waitFor` in a page whose clock is Playwright's fake one (`page.clock.install`), which moves on ten seconds each
   * second the events are not there (bounded: ten times). A jump of that clock can pass the bound of something in
   * flight (a request's answer, 30 s, src/delivery/transport.ts; a database's, 2-3 s), which the sender then waits
   * out on the page's clock before it sends again. (The events that never came in CI, which this was first written
   * for, were lost by the outbox's read race, fixed in core/send/send.ts `read`; the clock's bounds are a cause of their own.)
   */
  async waitTicking(page: Page, count: number, where: (e: StintEvent) => boolean = () => true): Promise<StintEvent[]> {
    for (let i = 0; i < 10; i++) {
      const found = await this.waitFor(count, where, 1000).catch(() => null);
      if (found) return found;
      await page.clock.runFor(10_000);
    }
    return this.waitFor(count, where);
  }

  /**
   * Exactly `count` events match, and still do once the page had every chance to send more (duplicates):
   * `count` arrived, then a marker (`proveSent`) arrived after them.
   */
  async exactly(count: number, where: (e: StintEvent) => boolean, page: Page | BrowserContext): Promise<StintEvent[]> {
    await this.waitFor(count, where);
    await this.proveSent(page);
    const found = await this.events(where);
    expect(found.map((e) => e.name), 'no more and no fewer events than expected').toHaveLength(count);
    return found;
  }

  /**
   * Proves the page had every chance to send: a marker event is tracked after everything else and flushed,
   * and it arrived. Given a live Stint page, the marker goes through that page's own tracker (its queue is
   * in order, so everything queued before went first); given a context, a page freshly loaded in another
   * context of the browser (the worker's marker page: `markerPage`) sends it with app id `marker`, after the
   * browser has had every chance to deliver what the page handed it. A page that cannot send (consent pending
   * or refused, shut down) is proven by its context.
   */
  async proveSent(target: Page | BrowserContext): Promise<void> {
    const marker = `marker-${++markers}`;
    if ('goto' in target) {
      expect(typeof (await call(target, 'track', marker)), 'the page can send its marker').toBe('string');
      await call(target, 'flush');
      await this.waitFor(1, (e) => e.name === marker);
      return;
    }
    await markerPage(target.browser()!, async (page) => {
      await openStint(page, 'tag', this.run, MARKER);
      await call(page, 'track', marker);
      await call(page, 'flush');
    });
    await this.waitFor(1, (e) => e.name === marker);
  }

  /** After `proveSent`: no event arrived but the marker pages' and those `allowed`, and no batch was refused. */
  async expectNothingSent(target: Page | BrowserContext, allowed: (e: StintEvent) => boolean = () => false): Promise<void> {
    await this.proveSent(target);
    const { events, invalid } = await this.summary();
    // (a marker may open a session of its own: its session_start is the marker's too)
    const markers = new Set(events.filter((e) => /^marker-/.test(e.name)).map((e) => e.session.sessionId));
    const ofMarker = (e: StintEvent) => /^marker-/.test(e.name) || (e.name === 'session_start' && markers.has(e.session.sessionId));
    const sent = events.filter((e) => e.appId !== 'marker' && !ofMarker(e) && !allowed(e));
    expect(sent.map((e) => e.name), 'nothing was sent').toEqual([]);
    expect(invalid).toEqual([]);
  }

  /** The next `count` requests of this run are answered with `status` (after `delay` ms; a redirect's `location`). */
  async fault(status: number, count = 1, retryAfter?: number, delay?: number, location?: string): Promise<void> {
    await fetch(`${baseUrl()}/api/runs/${this.run}/fault`, { method: 'POST', body: JSON.stringify({ status, count, retryAfter, delay, location }) });
  }

  /** Answers normally again. */
  async heal(): Promise<void> {
    await fetch(`${baseUrl()}/api/runs/${this.run}/fault`, { method: 'DELETE' });
  }

  async expectValid(): Promise<void> {
    const { invalid } = await this.summary();
    expect(invalid.map((i) => i.errors), 'every batch validates against the schemas').toEqual([]);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How often a wait looks again (the collector's record, `expect.poll`): a fact is seen within this much of
 * coming true. (Playwright's own polls back off to once a second: a fact true at 0.9 s was seen at 1.85 s.)
 */
const POLL = 25;

/** `expect`, whose `expect.poll` looks every POLL ms at first, then every 100 ms (its bound is still its timeout). */
export const expect = new Proxy(playwrightExpect, {
  get(target, key, receiver) {
    if (key !== 'poll') return Reflect.get(target, key, receiver);
    return (actual: () => unknown, options?: string | { message?: string; timeout?: number; intervals?: number[] }) =>
      target.poll(actual, { intervals: [POLL, 2 * POLL, 4 * POLL], ...(typeof options === 'string' ? { message: options } : options) });
  },
}) as typeof playwrightExpect;

let markers = 0;

/**
 * The marker's page: anonymous (onDenied 'anonymous': it keeps nothing on the device, so no marker's event waits
 * there for the next), of its own app, and deaf to Global Privacy Control.
 */
const MARKER = { appId: 'marker', consent: 'denied', onDenied: 'anonymous', respectGlobalPrivacyControl: false };

/**
 * Runs `use` on the worker's marker page: a page in a context of its own, made once per browser and kept for the
 * worker's tests (a context costs a second or more in WebKit, where it is a MiniBrowser of its own). `use` loads a
 * fresh document in it. A page that can no longer be used (Firefox's `crash` takes every page of the site down) is
 * given up with its context, and `use` runs once more on a new one.
 */
async function markerPage(browser: Browser, use: (page: Page) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let made = markerPages.get(browser);
    if (!made) markerPages.set(browser, (made = browser.newContext().then((context) => context.newPage())));
    try {
      return await use(await made);
    } catch (e) {
      markerPages.delete(browser);
      await made.then((page) => page.context().close()).catch(() => {});
      if (attempt === 2) throw e;
    }
  }
}
const markerPages = new WeakMap<Browser, Promise<Page>>();

/** The URL of the e2e page for a build, a run and a config. */
export function pageUrl(build: Build | 'data' | 'previous', run: string, config: Record<string, unknown> = {}, extra = ''): string {
  return `${baseUrl()}/e2e/app.html?build=${build}&run=${run}&config=${encodeURIComponent(JSON.stringify(config))}${extra}`;
}

/**
 * Waits until Stint is loaded and, unless consent is still to be given, ready: consent and storage have
 * answered and calls run at once. No test passes because a call was still held.
 */
export async function waitForStint(page: Page, config: Record<string, unknown> = {}): Promise<Page> {
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  if (!['pending', 'tcf', 'google', 'gpp'].includes(config.consent as string)) await call(page, 'ready');
  return page;
}

/** Opens the e2e page and waits for Stint (`waitForStint`). */
export async function openStint(page: Page, build: Build, run: string, config: Record<string, unknown> = {}): Promise<Page> {
  await page.goto(pageUrl(build, run, config));
  return waitForStint(page, config);
}

/**
 * Starts Stint in a page opened with `&noinit` (after the test prepared the page), with the page's config and
 * `config`: the tag's `init`, or the npm build's `createTracker`; `stint(method, ...args)` works for both after.
 */
export function startStint(page: Page, build: Build, config: Record<string, unknown> = {}): Promise<void> {
  return page.evaluate(
    async ({ build, config }) => {
      const w = window as any;
      const full = { ...w.__stintConfig, ...config };
      if (build === 'tag') return w.stint('init', full);
      const { createTracker } = await import('/dist/index.mjs' as string);
      const tracker = createTracker(full);
      w.stint = (method: string, ...args: unknown[]) => tracker[method](...args);
    },
    { build, config },
  );
}

/** Opens the e2e page in a new tab of `context` and waits for Stint; `extra` is appended to the query. */
export async function newTab(context: BrowserContext, build: Build, run: string, config: Record<string, unknown> = {}, extra = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pageUrl(build, run, config, extra));
  return waitForStint(page, config);
}

/**
 * The entries (named `name`, when given) waiting in Stint's IndexedDB outbox, read straight from the
 * database's `outbox` store.
 */
export function outboxSize(page: Page, name?: string): Promise<number> {
  return page.evaluate(
    async (name) =>
      !(await indexedDB.databases()).some((d) => d.name === 'stint')
        ? 0
        : new Promise<number>((resolve) => {
        const open = indexedDB.open('stint');
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('outbox')) return db.close(), resolve(0);
          const all = db.transaction('outbox').objectStore('outbox').getAll();
          all.onsuccess = () => {
            db.close();
            // A chunk: { contexts, list: JSON text of [{ id, c, e: its own fields }] }.
            const entries: { name?: string }[] = [];
            for (const v of all.result as any[]) if (typeof v?.list === 'string') entries.push(...JSON.parse(v.list).map((x: any) => x.e));
            resolve(entries.filter((e) => !name || e.name === name).length);
          };
          all.onerror = () => (db.close(), resolve(0));
        };
      }),
    name,
  );
}

/** Calls a tracker method in the page, the same way for both builds: `stint(method, ...args)`. */
export function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (window as any).stint(m, ...(a as unknown[])), [method, args] as const) as Promise<T>;
}

/**
 * Headless Chromium keeps every page visible and Playwright cannot hide one (microsoft/playwright#2286):
 * the page's visibility is stubbed and `visibilitychange` dispatched, as web-vitals' tests do.
 */
export function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  return page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/**
 * With `engagement` on: a page view, a real key press, the page hidden and shown, then `endSession()`, an event and a
 * flush: the page view's `page_engagement` and the session's `session_end` with `engaged_ms` are on their way.
 */
export async function engageThenEnd(page: Page): Promise<void> {
  await call(page, 'page');
  await page.keyboard.press('ArrowDown');
  await setVisibility(page, 'hidden');
  await setVisibility(page, 'visible');
  await call(page, 'endSession');
  await call(page, 'track', 'next');
  await call(page, 'flush');
}

/**
 * Kills the page's renderer, as a crash does: no pagehide, nothing said. Chromium: `Page.crash` over CDP.
 * Firefox has no such command over WebDriver BiDi: the content processes that host web pages in this
 * worker's Firefox are killed (every page of the site goes with them; scripts/firefox.sh keeps the browser
 * running). The page cannot be used afterwards.
 */
export async function crash(page: Page): Promise<void> {
  if (page.context().browser()!.browserType().name() === 'chromium') {
    const cdp = await page.context().newCDPSession(page);
    cdp.send('Page.crash').catch(() => {});
    await page.waitForEvent('crash');
    return;
  }
  const processes = readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) state ppid ..."
        return { pid: +pid, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: +stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] };
      } catch {
        return null; // gone meanwhile
      }
    })
    .filter((p) => p !== null);
  // This worker launched its Firefox: the web content processes are among its descendants.
  const descendants = (pid: number): typeof processes => processes.filter((p) => p.ppid === pid).flatMap((p) => [p, ...descendants(p.pid)]);
  const victims = descendants(process.pid).filter((p) => p.comm === 'Isolated Web Co');
  expect(victims.length, 'the content processes of this worker\'s Firefox').toBeGreaterThan(0);
  for (const { pid } of victims) process.kill(pid, 'SIGKILL');
  await expect.poll(() => victims.filter(({ pid }) => existsPid(pid)).length).toBe(0);
}

const existsPid = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
};

/**
 * WebKit keeps a page that is navigated away from in its back/forward cache whenever it can, whatever its
 * Cache-Control says (Chromium under Playwright and Firefox keep the e2e page, served no-store, out): the page
 * leaves with pagehide persisted, which Stint reports as no exit. Whether it can depends on what the page
 * has in flight at that moment, so in WebKit a plain navigation away may or may not be an exit.
 * (bfcache.spec.ts plays the cache itself, in every engine.)
 */
export const leavesIntoCache = (browserName: string) => browserName === 'webkit';

/** Stint's cookies in the browser context. */
export async function stintCookies(context: BrowserContext) {
  return (await context.cookies()).filter((c) => c.name.startsWith('_stint'));
}

/** Every console warning and error of a page, for the tests that count them. */
export function consoleOf(page: Page): { warnings: string[]; errors: string[]; debug: string[] } {
  const seen = { warnings: [] as string[], errors: [] as string[], debug: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'warning') seen.warnings.push(m.text());
    if (m.type() === 'error') seen.errors.push(m.text());
    if (m.type() === 'debug') seen.debug.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  return seen;
}

export const test = base.extend<{ build: Build; run: string; collector: Collector }, {}>({
  // WebKit: Playwright's own fixtures launch `playwright.webkit`, which here is WebKitGTK over WebDriver
  // (e2e/webkit/page.ts), one test at a time (its project has one worker: playwright.config.ts).
  // (What WebKit cannot play is left out of its projects: e2e/webkit/skips.ts.)
  playwright: [async ({ playwright, browserName }, use) => use(browserName === 'webkit' ? withWebKit(playwright) : playwright), { scope: 'worker', box: true }],
  // Playwright's own, launched with the config's options (its _browserOptions), but tried twice (e2e/start.ts).
  browser: [
    async ({ playwright, browserName }, use) => {
      const name = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' }[browserName];
      const browser = await startTwice(name, () => playwright[browserName].launch());
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 0 },
  ],
  // the script tag, or the ESM build where a test says so (e2e/npm.ts)
  build: ['tag', { option: true }],
  run: async ({}, use, info) => {
    await use(`${info.project.name}-${info.testId}-${info.repeatEachIndex}`.replace(/[^\w-]/g, '_'));
  },
  collector: async ({ run }, use) => {
    await use(new Collector(run));
  },
});


/**
 * Declares `tests` to be played in Chromium alone, unless `everywhere`: what they prove is a decision of Stint's own
 * code that every engine plays the same (its proof is in test/ or test/core, in Node), or one case of several of
 * which another plays in every engine. `why`, one line, is what the run's report prints beside their titles. They are
 * skipped before any fixture of theirs is made (a context is a MiniBrowser of its own in WebKit). Their titles are
 * their own (an anonymous describe).
 */
export function inChromium(why: string, tests: () => void, everywhere = false): void {
  if (everywhere) return tests();
  test.describe(() => {
    test.skip(({ browserName }) => browserName !== 'chromium', why);
    tests();
  });
}
