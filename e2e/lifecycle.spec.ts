/**
 * Lifecycle events, session end, session attributes and the session context.
 */
import type { Page } from '@playwright/test';
import { baseUrl, call, crash, consoleOf, expect, inTrackedOrder, leavesIntoCache, newTab, openStint, pageUrl, setVisibility, test, waitForStint, type StintEvent } from './fixtures';
import { bothBuilds } from './npm';

const MINUTE = 60_000;

/** A back/forward-cache round trip, faked as web-vitals' tests do (Playwright disables the bfcache). */
function fakeBfcacheRestore(page: Page) {
  return page.evaluate(() => {
    const visibility = (state: string) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    visibility('hidden');
    visibility('visible');
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
  });
}

test('background and foreground transitions, judged by the state that ended', async ({ page, build, run, collector }) => {
  await page.clock.install();
  await openStint(page, build, run, { backgroundTimeout: 5 * MINUTE });
  await setVisibility(page, 'hidden');
  await page.clock.fastForward(1 * MINUTE);
  await setVisibility(page, 'visible');
  await setVisibility(page, 'hidden');
  await page.clock.fastForward(6 * MINUTE);
  await setVisibility(page, 'visible');
  await call(page, 'flush');
  const events = inTrackedOrder(await collector.waitFor(8));
  expect(events.map((e) => [e.name, e.session.sessionIndex])).toEqual([
    ['session_start', 1],
    ['application_initialized', 1],
    ['application_background', 1],
    ['application_foreground', 1],
    ['application_background', 1],
    ['session_end', 1],
    ['session_start', 2],
    ['application_foreground', 2],
  ]);
  expect(events[2].properties).toEqual({ transition_type: 'application_background' });
  expect(events[2].context.visibility).toBe('background');
  expect(events[7].properties).toEqual({ transition_type: 'application_foreground' });
  expect(events[5].properties.reason).toBe('background_timeout');
  expect(events[6].properties.reason).toBe('background_timeout');
  await collector.expectValid();
});

test('application_exit on a real navigation away, delivered with the beacon', async ({ page, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'last');
  await page.click('#away');
  await page.waitForURL(/other\.html/);
  const [exit] = await collector.waitFor(1, (e) => e.name === 'application_exit');
  expect(exit.properties).toEqual({ transition_type: 'application_exit' });
  await collector.exactly(1, (e) => e.name === 'last', page.context());
});

