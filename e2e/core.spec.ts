/**
 * The core: sessions and delivery in a real Chromium against the real collector, for both builds.
 */
import { readFileSync } from 'node:fs';
import { call, consoleOf, expect, inChromium, inTrackedOrder, leavesIntoCache, newTab, openStint, pageUrl, setVisibility, startStint, test, waitForStint } from './fixtures';
import { bothBuilds } from './npm';
import { readLog, replayLog } from '../test/core/replay';

bothBuilds(() => {
  test('events arrive with a valid session context', async ({ page, build, run, collector }) => {
    await openStint(page, build, run);
    for (const n of [1, 2, 3]) await call(page, 'track', 'clicked', { n });
    await call(page, 'flush');
    const events = await collector.waitFor(3, (e) => e.name === 'clicked');
    await collector.expectValid();
    const [first] = await collector.events((e) => e.name === 'session_start');
    const sessionIds = new Set(events.map((e) => e.session.sessionId));
    expect(sessionIds.size).toBe(1);
    expect(first.session.sessionId).toBe(events[0].session.sessionId);
    expect(events.map((e) => e.properties.n)).toEqual([1, 2, 3]);
    // session_start is the session's first event, application_initialized the second; the three clicks follow.
    expect(events.map((e) => e.session.eventIndex)).toEqual([3, 4, 5]);
    expect(events.every((e) => e.session.sessionIndex === 1 && e.session.previousSessionId === null)).toBe(true);
    expect(events.every((e) => e.session.storageMechanism === 'COOKIE_1')).toBe(true);
    expect(events[0].session.firstEventId).toBe(first.eventId);
    expect(events[0].context.page.path).toBe('/e2e/app.html');
    expect(await call(page, 'getSession')).toMatchObject({ sessionId: events[0].session.sessionId, eventIndex: 5 });
  });
}, true);

inChromium('which session sends is a decision of the core, the same in every engine: test/core/rules.test.ts "sampled", test/core/session.test.ts "sampleRate"', () =>
test('sampleRate: a session sends whole or not at all, by its id; an unsampled one is kept and timed; every batch says its rate', async ({ page, build, run, collector }) => {
  await openStint(page, build, run, { sampleRate: 0.5 });
  // The rule (src/core/session/rules.ts `sampled`): the session id's first 32 bits, against the rate.
  const sends = (id: string) => parseInt(id.slice(0, 8), 16) < 0.5 * 2 ** 32;
  const sessions: string[] = [];
  for (let i = 0; i < 12; i++) {
    if (i) await call(page, 'newSession');
    await call(page, 'track', 'step', { i });
    sessions.push((await call<{ sessionId: string }>(page, 'getSession')).sessionId);
  }
  await call(page, 'endSession');
  await call(page, 'flush');
  // Nothing sampled at all: kept and timed all the same. (The tag reads the rate from data-sample-rate.)
  const other = await page.context().browser()!.newContext();
  try {
    const quiet = await other.newPage();
    await quiet.goto(pageUrl('data', run, { appId: 'unsampled', sampleRate: 0 }));
    await waitForStint(quiet);
    await call(quiet, 'track', 'unseen');
    expect(await call(quiet, 'getSession')).toMatchObject({ sessionIndex: 1, eventIndex: 4 });
    await call(quiet, 'flush');
  } finally {
    await other.close();
  }
  // (both pages' flushes resolved: everything they queued was delivered; the marker proves the collector takes events)
  await collector.proveSent(page.context());
  const events = (await collector.events()).filter((e) => e.appId !== 'marker');
  expect(events.filter((e) => e.appId === 'unsampled')).toEqual([]);
  const sent = sessions.filter(sends);
  expect([...new Set(events.map((e) => e.session.sessionId))].sort()).toEqual([...sent].sort());
  for (const id of sent) expect(events.filter((e) => e.session.sessionId === id).map((e) => e.name)).toEqual(expect.arrayContaining(['step', 'session_end']));
  expect([...new Set(events.map((e) => e.sampleRate))]).toEqual(sent.length ? [0.5] : []);
}));

