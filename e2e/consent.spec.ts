/**
 * Consent: for each state and transition, the cookie jar, Stint's IndexedDB databases, the page's
 * web storage and the collector's record hold exactly what the state allows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import { call, consoleOf, expect, inChromium, newTab, openStint, outboxSize, pageUrl, sleep, stintCookies, test, waitForStint, type Build, type Collector } from './fixtures';
import { bothBuilds } from './npm';

const NIL = '00000000-0000-0000-0000-000000000000';

/** Everything Stint could have left on the device. */
async function deviceOf(page: Page, context: BrowserContext) {
  return {
    cookies: (await stintCookies(context)).map((c) => c.name),
    ...(await page.evaluate(async () => ({
      databases: (await indexedDB.databases()).map((d) => d.name),
      localStorage: Object.keys(localStorage),
      sessionStorage: Object.keys(sessionStorage),
    }))),
  };
}

const NOTHING = { cookies: [], databases: [], localStorage: [], sessionStorage: [] };
/** After a withdrawal of a grant: nothing but the withdrawal's time, for the pages away meanwhile (docs/consent.md). */
const WITHDRAWN = { cookies: [], databases: [], localStorage: ['stint:withdrawn'], sessionStorage: [] };

test('pending: nothing stored, nothing sent; then granted: held events go out with their own times', async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  await openStint(page, build, run, { consent: 'pending' });
  const ids: string[] = [];
  const times: [number, number][] = [];
  for (let i = 0; i < 3; i++) {
    const [before, id, after] = await page.evaluate((n) => [Date.now(), (window as any).stint('track', 'held', { i: n }), Date.now()], i);
    ids.push(id);
    times.push([before, after]);
    await sleep(100); // three distinct moments
  }
  expect(ids.every((id) => typeof id === 'string')).toBe(true);
  expect(await call(page, 'getSession')).toBeNull();
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))); // a hide sends nothing either
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);

  await call(page, 'setConsent', 'granted');
  await call(page, 'flush');
  const held = await collector.waitFor(3, (e) => e.name === 'held');
  expect(held.map((e) => e.eventId)).toEqual(ids);
  // Each held event keeps the time it was tracked at.
  held.forEach((e, i) => {
    expect(Date.parse(e.timestamp)).toBeGreaterThanOrEqual(times[i][0]);
    expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(times[i][1]);
  });
  expect(held.map((e) => e.session.eventIndex)).toEqual([3, 4, 5]);
  expect(held[0].session.userId).not.toBe(NIL);
  expect(held[0].session.storageMechanism).toBe('COOKIE_1');
  expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
  await collector.expectValid();
});

test('denied: held events dropped, nothing stored or sent, track returns undefined', async ({ page, context, build, run, collector }) => {
  await openStint(page, build, run, { consent: 'pending' });
  await call(page, 'track', 'before-refusal');
  await call(page, 'setConsent', 'denied');
  expect(await call(page, 'track', 'after-refusal')).toBeUndefined();
  await call(page, 'setSessionAttribute', 'a', 1);
  await call(page, 'flush');
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
});

test('denied with onDenied "anonymous": cookieless events without device id or previous session', async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  await openStint(page, build, run, { consent: 'denied', onDenied: 'anonymous' });
  await call(page, 'identify', 'user-1');
  await call(page, 'track', 'anon', { n: 1 });
  await call(page, 'newSession');
  await call(page, 'track', 'anon', { n: 2 });
  await call(page, 'flush');
  const anon = await collector.waitFor(2, (e) => e.name === 'anon');
  for (const e of anon) {
    expect(e.session.userId).toBe(NIL);
    expect(e.session.previousSessionId).toBeNull();
    expect(e.session.storageMechanism).toBe('MEMORY');
    expect(e.user.id).toBeNull();
  }
  expect(anon[1].session.sessionIndex).toBe(2);
  expect(await collector.events((e) => e.name === 'identify')).toEqual([]);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
  // The session lives as long as the page.
  await page.reload();
  await waitForStint(page);
  await call(page, 'track', 'anon', { n: 3 });
  await call(page, 'flush');
  const [third] = await collector.waitFor(1, (e) => e.name === 'anon' && e.properties.n === 3);
  expect(third.session.sessionIndex).toBe(1);
  expect(third.session.sessionId).not.toBe(anon[0].session.sessionId);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
  await collector.expectValid();
});

