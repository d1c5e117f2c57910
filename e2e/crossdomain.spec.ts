/**
 * One visitor and one session across the site's domains (`crossDomain`): two host names of the test server, 127.0.0.1
 * and localhost (two sites to the browser: two cookie jars, two storages). The decisions are test/core/link.test.ts's.
 */
import type { Page } from '@playwright/test';
import { linkCheck } from '../src/core/session/landing';
import { baseUrl, call, consoleOf, expect, inChromium, pageUrl, test, waitForStint, type Build } from './fixtures';
import { bothBuilds } from './npm';

const other = () => baseUrl().replace('127.0.0.1', 'localhost');

/** A link on `page` to the e2e page on localhost, with `config`; `extra` joins the query (and a hash). */
async function linkTo(page: Page, build: Build, run: string, config: Record<string, unknown>, extra = '&keep=a%20b#top') {
  const href = other() + pageUrl(build, run, config, extra).slice(baseUrl().length);
  await page.evaluate((href) => {
    const a = Object.assign(document.createElement('a'), { id: 'go', href, textContent: 'to the other domain' });
    document.body.prepend(a);
  }, href);
}

/** Clicks it, for real, and waits for Stint on the page it leads to (the first page's URL names localhost too, in its config). */
async function follow(page: Page, config: Record<string, unknown>) {
  await page.click('#go');
  await page.waitForURL(/^http:\/\/localhost:/);
  await waitForStint(page, config);
}

// (an npm app loads the decoration as a chunk of its own: both builds)
bothBuilds(() =>
test('a link to another of the site\'s domains carries the visitor and the session: the page it lands on goes on in them, and drops the parameter from its URL', async ({ page, build, run, collector }) => {
  await page.goto(pageUrl(build, run, { crossDomain: ['localhost'] }));
  await waitForStint(page);
  await call(page, 'track', 'here');
  await call(page, 'flush');
  const [here] = await collector.waitFor(1, (e) => e.name === 'here');
  const there = { crossDomain: ['127.0.0.1'] };
  await linkTo(page, build, run, there);
  await follow(page, there);
  // The rest of the URL as it was: the other parameters (their encoding too) and the hash.
  expect(await page.evaluate(() => [location.hostname, location.search.includes('_stint'), location.search.endsWith('&keep=a%20b'), location.hash])).toEqual(['localhost', false, true, '#top']);
  await call(page, 'track', 'there');
  await call(page, 'flush');
  const [landed] = await collector.waitFor(1, (e) => e.name === 'there');
  expect([landed.session.userId, landed.session.sessionId, landed.session.sessionIndex]).toEqual([here.session.userId, here.session.sessionId, here.session.sessionIndex]);
  expect(landed.session.eventIndex).toBeGreaterThan(here.session.eventIndex);
  expect(landed.context.page.url).not.toContain('_stint');
  // One session: no session_start on the other domain; no index taken twice (the first page's exit included).
  expect((await collector.events((e) => e.name === 'session_start')).map((e) => e.session.sessionId)).toEqual([here.session.sessionId]);
  await collector.proveSent(page);
  const indices = (await collector.events((e) => e.session.sessionId === here.session.sessionId)).map((e) => `${e.name} ${e.session.eventIndex}`);
  expect(new Set(indices.map((i) => i.split(' ')[1])).size, indices.join(', ')).toBe(indices.length);
}), true);