test('every event names its tab: kept by a reload, its own in another tab and in a duplicate of a live tab (a new tab: application_initialized)', async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'first');
  // While a page lives, its sessionStorage holds no tab id: what a duplicated tab copies has none.
  expect(await page.evaluate(() => sessionStorage.getItem('stint:tab'))).toBeNull();
  const copied = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
  await page.reload();
  await waitForStint(page);
  await call(page, 'track', 'reloaded');
  const other = await newTab(context, build, run);
  await call(other, 'track', 'other');
  // A duplicate: a new tab that starts with a copy of the live page's sessionStorage (as browsers duplicate).
  const duplicate = await context.newPage();
  await duplicate.goto(pageUrl(build, run, {}, '&sessionStorage=' + encodeURIComponent(copied)));
  await waitForStint(duplicate);
  await call(duplicate, 'track', 'duplicated');
  for (const p of [page, other, duplicate]) await call(p, 'flush');
  const tabOf = async (name: string) => (await collector.waitFor(1, (e) => e.name === name))[0].context.tabId as string;
  const [first, reloaded, inOther, inDuplicate] = [await tabOf('first'), await tabOf('reloaded'), await tabOf('other'), await tabOf('duplicated')];
  expect(first).toMatch(/^[0-9a-f]{8}$/);
  expect(reloaded).toBe(first);
  expect(new Set([first, inOther, inDuplicate]).size).toBe(3);
  // A reload is the same tab (reported once); the other tab and the duplicate are new tabs.
  const initialized = await collector.waitFor(3, (e) => e.name === 'application_initialized');
  expect(initialized.map((e) => e.context.tabId).sort()).toEqual([first, inOther, inDuplicate].sort());
  await collector.expectValid();
});

test("a duplicate of a hidden tab, which copies the tab's item its page left for a reload after a discard, is a new tab", async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'first');
  await setVisibility(page, 'hidden');
  // (left, marked, for a reload after Chrome discarded the tab: e2e/freeze.spec.ts)
  await expect.poll(() => page.evaluate(() => sessionStorage.getItem('stint:tab'))).toMatch(/^h[0-9a-f]{8} /);
  const copied = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
  const duplicate = await context.newPage();
  await duplicate.goto(pageUrl(build, run, {}, '&sessionStorage=' + encodeURIComponent(copied)));
  await waitForStint(duplicate);
  await call(duplicate, 'track', 'duplicated');
  for (const p of [page, duplicate]) await call(p, 'flush');
  const [first] = await collector.waitFor(1, (e) => e.name === 'first');
  const [duplicated] = await collector.waitFor(1, (e) => e.name === 'duplicated');
  expect(duplicated.context.tabId).not.toBe(first.context.tabId);
  expect(duplicated.session.sessionId).toBe(first.session.sessionId);
  const initialized = await collector.waitFor(2, (e) => e.name === 'application_initialized');
  expect(initialized.map((e) => e.context.tabId).sort()).toEqual([first.context.tabId, duplicated.context.tabId].sort());
});

test('a reload keeps the session', async ({ page, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'one');
  await page.reload();
  await waitForStint(page);
  await call(page, 'track', 'two');
  await call(page, 'flush');
  const [one] = await collector.waitFor(1, (e) => e.name === 'one');
  const [two] = await collector.waitFor(1, (e) => e.name === 'two');
  expect(two.session.sessionId).toBe(one.session.sessionId);
  expect(two.session.eventIndex).toBeGreaterThan(one.session.eventIndex);
  // One tab: application_initialized once, not again after the reload.
  await collector.exactly(1, (e) => e.name === 'application_initialized', page);
});