test('withdrawal erases cookie, database and outbox at once; a later grant is a new device', async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  await openStint(page, build, run);
  await call(page, 'track', 'while-granted');
  await call(page, 'flush');
  const [granted] = await collector.waitFor(1, (e) => e.name === 'while-granted');
  await collector.fault(503, 1000); // keep something in the outbox
  await call(page, 'track', 'queued-then-withdrawn');
  await expect.poll(() => outboxSize(page, 'queued-then-withdrawn')).toBe(1);

  await call(page, 'setConsent', 'denied');
  await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
  await collector.heal();
  expect(await call(page, 'track', 'after-withdrawal')).toBeUndefined();
  await collector.expectNothingSent(context, (e) => ['session_start', 'application_initialized', 'while-granted'].includes(e.name));

  await call(page, 'setConsent', 'granted');
  await call(page, 'track', 'granted-again');
  await call(page, 'flush');
  const [again] = await collector.waitFor(1, (e) => e.name === 'granted-again');
  expect(again.session.userId).not.toBe(granted.session.userId);
  expect(again.session.sessionIndex).toBe(1);
  expect(again.session.previousSessionId).toBeNull();
  expect(await collector.events((e) => e.name === 'queued-then-withdrawn')).toEqual([]);
});

test('a withdrawal in one tab applies to the others', async ({ context, build, run, collector }) => {
  const tabs = [await newTab(context, build, run), await newTab(context, build, run)];
  expect(await call(tabs[1], 'getSession')).not.toBeNull();
  await call(tabs[0], 'setConsent', 'denied');
  // The other tab hears the decision: it keeps no session from then on.
  await expect.poll(() => call(tabs[1], 'getSession')).toBeNull();
  expect(await call(tabs[1], 'track', 'other-tab')).toBeUndefined();
  await collector.expectNothingSent(context, (e) => e.name === 'session_start' || e.name === 'application_initialized');
  expect(await deviceOf(tabs[1], context)).toEqual(WITHDRAWN);
});

test('Global Privacy Control: no request, nothing stored; unless the config opts out', async ({ page, context, build, run, collector }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await openStint(page, build, run, { consent: 'granted' });
  await call(page, 'track', 'gpc');
  await call(page, 'setConsent', 'granted'); // a banner's grant does not override GPC
  await call(page, 'track', 'gpc');
  await call(page, 'flush');
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);

  await openStint(page, build, run, { respectGlobalPrivacyControl: false });
  await call(page, 'track', 'gpc-ignored');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'gpc-ignored');
});

/**
 * A CMP stub that follows the TCF v2.2 API: `__tcfapi('addEventListener', 2, cb)`; `__decide(consents)` plays the
 * user. `stored`: the visitor decided on an earlier visit, and the CMP answers a listener at once, within the
 * call (as CMPs do once their TC string is loaded); else it shows its UI and answers in a later task.
 */
const tcfStub = (page: Page, stored?: Record<number, boolean>) =>
  page.addInitScript((stored) => {
    const listeners = new Map<number, (data: unknown, ok: boolean) => void>();
    let data: Record<string, unknown> = stored
      ? { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: stored, legitimateInterests: {} } }
      : { gdprApplies: true, eventStatus: 'cmpuishown', purpose: { consents: {}, legitimateInterests: {} } };
    let next = 1;
    (window as any).__tcfapi = (command: string, version: number, callback: (d: unknown, ok: boolean) => void, arg?: number) => {
      if (version !== 2) return callback(null, false);
      if (command === 'addEventListener') {
        const id = next++;
        listeners.set(id, callback);
        if (stored) callback({ ...data, listenerId: id }, true);
        else setTimeout(() => callback({ ...data, listenerId: id }, true));
      } else if (command === 'removeEventListener') callback(listeners.delete(arg!), true);
    };
    (window as any).__decide = (consents: Record<number, boolean>) => {
      data = { ...data, eventStatus: 'useractioncomplete', purpose: { consents, legitimateInterests: {} } };
      for (const [id, callback] of listeners) callback({ ...data, listenerId: id }, true);
    };
  }, stored);

