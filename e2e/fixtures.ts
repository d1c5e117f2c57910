/**
 * Fixtures and helpers shared by the e2e specs. The demo collector's record is the truth: a test
 * asks it what arrived, never `page.on('request')` (a beacon sent in pagehide may never show up there).
 * Each test sends to its own collector run, so tests share one server.
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

export type Build = 'tag' | 'esm';

export interface Session {
  userId: string;
  sessionId: string;
  sessionIndex: number;
  previousSessionId: string | null;
  storageMechanism: string;
  firstEventId: string | null;
  firstEventTimestamp: string | null;
  eventIndex: number;
}

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
  snowplow?: Record<string, string>;
}

export interface Summary {
  events: StintEvent[];
  duplicates: number;
  requests: { at: number; bytes: number; count?: number; status: number; format: string; contentType: string | null }[];
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
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      const found = await this.events(where);
      if (found.length >= count) return found;
      await sleep(100);
    }
    const { events, invalid, requests } = await this.summary();
    throw new Error(
      `expected ${count} matching events within ${timeout} ms; the collector has ${events.length} in ${requests.length} requests:\n` +
        events.map((e) => `  ${e.name} ${JSON.stringify(e.properties)} session ${e.session?.sessionIndex}/${e.session?.eventIndex}`).join('\n') +
        (invalid.length ? `\ninvalid batches: ${JSON.stringify(invalid.map((i) => i.errors))}` : ''),
    );
  }

  /** Exactly `count` events match, and still do after the page had time to send more (duplicates). */
  async exactly(count: number, where: (e: StintEvent) => boolean = () => true, settle = 1000): Promise<StintEvent[]> {
    await this.waitFor(count, where);
    await sleep(settle);
    const found = await this.events(where);
    expect(found.map((e) => e.name), 'no more and no fewer events than expected').toHaveLength(count);
    return found;
  }

  /** The next `count` requests of this run are answered with `status`. */
  async fault(status: number, count = 1, retryAfter?: number): Promise<void> {
    await fetch(`${baseUrl()}/api/runs/${this.run}/fault`, { method: 'POST', body: JSON.stringify({ status, count, retryAfter }) });
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

/** The URL of the e2e page for a build, a run and a config. */
export function pageUrl(build: Build | 'data', run: string, config: Record<string, unknown> = {}, extra = ''): string {
  return `${baseUrl()}/e2e/app.html?build=${build}&run=${run}&config=${encodeURIComponent(JSON.stringify(config))}${extra}`;
}

/** Opens the e2e page and waits for Stint to be loaded. */
export async function openStint(page: Page, build: Build, run: string, config: Record<string, unknown> = {}): Promise<Page> {
  await page.goto(pageUrl(build, run, config));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  return page;
}

/** Opens the e2e page in a new tab of `context` and waits for Stint; `extra` is appended to the query. */
export async function newTab(context: BrowserContext, build: Build, run: string, config: Record<string, unknown> = {}, extra = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pageUrl(build, run, config, extra));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  return page;
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

/** Stint's cookies in the browser context. */
export async function stintCookies(context: BrowserContext) {
  return (await context.cookies()).filter((c) => c.name.startsWith('_stint'));
}

/** Every console warning and error of a page, for the tests that count them. */
export function consoleOf(page: Page): { warnings: string[]; errors: string[] } {
  const seen = { warnings: [] as string[], errors: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'warning') seen.warnings.push(m.text());
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  return seen;
}

export const test = base.extend<{ build: Build; run: string; collector: Collector }>({
  build: ['tag', { option: true }],
  run: async ({}, use, info) => {
    await use(`${info.project.name}-${info.testId}-${info.repeatEachIndex}`.replace(/[^\w-]/g, '_'));
  },
  collector: async ({ run }, use) => {
    await use(new Collector(run));
  },
});

export { expect };