test('20 events tracked right before navigating away all arrive', async ({ page, build, run, collector, browserName }) => {
  await openStint(page, build, run);
  await page.evaluate(() => {
    for (let i = 0; i < 20; i++) (window as any).stint('track', 'burst', { i });
    (document.getElementById('away') as HTMLAnchorElement).click();
  });
  await page.waitForURL(/other\.html/);
  const events = await collector.exactly(20, (e) => e.name === 'burst', page.context());
  expect(events.map((e) => e.properties.i).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  // (WebKit may keep the page in its back/forward cache, which is no exit: seen 1 run in 3 once the sender took a
  // task's events in one step; the events still arrived, by the beacon of that pagehide)
  if (!leavesIntoCache(browserName)) await collector.waitFor(1, (e) => e.name === 'application_exit');
  const { duplicates, duplicated } = await collector.summary();
  expect(duplicates, `sent twice: ${duplicated.join('; ')}`).toBe(0);
});

test('no event is sent twice in the normal course (tab hidden and shown again)', async ({ page, build, run, collector }) => {
  await openStint(page, build, run);
  // (a first answer first: what a page beacons before it knows delivery works is sent again, docs/delivery.md "Page
  // hidden or closed"; the simulator's checks hold that case)
  await call(page, 'flush');
  await call(page, 'track', 'a');
  await setVisibility(page, 'hidden');
  await setVisibility(page, 'visible');
  await call(page, 'track', 'b');
  await call(page, 'flush');
  // The hide's beacon (flush() does not wait for a beacon; `a` may have left by fetch before it).
  await collector.waitFor(1, (e) => e.name === 'application_background');
  await collector.exactly(1, (e) => e.name === 'a', page);
  await collector.exactly(1, (e) => e.name === 'b', page);
  const { duplicates, events } = await collector.summary();
  expect(duplicates).toBe(0);
  expect(inTrackedOrder(events).map((e) => e.name).filter((n) => !n.startsWith('marker-'))).toEqual([
    'session_start',
    'application_initialized',
    'a',
    'application_background',
    'application_foreground',
    'b',
  ]);
});

test('bad input: one warning, nothing thrown, later events still work', async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  await openStint(page, build, run);
  const results = await page.evaluate(() => {
    const stint = (window as any).stint;
    const circular: any = { a: 1 };
    circular.self = circular;
    return [
      stint('track', ''),
      stint('track', 42),
      stint('track', 'circular', circular),
      stint('track', 'bigint', { n: BigInt(1) }),
      stint('track', 'huge', { blob: 'x'.repeat(40_000) }),
      stint('track', 'fine', { ok: true }),
    ];
  });
  expect(results.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(typeof results[5]).toBe('string');
  await expect.poll(() => seen.warnings.length).toBe(5);
  expect(seen.warnings.every((w) => w.startsWith('[stint] '))).toBe(true);
  expect(seen.errors).toEqual([]);
  await call(page, 'flush');
  await collector.exactly(1, (e) => e.name === 'fine', page);
  expect(await collector.events((e) => ['circular', 'bigint', 'huge'].includes(e.name))).toEqual([]);
});

bothBuilds(() => {
  test('a wrong config is a TypeError naming the field (tag: one console error)', async ({ page, build, run }) => {
    const seen = consoleOf(page);
    await openStint(page, build, run);
    if (build === 'esm') {
      const messages = await page.evaluate(async () => {
        const { createTracker } = await import('/dist/index.mjs' as string);
        const attempt = (config: unknown) => {
          try {
            createTracker(config);
            return 'no error';
          } catch (e) {
            return `${(e as Error).name}: ${(e as Error).message}`;
          }
        };
        return [
          attempt({ appId: 'x' }),
          attempt({ collector: '/c' }),
          attempt({ collector: '/c', appId: 'x', foregroundTimeout: -5 }),
          attempt({ collector: '/c', appId: 'x', backgroundTimeout: '30' }),
        ];
      });
      expect(messages[0]).toMatch(/^TypeError: .*collector/);
      expect(messages[1]).toMatch(/^TypeError: .*appId/);
      expect(messages[2]).toMatch(/^TypeError: .*foregroundTimeout/);
      expect(messages[3]).toMatch(/^TypeError: .*backgroundTimeout/);
    } else {
      await page.evaluate(() => {
        // A second page-level tracker is not how the tag works; a fresh global shows the init error.
        delete (window as any).stint;
      });
      await page.addScriptTag({ content: "window.stint = function () { stint.q.push([arguments, Date.now()]) }; stint.q = []; stint('init', { appId: 'x' });" });
      await page.addScriptTag({ url: '/dist/stint.js' }); // runs the queued init, which reports the error
      await expect.poll(() => seen.errors.filter((e) => /collector/.test(e)).length).toBe(1);
      expect(seen.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      // The calls after it say once that init failed (not "called before init"); a marker after them, in the
      // console's order, shows that the second said nothing.
      await page.evaluate(() => {
        (window as any).stint('page');
        (window as any).stint('track', 'later');
        console.error('marker');
      });
      await expect.poll(() => seen.errors.includes('marker')).toBe(true);
      expect(seen.errors.filter((e) => /\(#(9|14)[:)]/.test(e))).toEqual(['[stint] stint("page") (#14: debug: true or node_modules/stint/docs/messages.md#14)']);
    }
  });
});

test('each script tag carries one pipeline\'s format: asked for another, one console error names the right script', async ({ page, build, run }) => {
  const seen = consoleOf(page);
  await page.goto(pageUrl(build, run, { format: 'snowplow' }) + '&script=stint.js');
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  await expect.poll(() => seen.errors.length).toBe(1);
  expect(seen.errors[0]).toBe("[stint] config.format 'snowplow' needs stint.snowplow.js (#3: debug: true or node_modules/stint/docs/messages.md#3)");
});

test('the tag replays queued calls in order with the time they were made', async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  // Hold the bundle back until the calls are queued.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/dist/stint.js', async (route) => {
    await released;
    await route.continue();
  });
  // The async script holds the load event back: wait for the document only.
  await page.goto(pageUrl(build, run), { waitUntil: 'domcontentloaded' });
  const queuedAt = await page.evaluate(async () => {
    const stint = (window as any).stint;
    const last = () => stint.q[stint.q.length - 1][1] as number; // the time the snippet recorded
    stint('track', 'q1');
    const t1 = last();
    await new Promise((r) => setTimeout(r, 150));
    stint('track', 'q2');
    const t2 = last();
    stint('nonsense');
    return [t1, t2];
  });
  release();
  await waitForStint(page);
  const session = await call(page, 'getSession');
  expect(session).toMatchObject({ sessionIndex: 1 });
  await call(page, 'flush');
  const [q1] = await collector.waitFor(1, (e) => e.name === 'q1');
  const [q2] = await collector.waitFor(1, (e) => e.name === 'q2');
  // Each event is stamped with the time its call was queued, not the time it was replayed.
  expect([Date.parse(q1.timestamp), Date.parse(q2.timestamp)]).toEqual(queuedAt);
  expect(q2.session.eventIndex).toBe(q1.session.eventIndex + 1);
  // The tracker's life starts at the queued init: application_initialized comes first, in time too.
  const [init] = await collector.waitFor(1, (e) => e.name === 'application_initialized');
  expect(init.session.eventIndex).toBe(2);
  expect(Date.parse(init.timestamp)).toBeLessThanOrEqual(Date.parse(q1.timestamp));
  await expect.poll(() => seen.errors.filter((e) => e === '[stint] stint("nonsense") (#10: debug: true or node_modules/stint/docs/messages.md#10)').length).toBe(1);
  // Once loaded, stint() answers at once and returns the method's result.
  expect(typeof (await call(page, 'track', 'direct'))).toBe('string');
});

test('the bundle alone starts from its data attributes and records a page view', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl('data', run));
  await waitForStint(page);
  await call(page, 'flush');
  const [view] = await collector.waitFor(1, (e) => e.name === 'page_view');
  expect(view.context.page.path).toBe('/e2e/app.html');
  const seen = consoleOf(page);
  await call(page, 'noSuchMethod');
  await expect.poll(() => seen.errors).toEqual(['[stint] stint("noSuchMethod") (#10: debug: true or node_modules/stint/docs/messages.md#10)']);
});

