/**
 * `consent: 'gpp'` against a CMP built on the IAB Tech Lab's own GPP CMP API (@iabgpp/cmpapi: e2e/pages/gpp-cmp.js),
 * behind a stub with an `events` list (e2e/pages/gpp-stub.js), behind the specification's own example stub, which has
 * none (e2e/pages/gpp-spec-stub.js), or without a stub, loaded before or after Stint, on the page or in a parent page
 * reached through its `__gppLocator` frame; and against hand-made 1.0 CMPs (e2e/pages/gpp-10-cmp.js): what the device
 * holds and what the collector receives follow each opt-out field (src/consent/gpp.ts says the map; test/gpp.test.ts
 * plays each shape of the API in Node).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { baseUrl, call, consoleOf, expect, inChromium, pageUrl, stintCookies, test, waitForStint, type Build } from './fixtures';
import { bothBuilds } from './npm';

const NIL = '00000000-0000-0000-0000-000000000000';
const NOTHING = { cookies: [], databases: [], localStorage: [] };
/** After a withdrawal of a grant: nothing but the withdrawal's time, for the pages away meanwhile (docs/consent.md). */
const WITHDRAWN = { cookies: [], databases: [], localStorage: ['stint:withdrawn'] };

/** What Stint could have left on the device: its cookies, its database, its mirror in localStorage (stint:mirror). */
async function deviceOf(page: Page, context: BrowserContext) {
  return {
    cookies: (await stintCookies(context)).map((c) => c.name),
    ...(await page.evaluate(async () => ({ databases: (await indexedDB.databases()).map((d) => d.name), localStorage: Object.keys(localStorage) }))),
  };
}

type Choices = Record<string, Record<string, number | boolean | string>>;
const NO_OPT_OUT: Choices = { usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } };

/**
 * Where the CMP stands to Stint: loaded first; after Stint started (which looks for `__gpp` meanwhile); after it, a
 * stub first whose listeners the CMP takes over; after it, the specification's example stub first, whose listeners
 * the CMP cannot take over (Stint registers with the CMP that replaced it).
 */
const ORDERS = {
  'loaded before Stint': '&gpp=before',
  'loaded after Stint': '&gpp=after',
  'loaded after Stint, the stub before': '&gpp=after&gppstub',
  "loaded after Stint, the specification's example stub before": '&gpp=after&gppstub=spec',
} as const;
type Order = keyof typeof ORDERS;

/**
 * What plays in every engine: one order of the CMP, one field, one shape of a 1.0 CMP; the others play in Chromium.
 * Where the CMP loads and how it answers are the consent part's own logic, the same in every engine, and what each
 * field decides is a table: test/gpp.test.ts plays each shape of the API and each field in Node.
 */
const oneOf = (every: string) => `the consent part's logic, the same in every engine (test/gpp.test.ts plays each case in Node): "${every}" plays in every engine`;
const EVERY_ORDER: Order = 'loaded after Stint, the stub before';
const EVERY_FIELD = 'usnat SaleOptOut';
const EVERY_SHAPE = 'supportedAPIs';

/** A page with `consent: 'gpp'` (and `config`), its CMP in `order`, the visitor's stored choices (null: a first visit). */
async function withGpp(page: Page, build: Build, run: string, order: Order, stored: Choices | null, config: Record<string, unknown> = {}) {
  const fields = stored ? `&gppfields=${encodeURIComponent(JSON.stringify(stored))}` : '';
  await page.goto(pageUrl(build, run, { consent: 'gpp', ...config }, ORDERS[order] + fields));
  await waitForStint(page, { consent: 'gpp' });
  if (!ORDERS[order].includes('before')) await page.evaluate(() => (window as any).__loadGpp());
  await page.waitForFunction(() => (window as any).__gppCmp);
}

const decide = (page: Page, choices: Choices) => page.evaluate((choices) => (window as any).__gppCmp.decide(choices), choices);

for (const order of Object.keys(ORDERS) as Order[]) {
  inChromium(oneOf(EVERY_ORDER), () => {
    test(`GPP, the IAB's CMP API ${order}, a first visit: nothing stored or sent until the signal is ready; no opt-out sends what was held; an opt-out erases`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      await withGpp(page, build, run, order, null);
      expect(typeof (await call(page, 'track', 'before-decision'))).toBe('string');
      await collector.expectNothingSent(context);
      expect(await deviceOf(page, context)).toEqual(NOTHING);
      await decide(page, NO_OPT_OUT);
      await call(page, 'ready');
      await call(page, 'flush');
      await collector.waitFor(1, (e) => e.name === 'before-decision');
      expect((await deviceOf(page, context)).cookies).toEqual(['_stint']);
      // The visitor opens the CMP again and opts out of the sale of their data.
      await decide(page, { usnat: { SaleOptOut: 1 } });
      await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
      expect(await call(page, 'track', 'after-opt-out')).toBeUndefined();
    });
  }, order === EVERY_ORDER);
}

