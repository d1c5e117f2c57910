/**
 * format 'otlp' against an OpenTelemetry Collector's own rules (e2e/conformance/otlp.mjs: the otlp receiver's
 * routes and content types, pdata's JSON reading, confighttp's CORS, every body decoded with opentelemetry-proto's
 * definitions): every event taken in, no request refused, nothing the specification forbids, over fetch and beacon,
 * same-origin and cross-origin.
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, engageThenEnd, expect, pageUrl, test, waitForStint, type Build } from './fixtures';
import { bothBuilds, tagBuild } from './npm';

interface LogRecord {
  eventName: string;
  timeUnixNano: string;
  body: Record<string, unknown>;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}
interface Receiver {
  origin: string;
  record: {
    requests: { method: string; path: string; contentType: string | null; encoding: string | null; origin: string | null; cookies: boolean; authorization: string | null; status: number; bytes: number; wire: number }[];
    accepted: { body: string }[];
    refused: { status: number; why: string; path: string }[];
    forbidden: { why: string[] }[];
    preflights: { allowed: boolean; headers: string[] }[];
  };
  records(): LogRecord[];
  close(): Promise<void>;
}
/** The receiver is an ES module of its own (imported, not transformed as a spec is). */
const startOtlpReceiver = async (options: { allowedOrigins?: string[]; allowedHeaders?: string[]; logsPath?: string } = {}): Promise<Receiver> =>
  (await import('./conformance/otlp.mjs')).startOtlpReceiver(options as never);

let receiver: Receiver;
/** The receiver as the README's recipe configures it: CORS lists the site's exact origin (the demo server's). */
const start = async (options: { allowedHeaders?: string[]; logsPath?: string } = {}) => {
  await receiver?.close();
  receiver = await startOtlpReceiver({ allowedOrigins: [baseUrl()], ...options });
};
test.beforeEach(() => start());
test.afterEach(async ({}, info) => {
  // What the receiver made of the test's requests, in the report (the closing note's tally per engine).
  const { accepted, refused, forbidden } = receiver.record;
  info.annotations.push({ type: 'otlp', description: `${receiver.records().length} records in ${accepted.length} bodies taken in; ${refused.length} refused; ${forbidden.length} with what the specification forbids` });
  await receiver.close();
});

/** Opens the e2e page, served by `origin` (the receiver's own: same-origin; the demo server: cross-origin). */
async function open(page: Page, origin: string, build: Build, run: string, config: Record<string, unknown> = {}) {
  const full = { collector: receiver.origin, appId: run, format: 'otlp', ...config };
  await page.goto(pageUrl(build, run, full).replace(baseUrl(), origin));
  return waitForStint(page, full);
}

/** Waits (bounded) for `count` records of this test's app; fails at once on a refused request or a forbidden body. */
async function taken(run: string, count: number): Promise<LogRecord[]> {
  const mine = () => receiver.records().filter((r) => r.resource['service.name'] === run);
  await expect
    .poll(() => {
      expect(receiver.record.refused, 'requests the receiver refused').toEqual([]);
      expect(receiver.record.forbidden, 'what the specification forbids').toEqual([]);
      return mine().length;
    })
    .toBeGreaterThanOrEqual(count);
  return mine();
}

/**
 * Every request was a POST of JSON to the logs path; `cookies`: whether they may carry cookies (a beacon's
 * credentials mode is always include: the page's own cookies for this host go along; a fetch sends none).
 */
function expectRequests(path = '/v1/logs', cookies = false) {
  const posts = receiver.record.requests;
  expect(posts.length).toBeGreaterThan(0);
  expect(posts.map((r) => [r.method, r.path, r.contentType, r.status])).toEqual(posts.map(() => ['POST', path, 'application/json', 200]));
  if (!cookies) expect(posts.filter((r) => r.cookies)).toEqual([]);
}

const ids = (records: LogRecord[]) => records.map((r) => r.attributes['log.record.uid']);