// [case, what the first page is, what the link says when it lands]
const refused: [string, Record<string, unknown>, ((page: Page) => Promise<void>) | null][] = [
  ['consent pending: nothing is decorated', { crossDomain: ['localhost'], consent: 'pending' }, null],
  [
    'Global Privacy Control on: nothing is decorated',
    { crossDomain: ['localhost'], respectGlobalPrivacyControl: false },
    (page) => page.evaluate(() => void Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true })),
  ],
  ['a domain not listed: nothing is decorated', { crossDomain: ['shop.example'] }, null],
];
// (what is decorated is test/core/link.test.ts's decision, "linkFor": one case plays in every engine)
for (const [what, config, before] of refused)
  inChromium(`what is decorated is a decision of the core, the same in every engine: test/core/link.test.ts "linkFor" ("${refused[0][0]}" plays in every engine)`, () =>
  test(`crossDomain, ${what}`, async ({ page, build, run }) => {
    await page.goto(pageUrl(build, run, config));
    await waitForStint(page, config);
    await before?.(page);
    // (the landing page does not list the first domain: it would take the parameter out of its URL)
    await linkTo(page, build, run, {});
    await follow(page, {});
    expect(await page.evaluate(() => location.search.includes('_stint='))).toBe(false);
  }), what === refused[0][0]);

test('crossDomain: the landing page reads a link as it comes: decorated at the click, it lands with the parameter (the page it lands on does not list the domain, and keeps it)', async ({ page, build, run }) => {
  const config = { crossDomain: ['localhost'] };
  await page.goto(pageUrl(build, run, config));
  await waitForStint(page, config);
  await linkTo(page, build, run, {});
  await follow(page, {});
  expect(await page.evaluate(() => new URLSearchParams(location.search).get('_stint'))).toMatch(/^[\da-f-]{36}\.[\da-f-]{36}(\.\d+){5}\.[\da-z]+$/);
});

/** A link's value as the links part makes it in `browser` (its user agent and language): its fields, and their check. */
const decorated = (fields: string, browser: string) => `${fields}.${linkCheck(fields, browser)}`;
const browserOf = (page: Page) => page.evaluate(() => navigator.userAgent + ' ' + navigator.language);