/** Each field that refuses, where a returning visitor stored it; the value that does not. */
const OPT_OUTS: [string, Choices, Choices][] = [
  ['usnat SaleOptOut', { usnat: { SaleOptOut: 1 } }, { usnat: { SaleOptOut: 2 } }],
  ['usnat SharingOptOut', { usnat: { SharingOptOut: 1 } }, { usnat: { SharingOptOut: 2 } }],
  ['usnat TargetedAdvertisingOptOut', { usnat: { TargetedAdvertisingOptOut: 1 } }, { usnat: { TargetedAdvertisingOptOut: 2 } }],
  ['usnat Gpc', { usnat: { Gpc: true } }, { usnat: { Gpc: false } }],
  ['usca SaleOptOut', { usca: { SaleOptOut: 1 } }, { usca: { SaleOptOut: 2 } }],
  ['uspv1 OptOutSale', { uspv1: { Notice: 'Y', OptOutSale: 'Y' } }, { uspv1: { Notice: 'Y', OptOutSale: 'N' } }],
];

for (const [what, refusal, grant] of OPT_OUTS) {
  inChromium(oneOf(EVERY_FIELD), () => {
    test(`GPP: ${what} that a returning visitor stored is a refusal (anonymous events, onDenied 'anonymous'); its withdrawal a grant`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      await withGpp(page, build, run, 'loaded before Stint', refusal, { onDenied: 'anonymous' });
      await call(page, 'ready');
      await call(page, 'track', 'refused');
      await call(page, 'flush');
      const [anonymous] = await collector.waitFor(1, (e) => e.name === 'refused');
      expect(anonymous.session.userId).toBe(NIL);
      expect(await deviceOf(page, context)).toEqual(NOTHING);
      await decide(page, grant);
      await expect.poll(() => stintCookies(context).then((c) => c.map((c) => c.name))).toEqual(['_stint']);
      await call(page, 'track', 'granted');
      await call(page, 'flush');
      const [identified] = await collector.waitFor(1, (e) => e.name === 'granted');
      expect(identified.session.userId).not.toBe(NIL);
      await decide(page, refusal);
      await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
    });
  }, what === EVERY_FIELD);
}

bothBuilds(() => {
  test('GPP: a stored grant is followed from the start; an opt-out in one tab applies in every tab', async ({ page, context, build, run, collector }) => {
    await withGpp(page, build, run, 'loaded before Stint', NO_OPT_OUT);
    await call(page, 'ready');
    const other = await context.newPage();
    await withGpp(other, build, run, 'loaded before Stint', NO_OPT_OUT);
    await call(other, 'ready');
    await call(page, 'track', 'granted-at-once');
    await call(page, 'flush');
    await collector.waitFor(1, (e) => e.name === 'granted-at-once');
    expect(await call(other, 'getSession')).not.toBeNull();
    await decide(page, { usnat: { TargetedAdvertisingOptOut: 1 } });
    // The other tab hears the decision: it keeps no session from then on.
    await expect.poll(() => call(other, 'getSession')).toBeNull();
    expect(await call(other, 'track', 'other-tab')).toBeUndefined();
    await expect.poll(() => deviceOf(page, context)).toEqual(WITHDRAWN);
  });
});

test("GPP in a frame: Stint finds the page's CMP through its __gppLocator frame and follows it by postMessage", async ({ page, context, build, run, collector }) => {
  const frameUrl = pageUrl(build, run, { consent: 'gpp' });
  await page.goto(`${baseUrl()}/e2e/gpp-frame.html?gppfields=${encodeURIComponent(JSON.stringify(NO_OPT_OUT))}&frame=${encodeURIComponent(frameUrl)}`);
  // Stint's frame is the page's first; the stub's __gppLocator the second (the WebKit harness learns them by the event).
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 2);
  if (page.frames().length < 3) await page.waitForEvent('frameattached');
  const frame = page.frames()[1];
  await frame.waitForFunction(() => (window as any).__stintLoaded === true);
  expect(await frame.evaluate(() => typeof (window as any).__gpp)).toBe('undefined');
  await frame.evaluate(() => (window as any).stint('ready'));
  await frame.evaluate(() => (window as any).stint('track', 'framed'));
  await frame.evaluate(() => (window as any).stint('flush'));
  await collector.waitFor(1, (e) => e.name === 'framed');
  await page.waitForFunction(() => (window as any).__gppCmp);
  await page.evaluate(() => (window as any).__gppCmp.decide({ usnat: { SaleOptOut: 1 } }));
  await expect.poll(() => frame.evaluate(() => (window as any).stint('getSession'))).toBeNull();
  expect(await frame.evaluate(() => (window as any).stint('track', 'after-opt-out'))).toBeUndefined();
  expect((await stintCookies(context)).map((c) => c.name)).toEqual([]);
});