bothBuilds(() => {
  test('consent "tcf": follows a TCF v2.2 CMP', async ({ page, context, build, run, collector }) => {
    await tcfStub(page);
    await openStint(page, build, run, { consent: 'tcf' });
    await call(page, 'track', 'before-decision');
    await collector.expectNothingSent(context);
    expect(await deviceOf(page, context)).toEqual(NOTHING);

    await page.evaluate(() => (window as any).__decide({ 1: true, 8: true, 9: true }));
    await call(page, 'flush');
    await collector.waitFor(1, (e) => e.name === 'before-decision');
    expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);

    await page.evaluate(() => (window as any).__decide({ 1: true }));
    await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
    expect(await call(page, 'track', 'after-refusal')).toBeUndefined();
  });
});

test('consent "tcf": a CMP that answers at once with a stored grant is followed from the start, and nothing is erased', async ({ page, context, build, run, collector }) => {
  // The configured consent (pending until the CMP answers) is applied first, then the CMP followed: its
  // answer within the call is the decision, not overruled by the configuration a moment later.
  await tcfStub(page, { 1: true, 8: true, 9: true });
  await openStint(page, build, run, { consent: 'tcf' });
  await call(page, 'ready');
  await call(page, 'track', 'at-once');
  await call(page, 'flush');
  const [event] = await collector.exactly(1, (e) => e.name === 'at-once', page);
  expect(event.session.storageMechanism).toBe('COOKIE_1');
  expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
});

/** The parts of Stint the page loaded beside its tag (`stint.<name>.js`, src/door/parts.ts), by their path. */
const partsOf = (page: Page) =>
  page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((path) => /\/stint\.\w+\.js$/.test(path)));

test("the tag loads the consent platform's part its config names, beside it, and no part when it names none", async ({ page, build, run, collector }) => {
  await openStint(page, build, run, { consent: 'denied' });
  expect(await partsOf(page)).toEqual([]);

  await tcfStub(page, { 1: true, 8: true, 9: true });
  await openStint(page, build, run, { consent: 'tcf' });
  await call(page, 'track', 'with-part');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'with-part');
  expect(await partsOf(page)).toEqual(['/dist/stint.tcf.js']);

  await openStint(page, build, run, { consent: 'google' });
  await expect.poll(() => partsOf(page)).toEqual(['/dist/stint.google.js']);

  await openStint(page, build, run, { consent: 'gpp' });
  await expect.poll(() => partsOf(page)).toEqual(['/dist/stint.gpp.js']);
});

test('a consent part that does not load: one console error naming it, and consent stays pending (nothing stored or sent)', async ({ page, context, build, run, collector }) => {
  const seen = consoleOf(page);
  await page.route('**/dist/stint.tcf.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await tcfStub(page, { 1: true, 8: true, 9: true }); // a CMP that would grant at once
  await openStint(page, build, run, { consent: 'tcf' });
  await call(page, 'track', 'held');
  // (the engine logs the failed request too, in its own words)
  const said = () => seen.errors.filter((e) => e.startsWith('[stint]'));
  const once = [`[stint] config.consent 'tcf' ${new URL('/dist/stint.tcf.js', page.url())} (#11: debug: true or node_modules/stint/docs/messages.md#11)`];
  await expect.poll(said).toEqual(once);
  await call(page, 'flush');
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
  expect(said()).toEqual(once);
});

/** The query that has the page run these gtag commands before Stint loads (e2e/pages/app.html: gtag as Google's snippet defines it). */
const gtagFirst = (...commands: unknown[][]) => `&gtag=${encodeURIComponent(JSON.stringify(commands))}`;
/** `gtag('consent', kind, params)` in the page: `dataLayer.push(arguments)`, without gtag.js. */
const gtag = (page: Page, ...command: unknown[]) => page.evaluate((c) => (window as any).gtag(...c), command);
/** Tracks `name` in `page` and resolves it as the collector received it. */
async function sent(page: Page, collector: Collector, name: string) {
  await call(page, 'track', name);
  await call(page, 'flush');
  return (await collector.waitFor(1, (e) => e.name === name))[0];
}
const DENY = ['consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' }];
const GRANT = ['consent', 'update', { analytics_storage: 'granted', ad_storage: 'denied' }];