test('shutdown(): what is queued is sent, then the tracker does nothing', async ({ page, build, run, collector }) => {
  await openStint(page, build, run);
  await call(page, 'track', 'last-words');
  await call(page, 'shutdown');
  await collector.waitFor(1, (e) => e.name === 'last-words');
  expect(await call(page, 'track', 'after-shutdown')).toBeUndefined();
  await setVisibility(page, 'hidden'); // a hidden page would beacon what is pending: nothing is
  await collector.expectNothingSent(page.context(), (e) => ['session_start', 'application_initialized', 'last-words'].includes(e.name));
});

test('shutdown() leaves no timer and no open database connection', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl(build, run, {}, '&noinit'));
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  // What the page keeps going: its timers, and its IndexedDB connections.
  await page.evaluate(() => {
    const w = window as any;
    const timers = (w.__timers = new Map<number, number>());
    const { setTimeout: set, clearTimeout: clear, setInterval: every, clearInterval: stop } = window;
    w.setTimeout = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const id = set(() => (timers.delete(id), fn(...args)), ms);
      timers.set(id, ms);
      return id;
    };
    w.clearTimeout = (id: number) => (timers.delete(id), clear(id));
    w.setInterval = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const id = every(fn, ms, ...args);
      timers.set(id, ms);
      return id;
    };
    w.clearInterval = (id: number) => (timers.delete(id), stop(id));
    const connections = (w.__connections = new Set<IDBDatabase>());
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, ...args: [string, number?]) {
      const request = open.apply(this, args);
      request.addEventListener('success', () => connections.add(request.result));
      return request;
    };
    const close = IDBDatabase.prototype.close;
    IDBDatabase.prototype.close = function (this: IDBDatabase) {
      connections.delete(this);
      return close.call(this);
    };
  });
  await startStint(page, build);
  await call(page, 'ready');
  await call(page, 'flush');
  // The collector answers after 5 s: shutdown() waits 3 s for it, and stops with the request in flight.
  await collector.fault(200, 1, undefined, 5000);
  await call(page, 'track', 'last-words');
  await call(page, 'shutdown');
  const left = await page.evaluate(() => ({ timers: [...(window as any).__timers.values()], connections: (window as any).__connections.size }));
  expect(left, 'timers pending (their delays) and connections open').toEqual({ timers: [], connections: 0 });
  expect((await collector.summary()).requests.map((r) => r.delay)).toEqual([undefined, 5000]);
  await collector.waitFor(1, (e) => e.name === 'last-words');
});