/** A page with `consent: 'gpp'` (and `config`) and a hand-made GPP 1.0 CMP before Stint (e2e/pages/gpp-10-cmp.js: `cmp` is its field-answers). */
async function withGpp10(page: Page, build: Build, run: string, cmp: string, sections: Record<string, unknown>, config: Record<string, unknown> = {}) {
  await page.goto(pageUrl(build, run, { consent: 'gpp', ...config }, `&gpp10=${cmp}&gppfields=${encodeURIComponent(JSON.stringify(sections))}`));
  await waitForStint(page, { consent: 'gpp' });
}

/** A 1.0 CMP of each field name, one answering by return values, the other by callbacks; what a refusal does (onDenied). */
const CMPS_10 = [
  ['supportedAPIs', 'return', 'anonymous'],
  ['apiSupport', 'callback', 'drop'],
] as const;

for (const [field, answers, onDenied] of CMPS_10) {
  inChromium(oneOf(EVERY_SHAPE), () => {
    test(`GPP 1.0: a CMP that lists its sections in ${field} and answers by ${answers}: usnatv1's SaleOptOut 1 is a refusal (onDenied '${onDenied}'), nothing stored`, async ({
      page,
      context,
      build,
      run,
      collector,
    }) => {
      await withGpp10(page, build, run, `${field}-${answers}`, { usnatv1: { SaleOptOut: 1, SharingOptOut: 2 } }, { onDenied });
      // (ready() resolves once consent is decided: it never did for a CMP whose sections Stint did not read)
      await call(page, 'ready');
      await call(page, 'track', 'refused');
      await call(page, 'flush');
      if (onDenied === 'anonymous') expect((await collector.waitFor(1, (e) => e.name === 'refused'))[0].session.userId).toBe(NIL);
      else await collector.expectNothingSent(context);
      expect(await deviceOf(page, context)).toEqual(NOTHING);
    });
  }, field === EVERY_SHAPE);
}

inChromium('what Stint cannot read is the consent part\'s decision, the same in every engine: test/gpp.test.ts "a section that applies and cannot be read"', () =>
test('GPP 1.0: a section that applies and cannot be read is never a grant: pending, one warning naming it, nothing stored or sent', async ({
  page,
  context,
  build,
  run,
  collector,
}) => {
  const seen = consoleOf(page);
  await withGpp10(page, build, run, 'supportedAPIs-return', { usnatv1: null });
  await call(page, 'track', 'held');
  const said = () => seen.warnings.filter((w) => w.startsWith('[stint]'));
  const once = ['[stint] the GPP CMP says usnatv1 applies, but gives no section Stint can read: consent stays pending'];
  await expect.poll(said).toEqual(once);
  await call(page, 'flush');
  await collector.expectNothingSent(context);
  expect(await deviceOf(page, context)).toEqual(NOTHING);
  expect(said()).toEqual(once);
}));

/**
 * Issue 54: which sections apply decides only what a grant must have read. An opt-out in a section the CMP gives that
 * does not apply is a refusal too: a 1.0 CMP (getGPPData: usnat applies; uscav1 opts out of sharing) and the IAB's
 * 1.1 CMP API (applicableSections [7]; usca opts out), each before Stint: anonymous events, nothing stored, no grant
 * first (no identified event, no cookie at any moment the page could send).
 */
const NOT_APPLYING = [
  ['a 1.0 CMP (apiSupport, return values)', `&gpp10=apiSupport-return&gppapplies=usnatv1`, { usnatv1: { SaleOptOut: 2, SharingOptOut: 2 }, uscav1: { SharingOptOut: 1 } }],
  ["the IAB's 1.1 CMP API", '&gpp=before&gppapplies=usnat', { usnat: { SaleOptOut: 2, SharingOptOut: 2 }, usca: { SharingOptOut: 1 } }],
] as const;

for (const [cmp, query, sections] of NOT_APPLYING) {
  inChromium(oneOf(NOT_APPLYING[0][0]), () =>
  test(`GPP: ${cmp} whose opt-out sits in a section that does not apply is a refusal (anonymous events, nothing stored)`, async ({ page, context, build, run, collector }) => {
    await page.goto(pageUrl(build, run, { consent: 'gpp', onDenied: 'anonymous' }, `${query}&gppfields=${encodeURIComponent(JSON.stringify(sections))}`));
    await waitForStint(page, { consent: 'gpp' });
    await call(page, 'ready');
    await call(page, 'track', 'refused');
    await call(page, 'flush');
    const events = await collector.waitFor(1, (e) => e.name === 'refused');
    expect(events.map((e) => e.session.userId)).toEqual([NIL]);
    // (no identified event went before it: the page's every event is anonymous)
    expect((await collector.events((e) => e.session.userId !== NIL)).map((e) => e.name)).toEqual([]);
    expect(await deviceOf(page, context)).toEqual(NOTHING);
  }), cmp === NOT_APPLYING[0][0]);
}