bothBuilds(() => {
  test('consent "google": follows Consent Mode v2\'s analytics_storage as gtag pushes it into dataLayer', async ({ page, context, build, run, collector }) => {
    // The tag takes it from its data attribute (data-consent="google"), the npm build from 'stint/consent-mode'.
    await page.goto(pageUrl(build === 'tag' ? 'data' : build, run, { consent: 'google' }));
    await waitForStint(page, { consent: 'google' });
    // No consent command yet: pending, as for a TCF CMP that has not answered.
    expect(typeof (await call(page, 'track', 'before-decision'))).toBe('string');
    await gtag(page, 'event', 'page_view'); // not a consent command
    await gtag(page, 'consent', 'update', { ad_storage: 'granted' }); // not analytics_storage
    await collector.expectNothingSent(context);
    expect(await deviceOf(page, context)).toEqual(NOTHING);

    await gtag(page, ...GRANT);
    await call(page, 'flush');
    await collector.waitFor(1, (e) => e.name === 'before-decision');
    expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);

    // The visitor withdraws: everything is erased, nothing is sent any more.
    await gtag(page, 'consent', 'update', { analytics_storage: 'denied' });
    await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
    expect(await call(page, 'track', 'after-refusal')).toBeUndefined();
  });
});

test('consent "google": a default that denies is a refusal until an update grants; with wait_for_update the first events wait for it', async ({ page, context, build, run, collector }) => {
  await page.goto(pageUrl(build, run, { consent: 'google' }, gtagFirst(DENY)));
  await waitForStint(page);
  expect(await call(page, 'track', 'refused')).toBeUndefined();
  await gtag(page, ...GRANT);
  await call(page, 'ready');
  await call(page, 'track', 'granted');
  await call(page, 'flush');
  await collector.exactly(1, (e) => e.name === 'granted' || e.name === 'refused', page);

  // wait_for_update: the default's refusal waits that long for the CMP's update; the landing event is held meanwhile.
  const waiting = await context.newPage();
  await waiting.goto(pageUrl(build, run, { consent: 'google' }, gtagFirst(['consent', 'default', { analytics_storage: 'denied', wait_for_update: 10_000 }])));
  await waitForStint(waiting, { consent: 'google' });
  expect(typeof (await call(waiting, 'track', 'landing'))).toBe('string');
  await gtag(waiting, ...GRANT);
  await call(waiting, 'flush');
  await collector.waitFor(1, (e) => e.name === 'landing');
});

test('consent "google": a grant in dataLayer before Stint loads is followed from the start, and the device is kept across pages', async ({ page, context, build, run, collector }) => {
  // A returning visitor: the page's default denies, the CMP's update restores the stored grant, both before Stint.
  await page.goto(pageUrl(build, run, { consent: 'google' }, gtagFirst(DENY, GRANT)));
  await waitForStint(page);
  const first = await sent(page, collector, 'first-page');
  await page.goto(pageUrl(build, run, { consent: 'google' }, gtagFirst(DENY, GRANT)));
  await waitForStint(page);
  const next = await sent(page, collector, 'next-page');
  await collector.exactly(1, (e) => e.name === 'next-page', page);
  expect(next.session.userId).toBe(first.session.userId);
  expect(next.session.sessionId).toBe(first.session.sessionId);
  expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
});