bothBuilds(() => {
  test("debug: true: debugLog() is the flight recorder's log, which replays in Node to the same model; without debug, null", async ({ page, build, run }) => {
    const seen = consoleOf(page);
    await openStint(page, build, run, { debug: true });
    // Its messages in full (the sentences come beside it: stint.debug.js, an npm app's chunk), those said before too.
    await call(page, 'track', '');
    await expect.poll(() => seen.warnings).toContain('[stint] track needs an event name (a non-empty string) (#20)');
    await expect.poll(() => seen.debug.some((d) => d.startsWith('[stint] granted is what consent is now (#50)'))).toBe(true);
    const id = await call<string>(page, 'track', 'recorded', { n: 1 });
    await call(page, 'setSessionAttribute', 'plan', 'pro');
    await call(page, 'page', { section: 'home' });
    // (the build's short names read back with dist/names.json, which the same build wrote; the log's writer comes with
    // the sentences, beside the tag or as a chunk)
    await expect.poll(() => call(page, 'debugLog')).not.toBeNull();
    const log = readLog((await call<string>(page, 'debugLog'))!, JSON.parse(readFileSync('dist/names.json', 'utf8')));
    const tracked = log.steps.find(([input]) => input[0] === 'track' && input[2] === 'recorded')!;
    expect(tracked[1].filter((e) => e[0] === 'enqueue').map((e) => (e[1] as { id: string }).id)).toContain(id);
    expect(log.steps[0][0][0]).toBe('consent');
    expect(log.now.session!.sessionId).toBe((await call<{ sessionId: string }>(page, 'getSession')).sessionId);
    expect(log.now.session!.attributes).toEqual({ plan: 'pro' });
    const replayed = replayLog(log, (actual, logged) => expect(actual).toEqual(logged));
    expect(JSON.parse(JSON.stringify(replayed.model))).toEqual(log.now);
    // (delivery's steps too, from its start: the same model)
    expect(log.steps.some(([input]) => input[0] === 'send')).toBe(true);
    expect(replayed.delivery).toEqual(log.sending);
    await openStint(page, build, run);
    expect(await call(page, 'debugLog')).toBeNull();
  });
});
