/**
 * Engaged time (`engagement: { idle }`, src/core/engaged/engagement.ts): the person's real input (trusted keys), the page's
 * clock, visibility stubbed as web-vitals' tests do (headless pages stay visible: fixtures.ts `setVisibility`), the
 * window's focus and blur as the browser fires them on `window`, and a freeze and a back/forward-cache round trip
 * faked the same way (the drivers disable the cache; only a Chromium of its own freezes for real: freeze.spec.ts).
 * The page's clock runs on between its jumps, so each figure is checked within the time the test's own steps take.
 */
import type { Page } from '@playwright/test';
import { call, expect, pageUrl, setVisibility, test, waitForStint, type StintEvent } from './fixtures';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const IDLE = 5 * SECOND;

const pageNow = (page: Page) => page.evaluate(() => Date.now());
/** The person's input: a trusted key press (a script's events count for nothing). */
const act = (page: Page) => page.keyboard.press('ArrowDown');
const windowEvent = (page: Page, type: 'blur' | 'focus') => page.evaluate((type) => dispatchEvent(new FocusEvent(type)), type);
const documentEvent = (page: Page, type: 'freeze' | 'resume') => page.evaluate((type) => document.dispatchEvent(new Event(type)), type);
const engaged = (e: StintEvent) => e.properties.engaged_ms as number;
const isEngagement = (e: StintEvent) => e.name === 'page_engagement';

async function open(page: Page, build: string, run: string, config: Record<string, unknown> = {}): Promise<Page> {
  await page.goto(pageUrl(build as 'data', run, { engagement: { idle: IDLE }, ...config }));
  await waitForStint(page);
  // (the tag by its data attributes records the page view itself)
  if (build !== 'data') await call(page, 'page');
  return page;
}

for (const build of ['data', 'esm'] as const) {
  test(`engagement (${build === 'data' ? 'the tag, data-engagement' : 'npm'}): each page view reports the time the person acted, to the last input + idle; hidden and blurred time count nothing; the session's is theirs, within its span`, async ({ page, run, collector }) => {
    await page.clock.install();
    await open(page, build, run);
    const [view] = await collector.waitFor(1, (e) => e.name === 'page_view');
    const start = Date.parse(view.timestamp);
    for (let i = 0; i < 3; i++) {
      await page.clock.fastForward(2 * SECOND);
      await act(page);
    }
    const lastInput = await pageNow(page);
    await page.clock.fastForward(1 * MINUTE);
    await setVisibility(page, 'hidden');
    const [first] = await collector.waitFor(1, isEngagement);
    // From the page's start (before its page view, after the page began) to its last input + idle: the minute without
    // input after it counts nothing. At least the three 2 s jumps and the idle after the last input, however slow the
    // steps between them (a step slower than the idle between two inputs ends a stretch there, and each still counts
    // at least the jump before it).
    const began = await page.evaluate(() => (window as any).__began as number);
    expect(start).toBeGreaterThanOrEqual(began);
    expect(engaged(first)).toBeGreaterThanOrEqual(3 * 2 * SECOND + IDLE);
    expect(engaged(first)).toBeLessThanOrEqual(lastInput + IDLE - began);
    expect(first.context.page.viewId).toBe(view.context.page.viewId);

    // Ten minutes hidden, then shown: 2 s, a blur of 30 s (input then is in another window's), a focus, 1 s, a route.
    await page.clock.fastForward(10 * MINUTE);
    // (the page's clock flows between the driver's steps: each span is read from it, not assumed)
    const shownAt = await pageNow(page);
    await setVisibility(page, 'visible');
    await act(page);
    await page.clock.fastForward(2 * SECOND);
    await windowEvent(page, 'blur');
    const blurredBy = await pageNow(page);
    await page.clock.fastForward(30 * SECOND);
    const focusedAt = await pageNow(page);
    await windowEvent(page, 'focus');
    await page.clock.fastForward(1 * SECOND);
    const routedAt = await pageNow(page);
    await page.evaluate(() => history.pushState({}, '', '?route=b'));
    await call(page, 'page');
    const viewedBy = await pageNow(page);
    const [, second] = await collector.waitFor(2, isEngagement);
    expect(engaged(second)).toBeGreaterThanOrEqual(3 * SECOND);
    expect(engaged(second)).toBeLessThanOrEqual(blurredBy - shownAt + (viewedBy - focusedAt));
    expect(second.context.page.viewId).toBe(view.context.page.viewId);

    // The route's page view: from the route (arriving counts as input) to its hide.
    await page.clock.fastForward(1 * SECOND);
    await setVisibility(page, 'hidden');
    const hiddenAt = await pageNow(page);
    const [, , third] = await collector.waitFor(3, isEngagement);
    const routed = (await collector.events((e) => e.name === 'page_view')).at(-1)!;
    expect(third.context.page.viewId).toBe(routed.context.page.viewId);
    expect(third.context.page.viewId).not.toBe(view.context.page.viewId);
    expect(engaged(third)).toBeGreaterThanOrEqual(1 * SECOND);
    expect(engaged(third)).toBeLessThanOrEqual(hiddenAt - routedAt);

    // The session's: this one tab's three reports, within its span (the ten hidden minutes and the blur count nothing).
    await call(page, 'endSession');
    await call(page, 'track', 'next');
    await call(page, 'flush');
    const [end] = await collector.waitFor(1, (e) => e.name === 'session_end');
    expect(end.properties.engaged_ms).toBe(engaged(first) + engaged(second) + engaged(third));
    expect(end.properties.engaged_ms).toBeLessThanOrEqual(end.properties.duration_ms);
    await collector.exactly(3, isEngagement, page);
    await collector.expectValid();
  });
}

