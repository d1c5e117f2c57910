/**
 * The README's single-page app recipes, in apps built with the real frameworks from npm (e2e/apps/build.mjs):
 * React Router with Vite (in production, and in development where Strict Mode runs effects twice), Vue Router
 * with Vite, Next.js's App Router with `next build`. Each recipe file is the README's (test/readme.test.ts
 * checks), with its collector '/collect', which sends to this test's run (the cookie /e2e/run/<run> sets).
 * A person clicks the app's links, goes back and forward; the collector's record is the truth.
 */
import type { Page } from '@playwright/test';
import { readSession } from '../src/core/session/headers';
import { baseUrl, expect, test, type StintEvent } from './fixtures';
import { esmBuild } from './npm';

interface App {
  /** served under /apps/<path>/ */
  path: string;
  framework: string;
  /** the links clicked, in order, each with the title its route sets and the path it goes to */
  links: [name: string, title: string, path: string][];
  /**
   * then back and forward (popstate), or a link clicked: each with the title and path it leads to; `view`: a route change
   * (false: the hash alone changed, no page view). Default: back to the route before the last, forward to the last.
   */
  moves?: [move: string, title: string, path: string, view: boolean][];
}

// The links clicked, with the title each route sets and the path it goes to.
const PRODUCTS: App['links'][number] = ['Products', 'Products · Shop', 'products'];
const PRODUCT: App['links'][number] = ['Product 42', 'Product 42 · Shop', 'products/42'];
const ABOUT: App['links'][number] = ['About', 'About · Shop', 'about'];

/** Vue Router: a param, a query, a param again and a lazy route (its component a chunk of its own). */
const VUE: App['links'] = [
  PRODUCTS,
  ['Product 42', 'Product · Shop', 'products/42'],
  ['Reviews', 'Product · Shop', 'products/42?tab=reviews'],
  ['Product 7', 'Product · Shop', 'products/7'],
  ['Product 42', 'Product · Shop', 'products/42'],
  ['Contact', 'Contact · Shop', 'contact'],
];

const APPS: App[] = [
  // (a change of the query is a route: the title its route sets says the tab)
  { path: 'react', framework: 'React Router, Vite, production', links: [PRODUCTS, PRODUCT, ['Reviews', 'Product 42 reviews · Shop', 'products/42?tab=reviews'], ABOUT] },
  { path: 'react-dev', framework: 'React Router, Vite, development: Strict Mode runs effects twice', links: [PRODUCTS, PRODUCT, ABOUT] },
  // (Vue Router renders a route and sets its title in its own popstate listener: issue 49's back and forward)
  {
    path: 'vue',
    framework: 'Vue Router, Vite',
    links: VUE,
    moves: [
      ['back', 'Product · Shop', 'products/42', true],
      ['forward', 'Contact · Shop', 'contact', true],
      // and with a link to a fragment before them
      ['Jump to the reviews', 'Contact · Shop', 'contact#reviews', false],
      ['back', 'Contact · Shop', 'contact', false],
      ['back', 'Product · Shop', 'products/42', true],
      ['forward', 'Contact · Shop', 'contact', true],
    ],
  },
  // (exported as a folder per route: their URLs end with a slash)
  { path: 'next', framework: 'Next.js App Router, next build', links: [PRODUCTS, PRODUCT, ABOUT].map(([link, title, path]) => [link, title, `${path}/`]) },
];

/**
 * The index of the session's last event, as Stint's cookie holds it (written as each event is recorded), read as a
 * server reads it (`readSession`, stint/collector): the app keeps its tracker to itself.
 */
async function recorded(page: Page): Promise<number> {
  const cookie = await page.evaluate(() => document.cookie.split('; ').find((c) => c.startsWith('_stint='))?.slice('_stint='.length));
  return (cookie && readSession(cookie, Date.now())?.eventIndex) || 0;
}

/** The page views of the run, each as [url, title, referrer]. */
const viewsOf = (events: StintEvent[]) => events.map((e) => [e.context.page.url, e.context.page.title, e.context.page.referrer]);

for (const app of APPS) {
  esmBuild(() => {
    test(`the README's recipe in a real app (${app.framework}): a page view per route, with its URL, referrer and title, the landing page included, back and forward too`, async ({ page, run, collector }) => {
      const at = (path = '') => `${baseUrl()}/apps/${app.path}/${path}`;
      await page.goto(`${baseUrl()}/e2e/run/${run}?to=/apps/${app.path}/`);
      await expect(page).toHaveTitle('Home · Shop');
      const expected = [[at(), 'Home · Shop', null]];
      await collector.waitFor(1, (e) => e.name === 'page_view');
      // A person clicks each link once Stint has recorded the previous route's page view (its event in the session:
      // not yet sent, which would take the second the tracker gives a batch to fill; what arrived is read at the end).
      for (const [link, title, path] of app.links) {
        const before = await recorded(page);
        await page.getByRole('link', { name: link, exact: true }).click();
        await expect(page).toHaveTitle(title);
        expected.push([at(path), title, expected.at(-1)![0]]);
        await expect.poll(() => recorded(page), { message: `the page view of ${path} is recorded` }).toBeGreaterThan(before);
      }
      // Back and forward (popstate), each as soon as the app shows its route, without waiting for its page view.
      const [before, last] = app.links.slice(-2);
      const moves = app.moves ?? [['back', before[1], before[2], true], ['forward', last[1], last[2], true]];
      for (const [move, title, path, view] of moves) {
        if (move === 'back' || move === 'forward') await page.evaluate((move) => history[move as 'back' | 'forward'](), move);
        else await page.getByRole('link', { name: move, exact: true }).click();
        await expect(page).toHaveURL(at(path));
        await expect(page).toHaveTitle(title);
        if (view) expected.push([at(path), title, expected.at(-1)![0]]);
      }
      // (the app keeps its tracker to itself: a fresh page proves everything had the chance to arrive)
      const views = await collector.exactly(expected.length, (e) => e.name === 'page_view', page.context());
      expect(viewsOf(views)).toEqual(expected);
      // One tracker, one device, one session, whatever the framework (and Strict Mode) did.
      const events = await collector.events((e) => e.appId !== 'marker');
      expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
      expect(events.filter((e) => e.name === 'application_initialized')).toHaveLength(1);
      expect(events.every((e) => e.appId === 'shop-web')).toBe(true);
    });
  }, true);
}
