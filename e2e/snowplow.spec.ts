/**
 * format 'snowplow' against a Snowplow pipeline's own rules (e2e/conformance/snowplow.mjs: stream-collector's
 * routes, CORS and cookies, enrich's tracker protocol adapter, Iglu validation and atomic field lengths):
 * every event must be a good event, none a bad row, over fetch and beacon, same-origin and cross-origin.
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, engageThenEnd, expect, pageUrl, test, waitForStint, type Build } from './fixtures';
import { bothBuilds, tagBuild } from './npm';

type Good = Record<string, any>;
interface Pipeline {
  origin: string;
  record: { requests: { path: string; contentType: string | null; cookie: string | null; spAnonymous: boolean }[]; good: Good[]; bad: { reason: string }[] };
  close(): Promise<void>;
}
/** The pipeline is an ES module of its own (imported, not transformed as a spec is). */
const startSnowplowPipeline = async (options = {}): Promise<Pipeline> => (await import('./conformance/snowplow.mjs')).startSnowplowPipeline(options);

let pipeline: Pipeline;
test.beforeEach(async () => {
  pipeline = await startSnowplowPipeline();
});
test.afterEach(async () => {
  await pipeline.close();
});

/** Opens the e2e page, served by `origin` (the pipeline's own: same-origin; the demo server: cross-origin). */
async function open(page: Page, origin: string, build: Build, run: string, config: Record<string, unknown> = {}) {
  const full = { collector: pipeline.origin, appId: run, format: 'snowplow', ...config };
  await page.goto(pageUrl(build, run, full).replace(baseUrl(), origin));
  return waitForStint(page, full);
}

/** Waits (bounded) for `count` good events of this test's app; fails at once on a bad row. */
async function good(run: string, count: number): Promise<Good[]> {
  await expect
    .poll(() => {
      expect(pipeline.record.bad, 'bad rows').toEqual([]);
      return pipeline.record.good.filter((e) => e.aid === run).length;
    })
    .toBeGreaterThanOrEqual(count);
  return pipeline.record.good.filter((e) => e.aid === run) as Good[];
}

const entity = (e: Good, name: string) => e.contexts.find((c: { schema: string }) => c.schema.includes(`/${name}/`))?.data;

for (const where of ['same-origin', 'cross-origin'] as const) {
  (where === 'same-origin' ? bothBuilds : tagBuild)(() => {
    test(`every event is a good event (fetch, ${where})`, async ({ page, build, run }) => {
      await open(page, where === 'same-origin' ? pipeline.origin : baseUrl(), build, run);
      await call(page, 'setSessionAttribute', 'plan', 'pro');
      await call(page, 'page', { section: 'home' });
      await call(page, 'track', 'signup', { method: 'email' });
      await call(page, 'identify', 'user-7');
      await call(page, 'flush');
      await call(page, 'track', 'second-request');
      await call(page, 'flush');
      const events = await good(run, 6); // session_start, application_initialized, page_view, signup, identify, second-request
      expect(pipeline.record.requests.every((r) => r.path === '/com.snowplowanalytics.snowplow/tp2')).toBe(true);
      expect(pipeline.record.requests.every((r) => r.contentType === 'application/json; charset=utf-8')).toBe(true);

      const view = events.find((e) => e.e === 'pv')!;
      const signup = events.find((e) => e.unstruct?.data?.name === 'signup')!;
      expect(view).toMatchObject({ p: 'web', tna: 'stint', aid: run });
      expect(entity(view, 'context')).toMatchObject({ properties: { section: 'home' }, sessionAttributes: { plan: 'pro' }, dropped: 0 });
      expect(signup.unstruct.data.properties).toEqual({ method: 'email' });
      // One page view id, on the page view and the events that follow it (Snowplow's web_page context).
      expect(entity(signup, 'web_page').id).toBe(entity(view, 'web_page').id);
      const session = entity(signup, 'client_session');
      expect(session).toMatchObject({ storageMechanism: 'COOKIE_1', sessionIndex: 1 });
      expect(signup.duid).toBe(session.userId);
      expect(signup.sid).toBe(session.sessionId);
      expect(events.find((e) => e.unstruct?.data?.name === 'second-request')!.uid).toBe('user-7');
      // session_start: an unstructured event in dev.stint/event, the session's first (client_session eventIndex 1, its own id first)
      const start = events.find((e) => e.unstruct?.data?.name === 'session_start')!;
      expect(start.e).toBe('ue');
      expect(start.unstruct.data.properties).toEqual({ session_id: start.sid, previous_session_id: null, session_index: 1, reason: 'first', entry_page: '/e2e/app.html', referrer: null, utm: null });
      expect(entity(start, 'client_session')).toMatchObject({ sessionId: start.sid, eventIndex: 1, firstEventId: start.eid });
      // No appVersion in the config: no application context.
      expect(events.filter((e) => entity(e, 'application'))).toEqual([]);
    });

    test(`the collector's cookie comes back (fetch, ${where}): one network user id`, async ({ page, build, run }) => {
      await open(page, where === 'same-origin' ? pipeline.origin : baseUrl(), build, run);
      await call(page, 'track', 'first-request');
      await call(page, 'flush');
      await call(page, 'track', 'second-request');
      await call(page, 'flush');
      const events = await good(run, 4); // session_start, application_initialized, first-request, second-request
      expect(pipeline.record.requests.length).toBeGreaterThanOrEqual(2);
      // credentials: the sp cookie set at the first request comes back with the next, so one network user id.
      expect(pipeline.record.requests.at(-1)!.cookie).toBe(events[0].network_userid);
      expect(new Set(events.map((e) => e.network_userid)).size).toBe(1);
    });
  });
}