for (const where of ['same-origin', 'cross-origin'] as const) {
  (where === 'same-origin' ? bothBuilds : tagBuild)(() => {
    test(`every event is taken in by an OTel Collector (fetch, ${where}); sessions as session.start and session.end`, async ({ page, build, run }) => {
      await open(page, where === 'same-origin' ? receiver.origin : baseUrl(), build, run, { appVersion: '2.3.0' });
      const tracked: string[] = [];
      await call(page, 'setSessionAttribute', 'plan', 'pro');
      tracked.push(await call<string>(page, 'page', { section: 'home' }));
      tracked.push(await call<string>(page, 'track', 'signup', { method: 'email', n: 3, ratio: 0.5, tags: ['a', 'b'], nested: { deep: true } }));
      tracked.push(await call<string>(page, 'identify', 'user-7'));
      await call(page, 'flush');
      await call(page, 'newSession');
      tracked.push(await call<string>(page, 'track', 'second-session'));
      await call(page, 'flush');
      // session.start, application_initialized, page_view, signup, identify, session.end, session.start, second-session
      const records = await taken(run, 8);
      expectRequests();
      expect(ids(records)).toEqual(expect.arrayContaining(tracked));
      expect(new Set(ids(records)).size).toBe(records.length);
      expect(records.map((r) => r.eventName)).toEqual(['session.start', 'application_initialized', 'page_view', 'signup', 'identify', 'session.end', 'session.start', 'second-session']);
      expect(records[0].resource).toMatchObject({ 'service.name': run, 'service.version': '2.3.0', 'telemetry.sdk.name': 'stint', 'telemetry.sdk.language': 'webjs' });

      const session = (await call<{ sessionId: string; previousSessionId: string; userId: string }>(page, 'getSession'))!;
      const [start1, , view, signup, , end, start2, second] = records;
      expect(signup.body).toEqual({ method: 'email', n: 3, ratio: 0.5, tags: ['a', 'b'], nested: { deep: true } });
      expect(view.body).toEqual({ section: 'home' });
      expect(signup.attributes).toMatchObject({
        'session.id': session.previousSessionId,
        'url.full': expect.stringContaining('/e2e/app.html'),
        'url.path': '/e2e/app.html',
        'user_agent.original': await page.evaluate(() => navigator.userAgent),
        'browser.language': await page.evaluate(() => navigator.language),
        'stint.session.attributes': { plan: 'pro' },
        'stint.storage_mechanism': 'COOKIE_1',
        'stint.device.id': session.userId,
        'stint.visibility': 'foreground',
        // (a browser driven by WebDriver says so: navigator.webdriver)
        'user_agent.synthetic.type': 'bot',
      });
      expect(second.attributes).toMatchObject({ 'session.id': session.sessionId, 'session.previous_id': session.previousSessionId, 'user.id': 'user-7', 'stint.event.index': 2 });
      // The first session is announced with no previous one; its end comes before the next one's start.
      expect(start1.attributes).not.toHaveProperty('session.previous_id');
      expect(end.attributes).toMatchObject({ 'session.id': session.previousSessionId, 'stint.session.end_reason': 'explicit', 'stint.session.duration_ms': expect.any(Number) });
      expect(start2.attributes).toMatchObject({ 'session.id': session.sessionId, 'session.previous_id': session.previousSessionId });
      expect(receiver.record.accepted[0].body.startsWith('{"resourceLogs":[')).toBe(true);
      // Cross-origin, each request was preflighted (JSON) and allowed by the receiver's CORS, as the README configures it.
      if (where === 'cross-origin') expect(receiver.record.preflights.length > 0 && receiver.record.preflights.every((p) => p.allowed)).toBe(true);
    });

    test(`beacon: events tracked right before a real navigation away are taken in (${where})`, async ({ page, build, run }) => {
      await open(page, where === 'same-origin' ? receiver.origin : baseUrl(), build, run);
      const tracked = await page.evaluate(() => {
        const list: string[] = [];
        for (let i = 0; i < 10; i++) list.push((window as any).stint('track', 'leaving', { i }));
        (document.getElementById('away') as HTMLAnchorElement).click();
        return list;
      });
      await page.waitForURL(/other\.html/);
      const records = await taken(run, 12); // session.start, application_initialized, 10 leaving (application_exit may follow)
      expect(ids(records)).toEqual(expect.arrayContaining(tracked));
      expect(records.filter((r) => r.eventName === 'leaving').map((r) => r.body.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // The exit's request too: application/json (a text/plain beacon is a 415).
      expectRequests('/v1/logs', true);
    });
  });
}

test('headers: a receiver behind auth gets them on every request, the page exit included (cross-origin: allowed_headers names them and Content-Type)', async ({ page, build, run }) => {
  await start({ allowedHeaders: ['Authorization', 'Content-Type'] });
  await open(page, baseUrl(), build, run, { otlp: { headers: { Authorization: 'Bearer t0ken' } } });
  await call(page, 'track', 'with-auth');
  await call(page, 'flush');
  await page.evaluate(() => {
    (window as any).stint('track', 'leaving-with-auth');
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  const records = await taken(run, 4);
  expect(records.map((r) => r.eventName)).toEqual(expect.arrayContaining(['with-auth', 'leaving-with-auth']));
  // (with headers, the exit goes by a keepalive fetch, which sends no cookies either)
  expectRequests();
  expect(receiver.record.requests.map((r) => r.authorization)).toEqual(receiver.record.requests.map(() => 'Bearer t0ken'));
  expect(receiver.record.preflights.every((p) => p.allowed && p.headers.join() === 'authorization,content-type')).toBe(true);
});

test("compression: 'gzip': fetch sends gzip bodies (Content-Encoding, which the receiver decodes and allowed_headers names cross-origin), every record taken in; the page exit too", async ({ page, build, run }) => {
  await start({ allowedHeaders: ['Content-Type', 'Content-Encoding'] });
  await open(page, baseUrl(), build, run, { compression: 'gzip' });
  for (let i = 0; i < 5; i++) await call(page, 'track', 'zipped', { i });
  await call(page, 'flush');
  const before = receiver.record.requests.length;
  expect(before).toBeGreaterThan(0);
  // (every request so far went by fetch: each compressed, smaller on the wire than what it carried)
  expect(receiver.record.requests.map((r) => [r.encoding, r.wire < r.bytes])).toEqual(receiver.record.requests.map(() => ['gzip', true]));
  expect(receiver.record.preflights.every((p) => p.allowed && p.headers.join() === 'content-encoding,content-type')).toBe(true);
  await page.evaluate(() => {
    (window as any).stint('track', 'leaving-zipped');
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  const records = await taken(run, 8);
  expect(records.filter((r) => r.eventName === 'zipped').map((r) => r.body.i)).toEqual([0, 1, 2, 3, 4]);
  expect(records.map((r) => r.eventName)).toContain('leaving-zipped');
  // (the exit's beacon is plain, and carries the cookies a beacon always sends)
  expectRequests('/v1/logs', true);
});

test('the path is joined with one slash whatever the collector URL ends with; logsPath is the receiver’s logs_url_path', async ({ page, build, run }) => {
  await start({ logsPath: '/ingest/logs' });
  await open(page, receiver.origin, build, run, { collector: `${receiver.origin}//`, otlp: { logsPath: '/ingest/logs' } });
  await call(page, 'track', 'elsewhere');
  await call(page, 'flush');
  await taken(run, 3);
  expectRequests('/ingest/logs');
});

test('the bundle alone: data-format="otlp" on stint.otlp.js', async ({ page, build, run }) => {
  await page.goto(pageUrl('data', run, { collector: receiver.origin, appId: run, format: 'otlp' }).replace(baseUrl(), receiver.origin));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  await call(page, 'ready');
  await call(page, 'flush');
  const records = await taken(run, 3); // session.start, application_initialized, page_view
  expect(records.map((r) => r.eventName)).toContain('page_view');
  expectRequests();
});

test('the native format would be refused by the receiver (the rules apply: text/plain is a 415)', async ({ page, build, run }) => {
  await page.goto(pageUrl(build, run, { collector: `${receiver.origin}/v1/logs`, appId: run }).replace(baseUrl(), receiver.origin));
  await waitForStint(page);
  await call(page, 'track', 'native');
  await expect.poll(() => receiver.record.refused.length).toBeGreaterThan(0);
  expect(receiver.record.refused[0].status).toBe(415);
  expect(receiver.records()).toEqual([]);
});

test('engaged time: page_engagement carries stint.page.engaged_ms, session.end stint.session.engaged_ms; every record taken in', async ({ page, build, run }) => {
  await open(page, receiver.origin, build, run, { engagement: { idle: 5000 } });
  await engageThenEnd(page);
  await taken(run, 8);
  await expect.poll(async () => (await taken(run, 8)).some((r) => r.eventName === 'next')).toBe(true);
  const records = await taken(run, 8);
  const engagement = records.find((r) => r.eventName === 'page_engagement')!;
  const ms = engagement.attributes['stint.page.engaged_ms'] as number;
  expect(ms).toBeGreaterThan(0);
  expect(engagement.body).toEqual({ engaged_ms: ms });
  const end = records.find((r) => r.eventName === 'session.end')!;
  expect(end.attributes['stint.session.engaged_ms']).toBeGreaterThanOrEqual(ms);
  expect(end.attributes['stint.session.engaged_ms']).toBeLessThanOrEqual(end.attributes['stint.session.duration_ms'] as number);
});