// [case, the parameter, in the page's browser]
const foreign: [string, (now: number, browser: string) => string][] = [
  ['stale (decorated three minutes ago)', (now, browser) => decorated(`11111111-1111-4111-8111-111111111111.22222222-2222-4222-8222-222222222222.2.5.${now - 600_000}.${now - 200_000}.${now - 180_000}`, browser)],
  ['tampered', () => '11111111-1111-4111-8111-111111111111.not-a-session'],
  // (the landing page's session waits for the part, which reads the link, at most 3 s: then it starts without it)
  [
    'fresh and well formed, on a page whose links part does not load (stint.links.js reads the link)',
    (now, browser) => decorated(`11111111-1111-4111-8111-111111111111.22222222-2222-4222-8222-222222222222.2.5.${now - 60_000}.${now - 1000}.${now - 500}`, browser),
  ],
];
// (a links part that does not load is the browser's to play: that case plays in every engine)
for (const [what, param] of foreign)
  inChromium('what a link says is a decision of the core, the same in every engine: test/core/link.test.ts "readLink"', () =>
  test(`crossDomain: a link ${what} joins nothing: a fresh start, the parameter gone`, async ({ page, build, run, collector }) => {
    const config = { crossDomain: ['127.0.0.1'] };
    const now = Date.now();
    const seen = consoleOf(page);
    const failed = what.includes('does not load');
    if (failed) await page.route('**/dist/stint.links.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.goto(`${other()}/e2e/other.html`);
    const browser = await browserOf(page);
    await page.goto(other() + pageUrl(build, run, config, `&_stint=${param(now, browser)}`).slice(baseUrl().length));
    await waitForStint(page, config);
    expect(await page.evaluate(() => location.search.includes('_stint'))).toBe(false);
    await call(page, 'track', 'landed');
    await call(page, 'flush');
    const [landed] = await collector.waitFor(1, (e) => e.name === 'landed');
    expect(landed.session.userId).not.toBe('11111111-1111-4111-8111-111111111111');
    expect(landed.session.sessionIndex).toBe(1);
    const part = new URL('/dist/stint.links.js', page.url());
    expect(seen.errors.filter((e) => e.startsWith('[stint]'))).toEqual(failed ? [`[stint] config.crossDomain ${part} (#11: debug: true or node_modules/stint/docs/messages.md#11)`] : []);
  }), what.includes('does not load'));

test("crossDomain: a link is bound to the browser that made it: opened in a browser of another user agent and language, or with any one character of its session id changed, it joins nothing; as made, it joins", async ({ page, browser, build, run, collector }) => {
  await page.goto(pageUrl(build, run, { crossDomain: ['localhost'] }));
  await waitForStint(page);
  await call(page, 'track', 'here');
  await call(page, 'flush');
  const [here] = await collector.waitFor(1, (e) => e.name === 'here');
  const there = { crossDomain: ['127.0.0.1'] };
  await linkTo(page, build, run, there);
  // (decorated as a person's press would: the link as it leaves this page)
  const href = await page.evaluate(() => {
    const a = document.getElementById('go') as HTMLAnchorElement;
    a.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    return a.href;
  });
  const value = new URL(href).searchParams.get('_stint')!;
  const sessionId = here.session.sessionId;
  expect(value.split('.')[1]).toBe(sessionId);
  /** Lands on `url` in `tab`: the session its first event is in. */
  const land = async (tab: Page, url: string, name: string) => {
    await tab.goto(url);
    await waitForStint(tab, there);
    await call(tab, 'track', name);
    await call(tab, 'flush');
    const [landed] = await collector.waitFor(1, (e) => e.name === name);
    return landed.session;
  };
  // Pasted into another browser (a chat, an e-mail, another device): another user agent and language.
  const elsewhere = await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148', locale: 'de-DE' });
  const reader = await elsewhere.newPage();
  const read = await land(reader, href, 'elsewhere');
  expect(await reader.evaluate(() => [navigator.userAgent.includes('iPhone'), navigator.language])).toEqual([true, 'de-DE']);
  expect([read.userId, read.sessionId]).not.toContain(here.session.userId);
  expect(read.sessionId).not.toBe(sessionId);
  await elsewhere.close();
  // One character of its session id changed (its first, a middle one, its last), in this browser.
  for (const at of [0, 17, 35]) {
    const changed = sessionId.slice(0, at) + (sessionId[at] === 'a' ? 'b' : 'a') + sessionId.slice(at + 1);
    const landed = await land(page, href.replace(sessionId, changed), `changed ${at}`);
    expect([landed.userId, landed.sessionId]).not.toContain(here.session.userId);
    expect([landed.sessionId, landed.userId]).not.toContain(changed);
  }
  // As made, in this browser: it joins (the part read it; the checks above could have failed).
  const joined = await land(page, href, 'as made');
  expect([joined.userId, joined.sessionId]).toEqual([here.session.userId, sessionId]);
});

test('crossDomain: a landing page that leaves before its links part has come sends what it tracked, in a session of its own (what waits for the part goes on as the page leaves)', async ({ page, build, run, collector }) => {
  const config = { crossDomain: ['127.0.0.1'] };
  const now = Date.now();
  // The part never comes (its request hangs): the page's session waits for it, holding the page's calls.
  await page.route('**/dist/stint.links.js', () => {});
  const param = `11111111-1111-4111-8111-111111111111.22222222-2222-4222-8222-222222222222.2.5.${now - 60_000}.${now - 1000}.${now - 500}`;
  // (the part is an async script, which holds the page's load event: its DOM is enough)
  await page.goto(other() + pageUrl(build, run, config, `&_stint=${param}`).slice(baseUrl().length), { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => (window as any).__stintLoaded === true);
  expect(typeof (await call(page, 'track', 'before-leaving'))).toBe('string');
  await page.goto(`${other()}/e2e/other.html`);
  const [left] = await collector.waitFor(1, (e) => e.name === 'before-leaving');
  expect(left.session.userId).not.toBe('11111111-1111-4111-8111-111111111111');
  expect(left.session.sessionIndex).toBe(1);
});