test('a back/forward-cache restore is back in the foreground (a navigation: not reported as a trip to the background) and a fresh page view', async ({ page, build, run, collector }) => {
  await page.clock.install();
  await openStint(page, build, run, { backgroundTimeout: 5 * MINUTE });
  await call(page, 'page');
  await fakeBfcacheRestore(page);
  // Back in the foreground: a gap longer than the background timeout does not end the session.
  await page.clock.fastForward(6 * MINUTE);
  await call(page, 'track', 'after-restore');
  await page.clock.fastForward(6 * MINUTE);
  await call(page, 'track', 'later');
  await call(page, 'flush');
  const events = inTrackedOrder(await collector.waitTicking(page, 6));
  const names = events.map((e) => e.name);
  // Into the cache the page leaves the site (the background recorded, no exit); out of it, it comes back.
  expect(names).toEqual(['session_start', 'application_initialized', 'page_view', 'page_view', 'after-restore', 'later']);
  expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
  expect(events[4].context.visibility).toBe('foreground');
  expect(names).not.toContain('application_exit');
  // No unload or beforeunload listener anywhere, in either build: they keep pages out of the back/forward cache.
  for (const file of ['stint.js', 'index.mjs']) expect(await (await fetch(`${baseUrl()}/dist/${file}`)).text()).not.toMatch(/["'](before)?unload["']/);
});

test('successfully_closed: true after a clean exit or beside an open tab, false after a crash', async ({ context, build, run, collector }) => {
  const inits = (n: number) => collector.waitFor(n, (e) => e.name === 'application_initialized');
  const bystander = await context.newPage(); // a page without Stint keeps the context alive through the crash
  await bystander.goto(`${baseUrl()}/e2e/other.html`);
  const first = await newTab(context, build, run);
  // A clean exit: pagehide, proven by its application_exit. (By a navigation: a tab closed over WebDriver
  // BiDi often does not run its pagehide to the end in Firefox, with or without Stint.)
  await first.goto(`${baseUrl()}/e2e/other.html`);
  await collector.waitFor(1, (e) => e.name === 'application_exit');
  await first.close();
  const second = await newTab(context, build, run);
  expect((await inits(2))[1].properties.successfully_closed).toBe(true);
  // A tab that is still open is not a crash.
  const third = await newTab(context, build, run);
  expect((await inits(3))[2].properties.successfully_closed).toBe(true);
  await second.close();
  await third.close();

  const crashing = await newTab(context, build, run);
  await call(crashing, 'track', 'before-crash');
  await call(crashing, 'flush');
  await crash(crashing); // the renderer dies: no pagehide
  await newTab(context, build, run);
  expect((await inits(5))[4].properties.successfully_closed).toBe(false);
});

test('application_initialized once per tab, not on each navigation of the tab', async ({ page, build, run, collector, browserName }) => {
  await openStint(page, build, run);
  await page.goto(`${baseUrl()}/e2e/other.html`);
  await openStint(page, build, run);
  await call(page, 'track', 'second-page');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'second-page');
  // The first page's exit beacon: the checks below count what it carries (flush() does not wait for a beacon).
  if (!leavesIntoCache(browserName)) await collector.waitFor(1, (e) => e.name === 'application_exit');
  await collector.exactly(1, (e) => e.name === 'application_initialized', page);
  // The first page left: an exit, unless WebKit kept it in its back/forward cache (then none).
  const exits = await collector.events((e) => e.name === 'application_exit');
  if (leavesIntoCache(browserName)) expect(exits.length).toBeLessThanOrEqual(1);
  else expect(exits).toHaveLength(1);
});

test('session attributes: on every event, kept across a reload, reset and reported at the end', async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  await page.clock.install();
  await openStint(page, build, run);
  await call(page, 'setSessionAttribute', 'plan', 'pro');
  await call(page, 'incrementSessionAttribute', 'clicks');
  await call(page, 'incrementSessionAttribute', 'clicks', 2);
  await call(page, 'incrementSessionAttribute', 'plan'); // not a number: one warning, nothing changes
  await call(page, 'track', 'with-attrs');
  await page.reload();
  await waitForStint(page);
  await call(page, 'incrementSessionAttribute', 'clicks');
  await call(page, 'track', 'after-reload');
  await page.clock.fastForward(31 * MINUTE);
  await call(page, 'track', 'next-session');
  await call(page, 'flush');
  const [withAttrs] = await collector.waitFor(1, (e) => e.name === 'with-attrs');
  const [afterReload] = await collector.waitFor(1, (e) => e.name === 'after-reload');
  const [end] = await collector.waitFor(1, (e) => e.name === 'session_end');
  const [next] = await collector.waitFor(1, (e) => e.name === 'next-session');
  expect(withAttrs.sessionAttributes).toEqual({ plan: 'pro', clicks: 3 });
  expect(afterReload.sessionAttributes).toEqual({ plan: 'pro', clicks: 4 });
  expect(end.properties).toMatchObject({
    session_id: withAttrs.session.sessionId,
    reason: 'foreground_timeout',
    attributes: { plan: 'pro', clicks: 4 },
    event_count: afterReload.session.eventIndex,
  });
  expect(end.properties.duration_ms).toBe(Date.parse(afterReload.timestamp) - Date.parse(withAttrs.session.firstEventTimestamp!));
  expect(next.sessionAttributes).toEqual({});
  await expect.poll(() => seen.warnings.filter((w) => /^\[stint\] session attribute "\w+" \(#32:/.test(w)).length).toBe(1);
});

bothBuilds(() =>
test("activity: 'input': the person's input keeps the session alive without an event, and after the timeout starts the next", async ({ page, build, run, collector }) => {
  await page.clock.install();
  // (the tag reads it from its data-activity attribute; an npm app loads the watch as a chunk of its own)
  await page.goto(pageUrl(build === 'esm' ? 'esm' : 'data', run, { activity: 'input' }));
  await waitForStint(page);
  await call(page, 'track', 'read');
  type Session = { sessionId: string; sessionIndex: number; previousSessionId: string | null };
  const reading = await call<Session>(page, 'getSession');
  // A script's events are not the person's: they keep nothing alive.
  await page.evaluate(() => dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown' })));
  for (let i = 0; i < 3; i++) {
    await page.clock.fastForward(20 * MINUTE);
    await page.keyboard.press('ArrowDown');
  }
  await page.clock.fastForward(20 * MINUTE);
  await call(page, 'track', 'still reading');
  expect((await call<Session>(page, 'getSession')).sessionId).toBe(reading.sessionId);
  // Idle past the timeout, then input: the session is over (reported) and the next one starts with the input.
  await page.clock.fastForward(31 * MINUTE);
  await page.mouse.wheel(0, 200);
  await expect.poll(async () => (await call<Session | null>(page, 'getSession'))?.previousSessionId, { timeout: 10_000 }).toBe(reading.sessionId);
  await call(page, 'track', 'back');
  await call(page, 'flush');
  const [end] = await collector.waitTicking(page, 1, (e) => e.name === 'session_end');
  expect([end.properties.reason, end.session.sessionId]).toEqual(['foreground_timeout', reading.sessionId]);
  // Its last activity: the last track, 80 minutes after the first (the inputs kept it alive in between).
  expect(end.properties.duration_ms).toBeGreaterThanOrEqual(80 * MINUTE);
  const [back] = await collector.waitFor(1, (e) => e.name === 'back');
  expect([back.session.sessionIndex, back.session.previousSessionId]).toEqual([2, reading.sessionId]);
  const names = (await collector.events()).map((e) => e.name);
  expect(names.filter((n) => !n.startsWith('application_') && n !== 'page_view')).toEqual(['session_start', 'read', 'still reading', 'session_end', 'session_start', 'back']);
}));

test("the tag loads the input watch beside it only with activity: 'input'; one that does not load is one console error, and events still keep the session", async ({ page, run, collector }) => {
  const partsOf = () => page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((path) => /\/stint\.\w+\.js$/.test(path)));
  await page.goto(pageUrl('data', run));
  await waitForStint(page);
  await call(page, 'track', 'without');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'without');
  expect(await partsOf()).toEqual([]);

  const seen = consoleOf(page);
  await page.route('**/dist/stint.activity.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(pageUrl('data', run, { activity: 'input' }));
  await waitForStint(page);
  // (the engine logs the failed request too, in its own words)
  const said = () => seen.errors.filter((e) => e.startsWith('[stint]'));
  const once = [`[stint] config.activity or config.engagement ${new URL('/dist/stint.activity.js', page.url())} (#11: debug: true or node_modules/stint/docs/messages.md#11)`];
  await expect.poll(said).toEqual(once);
  const before = await call<{ sessionId: string }>(page, 'getSession');
  await call(page, 'track', 'with-failed-part');
  await call(page, 'flush');
  const [event] = await collector.waitFor(1, (e) => e.name === 'with-failed-part');
  expect(event.session.sessionId).toBe(before.sessionId);
  expect(said()).toEqual(once);
});

test('a link to the site\'s next page is no trip to the background; a tab switch is, and its return is reported by the next tab', async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'a');
  // A real navigation, by a link, to the site's next page in the same tab.
  await page.evaluate((href) => {
    const link = Object.assign(document.createElement('a'), { href, textContent: 'next' });
    document.body.append(link);
    link.click();
  }, pageUrl(build, run, {}, '&next'));
  await page.waitForURL(/&next/);
  await waitForStint(page);
  await call(page, 'track', 'b');
  await call(page, 'flush');
  // (the marker pages of proveSent are left out: they are another app)
  const site = (e: StintEvent) => e.appId !== 'marker' && (e.name === 'application_background' || e.name === 'application_foreground');
  await collector.waitFor(1, (e) => e.name === 'b');
  // What the first page's exit beaconed has arrived too (a background sent at the link would ride in it).
  await collector.proveSent(context);
  expect((await collector.events()).filter(site)).toEqual([]);
  // The visitor switches away (the background is reported), then opens the site in a new tab: its return is.
  await setVisibility(page, 'hidden');
  await call(page, 'flush');
  // The hide's beacon: flush() does not wait for it (a beaconed event counts as delivered when the browser takes it).
  await collector.waitFor(1, (e) => e.name === 'application_background');
  const other = await newTab(context, build, run);
  await call(other, 'track', 'c');
  await call(other, 'flush');
  await collector.waitFor(1, (e) => e.name === 'c');
  const events = inTrackedOrder(await collector.events((e) => site(e) || ['a', 'b', 'c'].includes(e.name)));
  expect(events.map((e) => e.name)).toEqual(['a', 'b', 'application_background', 'application_foreground', 'c']);
  expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
});

test('a session names where it entered (path, referrer, campaign) and where it left; newSessionOnCampaign: a page of another campaign starts the next', async ({ page, build, run, collector }) => {
  const config = { newSessionOnCampaign: true };
  await page.goto(pageUrl(build, run, config, '&utm_source=news&utm_medium=email&utm_campaign=spring'));
  await waitForStint(page, config);
  await call(page, 'page');
  // A route of the app, then an event there: the last page of the session.
  await call(page, 'page', {}, { url: '/shop/cart' });
  await call(page, 'track', 'add');
  // A real navigation to a page of another campaign.
  await page.goto(pageUrl(build, run, config, '&utm_source=news&utm_medium=email&utm_campaign=summer'));
  await waitForStint(page, config);
  await call(page, 'page');
  await call(page, 'flush');
  const starts = await collector.waitFor(2, (e) => e.name === 'session_start');
  const [end] = await collector.waitFor(1, (e) => e.name === 'session_end');
  const utm = (campaign: string) => ({ source: 'news', medium: 'email', campaign, term: null, content: null });
  const [first, second] = starts.sort((a, b) => a.session.sessionIndex - b.session.sessionIndex);
  expect(first.properties).toMatchObject({ reason: 'first', entry_page: '/e2e/app.html', utm: utm('spring') });
  expect(end.properties).toMatchObject({ session_id: first.session.sessionId, reason: 'new_campaign', exit_page: '/shop/cart' });
  expect(second.properties).toMatchObject({ reason: 'new_campaign', previous_session_id: first.session.sessionId, entry_page: '/e2e/app.html', utm: utm('summer') });
  const [view] = (await collector.events((e) => e.name === 'page_view')).filter((e) => e.context.utm?.campaign === 'summer');
  expect(view.session.sessionId).toBe(second.session.sessionId);
  await collector.exactly(2, (e) => e.name === 'session_start', page);
});

test('the context of every event', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl(build, run, {}, '&utm_source=newsletter&utm_medium=email&utm_campaign=spring'));
  await waitForStint(page);
  await call(page, 'identify', 'user-42', { plan: 'pro' });
  await call(page, 'page', { section: 'home' });
  // Same session, a page without UTM parameters: the landing UTM stays for the whole session.
  await openStint(page, build, run);
  await call(page, 'track', 'later');
  await call(page, 'flush');
  const [view] = await collector.waitFor(1, (e) => e.name === 'page_view');
  const [later] = await collector.waitFor(1, (e) => e.name === 'later');
  const [identify] = await collector.waitFor(1, (e) => e.name === 'identify');
  expect(identify.properties).toEqual({ plan: 'pro' });
  expect(view.user.id).toBe('user-42');
  expect(later.user.id).toBe('user-42');
  expect(view.properties).toEqual({ section: 'home' });
  expect(view.context.page).toMatchObject({ path: '/e2e/app.html', title: 'Stint e2e', referrer: null });
  expect(view.context.page.url).toContain('utm_source=newsletter');
  const utm = { source: 'newsletter', medium: 'email', campaign: 'spring', term: null, content: null };
  expect(view.context.utm).toEqual(utm);
  expect(later.context.utm).toEqual(utm);
  expect(later.context.page.url).not.toContain('utm_source');
  // What this browser says about itself, whichever browser and machine run the test.
  const own = await page.evaluate(() => ({
    screenResolution: `${screen.width}x${screen.height}`,
    colorDepth: screen.colorDepth,
    orientation: screen.orientation ? screen.orientation.type.split('-')[0] : null,
    touch: navigator.maxTouchPoints > 0,
    language: navigator.language,
    userAgent: navigator.userAgent,
  }));
  expect(view.context.device).toEqual({ screenResolution: own.screenResolution, colorDepth: own.colorDepth, orientation: own.orientation, touch: own.touch });
  // Playwright drives the browser through automation (navigator.webdriver): a bot.
  expect(view.context.app).toMatchObject({ type: 'browser', language: own.language, bot: true });
  expect(view.context.app.name).toEqual(expect.any(String));
  expect(view.context.app.version).toMatch(/^\d+/);
  // The OS name is one the user agent names (its version may be frozen, so it may be null).
  const osNames: Record<string, RegExp> = { Linux: /Linux/, Windows: /Windows/, macOS: /Mac OS X/, Android: /Android/, iOS: /iPhone|iPad/, 'Chrome OS': /CrOS/ };
  expect(osNames[view.context.os.name]?.test(own.userAgent), `os ${view.context.os.name} in ${own.userAgent}`).toBe(true);
  expect(view.context.time.timeZone).toBe(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
  expect(view.context.time.weekday).toBe(new Date(view.timestamp).toLocaleDateString('en-US', { weekday: 'long' }));
  expect(view.context.visibility).toBe('foreground');
  await collector.expectValid();
});