test("engagement: two windows side by side count once in the session's time, which never exceeds the wall clock", async ({ page, context, build, run, collector }) => {
  await page.clock.install();
  await open(page, build, run);
  const [first] = await collector.waitFor(1, (e) => e.name === 'session_start');
  const began = Date.parse(first.timestamp);
  const other = await context.newPage();
  await open(other, build, run);
  // Input in both, in turns (Chromium gives every page the focus; Firefox and WebKit the window last opened or acted in).
  for (let i = 0; i < 4; i++) {
    await page.clock.fastForward(2 * SECOND);
    await act(page);
    await act(other);
  }
  await page.clock.fastForward(1 * SECOND);
  await setVisibility(page, 'hidden');
  // (the other window hears this one's session before it hides: its report arrived, which the same task told the tabs)
  const [mine] = await collector.waitFor(1, isEngagement);
  await setVisibility(other, 'hidden');
  const both = await collector.waitFor(2, isEngagement);
  const ended = await pageNow(other);
  expect(new Set(both.map((e) => e.context.page.viewId)).size).toBe(2);
  // A minute later, an event: the session's span goes on past the engagement (its end's time is not bounded by the span alone).
  await page.clock.fastForward(1 * MINUTE);
  await call(other, 'track', 'later');
  await call(other, 'endSession');
  await call(other, 'track', 'next');
  await call(other, 'flush');
  const [end] = await collector.waitFor(1, (e) => e.name === 'session_end');
  const union = end.properties.engaged_ms as number;
  const sum = both.reduce((total, e) => total + engaged(e), 0);
  // Counted once: never more than the wall clock from the session's start to the last hide, nor than the pages' sum;
  // at least each page's own.
  expect(union).toBeLessThanOrEqual(ended - began);
  expect(union).toBeLessThanOrEqual(sum);
  for (const e of both) expect(union).toBeGreaterThanOrEqual(engaged(e));
  expect(mine).toBeDefined();
  // Where both windows had the focus at once (Chromium), their time overlapped: the pages' sum is more than the wall
  // clock, the session's union is not.
  if (test.info().project.name.startsWith('chromium')) expect(sum).toBeGreaterThan(ended - began);
  await collector.exactly(2, isEngagement, context);
});

test("engagement: two tabs of one window, one visible at a time: the tabs' time adds up in the session's, and neither exceeds the wall clock", async ({ page, context, build, run, collector }) => {
  await page.clock.install();
  await open(page, build, run);
  const [first] = await collector.waitFor(1, (e) => e.name === 'session_start');
  const began = Date.parse(first.timestamp);
  await page.clock.fastForward(2 * SECOND);
  await act(page);
  await page.clock.fastForward(1 * SECOND);
  // Another tab opened in front: this one is hidden first, as the browser does.
  await setVisibility(page, 'hidden');
  await collector.waitFor(1, isEngagement);
  const other = await context.newPage();
  await open(other, build, run);
  await page.clock.fastForward(2 * SECOND);
  await act(other);
  await page.clock.fastForward(1 * SECOND);
  // Back to the first tab: shown, and its window has the focus again (which the other tab's page took in Firefox and
  // WebKit, where a page opened last has it; faked, as the visibility is).
  await setVisibility(other, 'hidden');
  await collector.waitFor(2, isEngagement);
  await setVisibility(page, 'visible');
  await windowEvent(page, 'focus');
  await act(page);
  await page.clock.fastForward(2 * SECOND);
  await setVisibility(page, 'hidden');
  const reports = await collector.waitFor(3, isEngagement);
  const ended = await pageNow(page);
  await page.clock.fastForward(1 * MINUTE);
  await call(page, 'track', 'later');
  await call(page, 'endSession');
  await call(page, 'track', 'next');
  await call(page, 'flush');
  const [end] = await collector.waitTicking(page, 1, (e) => e.name === 'session_end');
  const union = end.properties.engaged_ms as number;
  const sum = reports.reduce((total, e) => total + engaged(e), 0);
  // (the first tab counts from its own start, before its page view and the session's start)
  const pageBegan = await page.evaluate(() => (window as any).__began as number);
  expect(began).toBeGreaterThanOrEqual(pageBegan);
  expect(sum).toBeLessThanOrEqual(ended - pageBegan);
  expect(union).toBeLessThanOrEqual(ended - began);
  // One tab visible at a time: their stretches do not overlap, so the session has them all (less what came before its
  // first event: the first tab's start, before its page view).
  expect(union).toBeLessThanOrEqual(sum);
  expect(union).toBeGreaterThanOrEqual(sum - (began - pageBegan));
  await collector.exactly(3, isEngagement, context);
});

