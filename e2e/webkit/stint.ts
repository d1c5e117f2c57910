/**
 * The e2e fixtures (e2e/fixtures.ts) for the WebKit runner: the same test page, the same collector and its
 * record as the truth, the same helpers by the same names, driven over WebDriver instead of Playwright.
 */
import { expect, inject } from 'vitest';
import { Session, type Tab } from './webdriver';

export type Build = 'tag' | 'esm';
export type Where = (e: StintEvent) => boolean;

export interface StintEvent {
  eventId: string;
  name: string;
  timestamp: string;
  properties: Record<string, any>;
  session: Record<string, any>;
  sessionAttributes: Record<string, unknown>;
  user: { id: string | null };
  context: Record<string, any>;
  appId: string;
  /** the batch's sampleRate */
  sampleRate: number;
}

export interface Summary {
  events: StintEvent[];
  duplicates: number;
  requests: { at: number; end?: number; status: number; bytes: number; delay?: number; dropped?: number }[];
  invalid: { errors: string[] }[];
}

export const baseUrl = () => inject('stintBaseUrl');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let markers = 0;

/** The URL of the e2e page for a build, a run and a config (`extra` is appended to the query). */
export function pageUrl(build: Build | 'data' | 'previous', run: string, config: Record<string, unknown> = {}, extra = ''): string {
  return `${baseUrl()}/e2e/app.html?build=${build}&run=${run}&config=${encodeURIComponent(JSON.stringify(config))}${extra}`;
}

/** Calls a tracker method in the page: `stint(method, ...args)`, awaited within the page's bound. */
export function call<T = unknown>(tab: Tab, method: string, ...args: unknown[]): Promise<T> {
  return tab.run((m: string, a: unknown[]) => (window as any).stint(m, ...a), method, args);
}

/** Waits until Stint is loaded and, unless consent is still to be given, ready. */
export async function waitForStint(tab: Tab, config: Record<string, unknown> = {}): Promise<Tab> {
  await tab.run(
    () =>
      new Promise<void>((resolve) => {
        const poll = () => ((window as any).__stintLoaded ? resolve() : setTimeout(poll, 20));
        poll();
      }),
  );
  if (config.consent !== 'pending' && config.consent !== 'tcf') await call(tab, 'ready');
  return tab;
}

/** Opens the e2e page (`extra`: more of the query, e.g. `&clock`) and waits for Stint. */
export async function openStint(tab: Tab, build: Build, run: string, config: Record<string, unknown> = {}, extra = ''): Promise<Tab> {
  await tab.goto(pageUrl(build, run, config, extra));
  return waitForStint(tab, config);
}

/** The page's visibility, stubbed (as e2e/fixtures.ts does), with a `visibilitychange`. */
export function setVisibility(tab: Tab, state: 'hidden' | 'visible'): Promise<void> {
  return tab.run((s: string) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** Moves the page's clock forward (a page opened with `&clock`; WebDriver has no page.clock). */
export function advance(tab: Tab, ms: number): Promise<void> {
  return tab.run((by: number) => (window as any).__advance(by), ms);
}

/** Waits until `url` matches (a navigation the page started itself), within 10 s. */
export async function waitForUrl(tab: Tab, url: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!url.test(await tab.url())) {
    if (Date.now() > deadline) throw new Error(`still at ${await tab.url()}, not ${url}`);
    await sleep(50);
  }
}

/** The collector's record of one run, as in e2e/fixtures.ts. */
export class Collector {
  constructor(readonly run: string) {}

  async summary(): Promise<Summary> {
    return (await fetch(`${baseUrl()}/api/runs/${this.run}`)).json() as Promise<Summary>;
  }

  async events(where: Where = () => true): Promise<StintEvent[]> {
    return (await this.summary()).events.filter(where);
  }

  /** Waits (bounded) until at least `count` events match; fails with what did arrive. */
  async waitFor(count: number, where: Where = () => true, timeout = 10_000): Promise<StintEvent[]> {
    const deadline = Date.now() + timeout;
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      const found = await this.events(where);
      if (found.length >= count) return found;
      await sleep(100);
    }
    const { events, requests } = await this.summary();
    throw new Error(
      `expected ${count} matching events within ${timeout} ms; the collector has ${events.length} in ${requests.length} requests:\n` +
        events.map((e) => `  ${e.name} ${JSON.stringify(e.properties)} session ${e.session?.sessionIndex}/${e.session?.eventIndex}`).join('\n'),
    );
  }

  /** Exactly `count` match, and still do once the page (or, given null, a fresh browser) had every chance to send more. */
  async exactly(count: number, where: Where, tab: Tab | null): Promise<StintEvent[]> {
    await this.waitFor(count, where);
    await this.proveSent(tab);
    const found = await this.events(where);
    expect(found.map((e) => e.name), 'no more and no fewer events than expected').toHaveLength(count);
    return found;
  }

  /**
   * A marker event tracked after everything else arrived: through the page's own tracker, or (null: the page
   * cannot send, or is gone) from a fresh WebDriver session, which is a fresh browser with its own storage.
   */
  async proveSent(tab: Tab | null): Promise<void> {
    const marker = `marker-${++markers}`;
    if (tab) {
      await tab.focus();
      expect(typeof (await call(tab, 'track', marker)), 'the page can send its marker').toBe('string');
      await call(tab, 'flush');
    } else {
      const session = await Session.start(inject('markerDriverUrl'));
      try {
        const fresh = await openStint(await session.tab(), 'tag', this.run, { appId: 'marker', consent: 'granted', respectGlobalPrivacyControl: false });
        await call(fresh, 'track', marker);
        await call(fresh, 'flush');
      } finally {
        await session.close();
      }
    }
    await this.waitFor(1, (e) => e.name === marker);
  }

  /** After `proveSent`: nothing arrived but the markers and what is `allowed`. */
  async expectNothingSent(tab: Tab | null, allowed: Where = () => false): Promise<void> {
    await this.proveSent(tab);
    const { events, invalid } = await this.summary();
    // (a marker may open a session of its own: its session_start is the marker's too)
    const markers = new Set(events.filter((e) => /^marker-/.test(e.name)).map((e) => e.session.sessionId));
    const ofMarker = (e: StintEvent) => /^marker-/.test(e.name) || (e.name === 'session_start' && markers.has(e.session.sessionId));
    expect(events.filter((e) => e.appId !== 'marker' && !ofMarker(e) && !allowed(e)).map((e) => e.name), 'nothing was sent').toEqual([]);
    expect(invalid).toEqual([]);
  }

  async fault(status: number, count = 1, retryAfter?: number, delay?: number): Promise<void> {
    await fetch(`${baseUrl()}/api/runs/${this.run}/fault`, { method: 'POST', body: JSON.stringify({ status, count, retryAfter, delay }) });
  }

  async heal(): Promise<void> {
    await fetch(`${baseUrl()}/api/runs/${this.run}/fault`, { method: 'DELETE' });
  }

  async expectValid(): Promise<void> {
    expect((await this.summary()).invalid.map((i) => i.errors), 'every batch validates against the schemas').toEqual([]);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    stintBaseUrl: string;
    webdriverUrl: string;
    markerDriverUrl: string;
  }
}