test("consent \"google\": a page's default applies to its own tab only; an update applies to every tab", async ({ page, context, build, run, collector }) => {
  await page.goto(pageUrl(build, run, { consent: 'google' }, gtagFirst(DENY, GRANT)));
  await waitForStint(page);
  const granted = await sent(page, collector, 'granted-tab');
  // A second tab whose CMP has not loaded yet: its default denies there, and erases nothing of the first tab's.
  const second = await newTab(context, build, run, { consent: 'google' }, gtagFirst(DENY));
  expect(await call(second, 'track', 'default-tab')).toBeUndefined();
  const still = await sent(page, collector, 'still-granted');
  expect(still.session.userId).toBe(granted.session.userId);
  expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
  // The visitor refuses in the second tab: an update, for every tab.
  await gtag(second, 'consent', 'update', { analytics_storage: 'denied' });
  await expect.poll(() => call(page, 'getSession')).toBeNull();
  expect(await call(page, 'track', 'after-refusal')).toBeUndefined();
  // (the database goes once every tab's connection has closed on its versionchange: a step behind the refusal)
  await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
  await collector.expectNothingSent(context, (e) => ['granted-tab', 'still-granted', 'application_initialized', 'session_start'].includes(e.name));
});

test('data-consent on the tag, then stint("setConsent", "granted")', async ({ page, context, build, run, collector }) => {
  await page.goto(pageUrl('data', run, { consent: 'pending' }));
  await waitForStint(page, { consent: 'pending' });
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
  await call(page, 'setConsent', 'granted');
  await call(page, 'flush');
  await collector.waitFor(1, (e) => e.name === 'page_view');
});

// ---- TCF against the IAB Tech Lab's own CMP API (@iabtechlabtcf/cmpapi) -----------------------------------------
// The page's CMP (e2e/pages/cmp.js) is built on it; the TC strings are built here with @iabtechlabtcf/core, on a
// vendor list of the tests' own (e2e/tcf/vendor-list.json, no network).

const gvl = new GVL(JSON.parse(readFileSync(join(__dirname, 'tcf/vendor-list.json'), 'utf8')));

/** A TC string as a CMP writes it: these purposes consented, these by legitimate interest. */
function tcString(consents: number[], interests: number[] = []): string {
  const model = new TCModel(gvl);
  model.cmpId = 2;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.purposeConsents.set(consents);
  model.purposeLegitimateInterests.set(interests);
  return TCString.encode(model);
}

const TC_GRANT = tcString([1, 8, 9]);
const TC_REFUSAL = tcString([]);

/** Where the CMP stands to Stint: loaded first; loaded after Stint started (which looks for `__tcfapi` meanwhile); after it, the IAB's stub first. */
const ORDERS = {
  'loaded before Stint': '&cmp=before',
  'loaded after Stint': '&cmp=after',
  'loaded after Stint, its stub before': '&cmp=after&tcfstub',
} as const;
type Order = keyof typeof ORDERS;

/**
 * The order that plays in every engine; the others play in Chromium: where the CMP loads is the consent part's own
 * logic, the same in every engine (what the TC data decides: test/consent.test.ts).
 */
const EVERY_ENGINE: Order = 'loaded after Stint, its stub before';
const ONE_ORDER = `where the CMP loads is the consent part's logic, the same in every engine: "${EVERY_ENGINE}" plays in every engine`;

/** A page of the site with `consent: 'tcf'` and the CMP in `order`, which holds the visitor's TC string `tc` ('': a first visit; 'none': no GDPR). */
async function withCmp(page: Page, build: Build, run: string, order: Order, tc: string): Promise<void> {
  await page.goto(pageUrl(build, run, { consent: 'tcf' }, `${ORDERS[order]}&tc=${encodeURIComponent(tc)}`));
  await waitForStint(page, { consent: 'tcf' });
  if (!ORDERS[order].includes('before')) await page.evaluate(() => (window as any).__loadCmp());
}

const decide = (page: Page, tc: string) => page.evaluate((tc) => (window as any).__cmp.decide(tc), tc);