test('engagement: a frozen page and a page in the back/forward cache count nothing; a restored page counts from its return, as a new page view', async ({ page, build, run, collector }) => {
  await page.clock.install();
  // (the installed clock starts at the machine's time and runs with it until its first jump: the page's time at its
  // arrival, an act, is no earlier than this)
  const loadedFrom = Date.now();
  await open(page, build, run);
  await act(page);
  await page.clock.fastForward(2 * SECOND);
  // Frozen (a hidden page, as Chrome freezes background tabs) for five minutes, then resumed (and visible).
  await documentEvent(page, 'freeze');
  // (each figure's bound is the page's own time across the steps that could count: arriving is an act, so the first
  // counts from the page's load, which a slow machine draws out past any fixed slack: CI, stop 69)
  const frozenBy = await pageNow(page);
  const [frozen] = await collector.waitFor(1, isEngagement);
  await page.clock.fastForward(5 * MINUTE);
  const resumedFrom = await pageNow(page);
  await documentEvent(page, 'resume');
  await call(page, 'ready');
  await act(page);
  await page.clock.fastForward(1 * SECOND);
  // Into the back/forward cache for ten minutes, then back.
  await page.evaluate(() => {
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const cachedBy = await pageNow(page);
  const [, cached] = await collector.waitFor(2, isEngagement);
  await page.clock.fastForward(10 * MINUTE);
  const restoredFrom = await pageNow(page);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
  });
  await call(page, 'ready');
  await page.clock.fastForward(1 * SECOND);
  await setVisibility(page, 'hidden');
  const restoredBy = await pageNow(page);
  const [, , restored] = await collector.waitFor(3, isEngagement);
  // (the five minutes frozen and the ten in the cache count nothing: each bound is far below them)
  expect(engaged(frozen)).toBeGreaterThanOrEqual(2 * SECOND);
  expect(engaged(frozen)).toBeLessThanOrEqual(frozenBy - loadedFrom);
  expect(engaged(cached)).toBeGreaterThanOrEqual(1 * SECOND);
  expect(engaged(cached)).toBeLessThanOrEqual(cachedBy - resumedFrom);
  expect(engaged(restored)).toBeGreaterThanOrEqual(1 * SECOND);
  expect(engaged(restored)).toBeLessThanOrEqual(restoredBy - restoredFrom);
  // The restore is a fresh page view, and its time is that view's.
  const views = await collector.events((e) => e.name === 'page_view');
  expect(restored.context.page.viewId).toBe(views.at(-1)!.context.page.viewId);
  expect(cached.context.page.viewId).toBe(views[0].context.page.viewId);
  await collector.exactly(3, isEngagement, page);
});

test("engagement: shutdown() sends the page view's engaged time so far with its flush, and nothing after", async ({ page, context, build, run, collector }) => {
  await page.clock.install();
  await open(page, build, run);
  await collector.waitFor(1, (e) => e.name === 'page_view');
  // A first report proves the input part is in (a hide is reported by its steps).
  await page.clock.fastForward(2 * SECOND);
  await act(page);
  await setVisibility(page, 'hidden');
  await collector.waitFor(1, isEngagement);
  // Shown again (it counts from there), 3 s of reading, then the app stops the tracker.
  const shownAt = await pageNow(page);
  await setVisibility(page, 'visible');
  await page.clock.fastForward(2 * SECOND);
  await act(page);
  await page.clock.fastForward(1 * SECOND);
  await call(page, 'shutdown');
  const stoppedBy = await pageNow(page);
  const [, last] = await collector.waitFor(2, isEngagement);
  expect(engaged(last)).toBeGreaterThanOrEqual(3 * SECOND);
  expect(engaged(last)).toBeLessThanOrEqual(stoppedBy - shownAt);
  // A stopped tracker reports nothing more, hidden or left (the context's marker proves the page had every chance).
  await setVisibility(page, 'hidden');
  await page.goto('about:blank');
  await collector.exactly(2, isEngagement, context);
});

test('engagement off (the default): no page_engagement, no engaged_ms, and no input part loaded', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl(build, run));
  await waitForStint(page);
  await act(page);
  await setVisibility(page, 'hidden');
  await setVisibility(page, 'visible');
  await call(page, 'endSession');
  await call(page, 'track', 'next');
  await call(page, 'flush');
  const [end] = await collector.waitFor(1, (e) => e.name === 'session_end');
  expect(end.properties).not.toHaveProperty('engaged_ms');
  await collector.exactly(0, isEngagement, page);
  const parts = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => /stint\.activity\.js|chunks\/activity-/.test(r.name)).length);
  expect(parts).toBe(0);
});
