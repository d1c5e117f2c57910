/**
 * format 'tracardi' against Tracardi's own rules (e2e/conformance/tracardi.mjs: FastAPI's parsing and
 * pydantic's validation of TrackerPayload, the CORS middleware, the event source, the profile it assigns):
 * every payload stored, none refused, over fetch and beacon, same-origin and cross-origin.
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, engageThenEnd, expect, pageUrl, test, waitForStint, type Build } from './fixtures';
import { bothBuilds, tagBuild } from './npm';

interface Stored {
  payload: Record<string, any>;
  profile: string;
  replaced: boolean;
}
interface Api {
  origin: string;
  record: { requests: { contentType: string | null; credentials: boolean }[]; stored: Stored[]; refused: { status: number; detail: unknown }[] };
  close(): Promise<void>;
}
/** Tracardi's API is an ES module of its own (imported, not transformed as a spec is). */
const startTracardiApi = async (options: { sources: string[] }): Promise<Api> => (await import('./conformance/tracardi.mjs')).startTracardiApi(options as never);

let api: Api;
test.beforeEach(async ({ run }) => {
  api = await startTracardiApi({ sources: [run] }); // the test's run is its event source
});
test.afterEach(async () => {
  await api.close();
});

async function open(page: Page, origin: string, build: Build, run: string, config: Record<string, unknown> = {}) {
  const full = { collector: api.origin, appId: 'shop', format: 'tracardi', tracardi: { sourceId: run }, ...config };
  await page.goto(pageUrl(build, run, full).replace(baseUrl(), origin));
  return waitForStint(page, full);
}

/** Waits (bounded) for `count` stored events; fails at once on a refused request. */
async function stored(count: number): Promise<Stored[]> {
  await expect
    .poll(() => {
      expect(api.record.refused, 'requests Tracardi refused').toEqual([]);
      return api.record.stored.reduce((n, s) => n + s.payload.events.length, 0);
    })
    .toBeGreaterThanOrEqual(count);
  return api.record.stored;
}

const events = (list: Stored[]) => list.flatMap((s) => s.payload.events);

for (const where of ['same-origin', 'cross-origin'] as const) {
  (where === 'same-origin' ? bothBuilds : tagBuild)(() => {
    test(`every payload is stored (fetch, ${where}); the profile Tracardi assigns is sent back, across pages`, async ({ page, build, run }) => {
      await open(page, where === 'same-origin' ? api.origin : baseUrl(), build, run);
      await call(page, 'identify', 'user-9');
      await call(page, 'track', 'signup', { method: 'email' });
      await call(page, 'flush');
      const first = await stored(3);
      expect(first[0].payload.profile).toBeNull();
      const profile = first[0].profile;
      const signup = events(first).find((e) => e.type === 'signup')!;
      const session = (await call<{ sessionId: string }>(page, 'getSession'))!;
      expect(first[0].payload).toMatchObject({ source: { id: run }, session: { id: session.sessionId } });
      expect(signup).toMatchObject({ properties: { method: 'email' }, context: { session: { sessionId: session.sessionId }, visibility: 'foreground', user: { id: 'user-9' } } });
      expect(Date.parse(signup.time.create)).not.toBeNaN();
      expect(first[0].payload.context).toMatchObject({ time: { tz: expect.any(String) }, screen: { local: { width: expect.any(Number) } } });
      // Sent back from then on, on this page and the next (kept with the session state).
      await call(page, 'track', 'again');
      await call(page, 'flush');
      // JSON, as FastAPI wants it, and no cookies, as Tracardi's own tracker sends (a beacon, at the reload, cannot omit them).
      expect(api.record.requests.map((r) => [r.contentType, r.credentials])).toEqual(api.record.requests.map(() => ['application/json', false]));
      await page.reload();
      await waitForStint(page, { consent: 'granted' });
      await call(page, 'track', 'next-page');
      await call(page, 'flush');
      const all = await stored(7); // session_start, application_initialized, identify, signup, again, application_exit (the reload's beacon), next-page
      expect(all.slice(1).map((s) => s.payload.profile?.id)).toEqual(all.slice(1).map(() => profile));
      expect(all.some((s) => s.replaced)).toBe(false);
      expect(api.record.requests.every((r) => r.contentType === 'application/json')).toBe(true);
    });
  });
}

test('a batch that spans two sessions is two payloads, one per session', async ({ page, build, run }) => {
  await open(page, api.origin, build, run);
  await call(page, 'track', 'in-first');
  await call(page, 'newSession');
  await call(page, 'track', 'in-second');
  await call(page, 'flush');
  const list = await stored(6); // session_start, application_initialized, in-first, session_end, session_start, in-second
  const sessionOf = (type: string) => list.find((s) => s.payload.events.some((e: { type: string }) => e.type === type))!.payload.session.id;
  expect(sessionOf('in-first')).not.toBe(sessionOf('in-second'));
  // Each session's payload opens with its session_start (reason first, then explicit: newSession()).
  const starts = events(list).filter((e) => e.type === 'session_start');
  expect(starts.map((e) => [e.properties.reason, e.context.session.eventIndex])).toEqual([['first', 1], ['explicit', 1]]);
  expect(starts[1].properties.previous_session_id).toBe(starts[0].properties.session_id);
  for (const s of list) expect(new Set(s.payload.events.map((e: any) => e.context.session.sessionId))).toEqual(new Set([s.payload.session.id]));
});

test('beacon: events tracked right before a real navigation away are stored (cross-origin)', async ({ page, build, run }) => {
  await open(page, baseUrl(), build, run);
  await page.evaluate(() => {
    for (let i = 0; i < 10; i++) (window as any).stint('track', 'leaving', { i });
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  const list = await stored(12); // of 13: session_start, application_initialized (the timer may send these two first), 10 leaving, application_exit
  expect(events(list).filter((e) => e.type === 'leaving')).toHaveLength(10);
});

test('anonymous mode: no profile is kept, none sent', async ({ page, build, run }) => {
  await open(page, api.origin, build, run, { consent: 'denied', onDenied: 'anonymous' });
  await call(page, 'track', 'one');
  await call(page, 'flush');
  await call(page, 'track', 'two');
  await call(page, 'flush');
  const list = await stored(3);
  expect(list.map((s) => s.payload.profile)).toEqual(list.map(() => null));
});

test('the native format would be refused by /track (the rules apply: text/plain is a 422)', async ({ page, build, run }) => {
  await page.goto(pageUrl(build, run, { collector: `${api.origin}/track` }).replace(baseUrl(), api.origin));
  await waitForStint(page);
  await call(page, 'track', 'native');
  await expect.poll(() => api.record.refused.length).toBeGreaterThan(0);
  expect(api.record.refused[0].status).toBe(422);
  expect(api.record.stored).toEqual([]);
});

test('engaged time: page_engagement and session_end with engaged_ms are stored', async ({ page, build, run }) => {
  await open(page, api.origin, build, run, { engagement: { idle: 5000 } });
  await engageThenEnd(page);
  await stored(8);
  await expect.poll(() => events(api.record.stored).some((e) => e.type === 'next')).toBe(true);
  const all = events(api.record.stored);
  const engagement = all.find((e) => e.type === 'page_engagement')!;
  expect(engagement.properties).toEqual({ engaged_ms: expect.any(Number) });
  expect(engagement.properties.engaged_ms).toBeGreaterThan(0);
  const end = all.find((e) => e.type === 'session_end')!.properties;
  expect(end.engaged_ms).toBeGreaterThanOrEqual(engagement.properties.engaged_ms);
  expect(end.engaged_ms).toBeLessThanOrEqual(end.duration_ms);
});