for (const order of Object.keys(ORDERS) as Order[])
  inChromium(ONE_ORDER, () => {
    test(`TCF, the IAB's CMP API ${order}, a first visit: nothing stored or sent until the visitor decides; a grant sends what was held; a withdrawal erases`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      await withCmp(page, build, run, order, '');
      await page.waitForFunction(() => (window as any).__cmp);
      expect(typeof (await call(page, 'track', 'before-decision'))).toBe('string');
      await collector.expectNothingSent(context);
      expect(await deviceOf(page, context)).toEqual(NOTHING);
      await decide(page, TC_GRANT);
      await call(page, 'ready');
      await call(page, 'flush');
      await collector.waitFor(1, (e) => e.name === 'before-decision');
      expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
      // The visitor opens the CMP again and withdraws.
      await decide(page, TC_REFUSAL);
      await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
      expect(await call(page, 'track', 'after-withdrawal')).toBeUndefined();
    });

    test(`TCF, the IAB's CMP API ${order}, a returning visitor: the stored grant is followed at once, the device kept and nothing erased`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      await withCmp(page, build, run, order, TC_GRANT);
      await call(page, 'ready');
      await call(page, 'track', 'first-visit');
      await call(page, 'flush');
      const [first] = await collector.waitFor(1, (e) => e.name === 'first-visit');
      // The next page: the CMP answers with the decision it stored, at once (before) or as soon as it is there.
      await withCmp(page, build, run, order, TC_GRANT);
      await call(page, 'ready');
      await call(page, 'track', 'returning');
      await call(page, 'flush');
      const [again] = await collector.exactly(1, (e) => e.name === 'returning', page);
      expect(again.session).toMatchObject({ userId: first.session.userId, sessionId: first.session.sessionId });
      expect(await collector.events((e) => e.name === 'session_start')).toHaveLength(1);
      expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
    });

    test(`TCF, the IAB's CMP API ${order}: stored decisions, grants (8 and 9 by legitimate interest, no GDPR), then refusals (none, purpose 1 alone) that erase what the grants left`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      for (const [what, tc] of [['8 and 9 by legitimate interest', tcString([1], [8, 9])], ['no GDPR', 'none']]) {
        await withCmp(page, build, run, order, tc);
        await call(page, 'ready');
        await call(page, 'track', 'granted', { what });
        await call(page, 'flush');
        await collector.waitFor(1, (e) => e.name === 'granted' && e.properties.what === what);
      }
      expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
      // The visitor refused since (in the CMP of a page without Stint, or the CMP asked again): nothing is sent, and
      // what the grants left on the device goes, marked as a withdrawal for the site's pages away (docs/consent.md).
      for (const [what, tc] of [['none', TC_REFUSAL], ['purpose 1 alone', tcString([1])]]) {
        await withCmp(page, build, run, order, tc);
        // (until the CMP answers, calls are held: then dropped)
        await expect.poll(() => call(page, 'track', 'refused', { what }), { message: what }).toBeUndefined();
        await expect.poll(() => deviceOf(page, context), { message: what }).toEqual(WITHDRAWN);
      }
      await collector.expectNothingSent(context, (e) => e.name !== 'refused');
    });
  }, order === EVERY_ENGINE);

test("the page's own consent signal that throws when started: createTracker does not throw, one warning, consent stays pending (nothing sent)", async ({ page, build, run, collector }) => {
  const seen = consoleOf(page);
  await page.goto(pageUrl(build, run) + '&noinit');
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  const thrown = await page.evaluate(async (build) => {
    const w = window as any;
    const consent = () => {
      throw new Error('CMP not there');
    };
    try {
      if (build === 'tag') w.stint('init', { ...w.__stintConfig, consent });
      else {
        const tracker = (await import('/dist/index.mjs' as string)).createTracker({ ...w.__stintConfig, consent });
        w.stint = (method: string, ...args: unknown[]) => tracker[method](...args);
      }
      w.stint('track', 'held');
      return null;
    } catch (e) {
      return String(e);
    }
  }, build);
  expect(thrown).toBeNull();
  await expect.poll(() => seen.warnings.filter((w) => w === '[stint] config.consent (CMP not there) (#5: debug: true or node_modules/stint/docs/messages.md#5)')).toHaveLength(1);
  expect(await call(page, 'getSession')).toBeNull();
  await collector.expectNothingSent(page.context());
  expect(seen.errors).toEqual([]);
});