test('beacon: events tracked right before a real navigation away are good events (cross-origin)', async ({ page, build, run }) => {
  await open(page, baseUrl(), build, run);
  await page.evaluate(() => {
    for (let i = 0; i < 10; i++) (window as any).stint('track', 'leaving', { i });
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  const events = await good(run, 11);
  expect(events.filter((e) => e.unstruct?.data?.name === 'leaving')).toHaveLength(10);
  expect(pipeline.record.requests.every((r) => r.contentType === 'application/json; charset=utf-8')).toBe(true);
});

test('anonymous mode: SP-Anonymous on every request (the beacon too), so no cookie and no network user id', async ({ page, build, run }) => {
  await open(page, pipeline.origin, build, run, { consent: 'denied', onDenied: 'anonymous' });
  await call(page, 'track', 'anonymous');
  await call(page, 'flush');
  await page.evaluate(() => {
    (window as any).stint('track', 'anonymous-leaving');
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  // 4: the 3 the flush sent (session_start, application_initialized, anonymous) and the one the beacon carries;
  // waiting for 3 returned before the beacon could arrive (CI, chromium-esm, once).
  const events = await good(run, 4);
  expect(events.every((e) => e.spAnonymous && e.network_userid === '00000000-0000-0000-0000-000000000000')).toBe(true);
  expect(events.map((e) => e.unstruct?.data?.name)).toContain('anonymous-leaving');
  expect((await page.context().cookies(pipeline.origin)).map((c) => c.name)).not.toContain('sp');
});

test('fields past the atomic schema’s lengths are cut, never a bad row', async ({ page, build, run }) => {
  await open(page, pipeline.origin, build, run);
  const url = `${pipeline.origin}/e2e/app.html?long=${'u'.repeat(5000)}`;
  await call(page, 'page', {}, { url, title: 't'.repeat(2500), referrer: `${pipeline.origin}/?r=${'r'.repeat(5000)}` });
  await call(page, 'flush');
  const [view] = (await good(run, 2)).filter((e) => e.e === 'pv');
  expect([view.url.length, view.page.length, view.refr.length]).toEqual([4096, 2000, 4096]);
});

test("appVersion: Snowplow's application context on every event, a good event", async ({ page, build, run }) => {
  await open(page, pipeline.origin, build, run, { appVersion: '2.3.0' });
  await call(page, 'page');
  await call(page, 'track', 'versioned');
  await call(page, 'flush');
  const events = await good(run, 4); // session_start, application_initialized, page_view, versioned
  expect(events.map((e) => entity(e, 'application'))).toEqual(events.map(() => ({ version: '2.3.0' })));
});

test("compression: 'gzip' does not apply: a Snowplow collector takes no gzip body, so every request is plain and every event good", async ({ page, build, run }) => {
  await open(page, pipeline.origin, build, run, { compression: 'gzip' });
  await call(page, 'track', 'not-zipped');
  await call(page, 'flush');
  const events = await good(run, 3); // session_start, application_initialized, not-zipped
  expect(events.map((e) => e.unstruct?.data?.name)).toContain('not-zipped');
  expect(pipeline.record.requests.every((r) => r.contentType === 'application/json; charset=utf-8')).toBe(true);
});

test('postPath: the path a collector mapped to the tracker protocol (a first-party proxy)', async ({ page, build, run }) => {
  await pipeline.close();
  pipeline = await startSnowplowPipeline({ paths: { '/stint/e': '/com.snowplowanalytics.snowplow/tp2' } });
  await open(page, pipeline.origin, build, run, { snowplow: { postPath: '/stint/e' } });
  await call(page, 'track', 'proxied');
  await call(page, 'flush');
  await good(run, 2);
  expect(pipeline.record.requests.every((r) => r.path === '/stint/e')).toBe(true);
});

test("cookies blocked: client_session's storageMechanism is one of Snowplow's values; the exact one is in dev.stint/context", async ({ page, build, run }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => {} });
  });
  await open(page, pipeline.origin, build, run);
  await call(page, 'track', 'stored');
  await call(page, 'flush');
  const stored = (await good(run, 2)).find((e) => e.unstruct?.data?.name === 'stored')!;
  expect(entity(stored, 'client_session').storageMechanism).toBe('LOCAL_STORAGE');
  expect(entity(stored, 'context').storageMechanism).toBe('INDEXED_DB');
});

test('engaged time: page_engagement and session_end with engaged_ms are good events (dev.stint/event)', async ({ page, build, run }) => {
  await open(page, pipeline.origin, build, run, { engagement: { idle: 5000 } });
  await engageThenEnd(page);
  const events = await good(run, 8);
  const named = (name: string) => events.find((e) => e.unstruct?.data?.name === name);
  await expect.poll(() => !!named('next')).toBe(true);
  const engagement = named('page_engagement')!;
  expect(engagement.e).toBe('ue');
  expect(engagement.unstruct.data.properties).toEqual({ engaged_ms: expect.any(Number) });
  expect(engagement.unstruct.data.properties.engaged_ms).toBeGreaterThan(0);
  // Its page view: the web_page entity of the page view it measured.
  expect(entity(engagement, 'web_page').id).toBe(entity(events.find((e) => e.e === 'pv')!, 'web_page').id);
  const end = named('session_end')!.unstruct.data.properties;
  expect(end.engaged_ms).toBeGreaterThanOrEqual(engagement.unstruct.data.properties.engaged_ms);
  expect(end.engaged_ms).toBeLessThanOrEqual(end.duration_ms);
});
