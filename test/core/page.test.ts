/**
 * Page views and the page context every event carries (src/core/session/site.ts `pageView`, `move`): the referrer,
 * the title and URL the app gives, a single-page app's route changes and moves.
 */
import { describe, expect, it } from 'vitest';
import { boot, place } from './harness';
import { track } from '../../src/core/step';
import { move, page, route } from '../../src/core/session/site';

function running() {
  const t = boot({ newTab: false, place: place('/landing?utm_source=news', { referrer: 'https://search.example/' }) });
  t.open(0);
  return t;
}
const last = (t: ReturnType<typeof running>) => t.events().at(-1)!;

describe('page()', () => {
  // [case, pages (path, the app's own referrer), referrer of the last page view]
  const cases: [string, [string, (string | null)?][], string | null][] = [
    ['the landing page: the document referrer', [['/landing?utm_source=news']], 'https://search.example/'],
    ['the next route of a single-page app: the previous page view', [['/landing?utm_source=news'], ['/b']], 'https://shop.example/landing?utm_source=news'],
    ['the same URL again: the document referrer', [['/landing?utm_source=news'], ['/landing?utm_source=news']], 'https://search.example/'],
    ["the app's own referrer wins", [['/landing?utm_source=news'], ['/b', 'https://app.example/x']], 'https://app.example/x'],
    ['null from the app: read as usual', [['/landing?utm_source=news'], ['/b', null]], 'https://shop.example/landing?utm_source=news'],
  ];
  it.each(cases)('%s', (_, pages, referrer) => {
    const t = running();
    pages.forEach(([path, own], i) => t.send(page, 1000 + i, '{}', place(path), own));
    expect(last(t).context.page.referrer).toBe(referrer);
    // Each page view has its own view id.
    expect(new Set(t.events().map((e) => e.context.page.viewId)).size).toBe(pages.length);
  });

  it('the events that follow keep the page, its view id and the landing UTM, which stays with the session', () => {
    const t = running();
    const before = t.model.page.page.viewId;
    t.send(page, 1000, '{"section":"news"}', place('/landing?utm_source=news', { title: 'Landing' }));
    const viewId = last(t).context.page.viewId;
    expect(viewId).not.toBe(before);
    t.send(track, 1100, 'click', '{}');
    expect(last(t).context.page).toEqual({ url: 'https://shop.example/landing?utm_source=news', path: '/landing', referrer: 'https://search.example/', title: 'Landing', viewId });
    t.send(page, 1200, '{}', place('/b'));
    expect(last(t).context.utm).toMatchObject({ source: 'news' });
  });

  it('refused properties: no event, but the page is taken', () => {
    const t = running();
    expect(t.send(page, 1000, null, place('/b'))).toBeUndefined();
    t.send(track, 1100, 'click', '{}');
    expect(t.names()).toEqual(['session_start', 'click']);
    expect(last(t).context.page.path).toBe('/b');
  });
});

describe('a single-page app', () => {
  it('a route change is a page view from the route before; one the app already reported is not reported twice', () => {
    const t = running();
    t.send(page, 1000, '{}', place('/a'));
    expect(t.send(route, 1100, place('/b'), 'https://shop.example/a')).toBe(last(t).eventId);
    expect([last(t).name, last(t).context.page.referrer, last(t).context.page.path]).toEqual(['page_view', 'https://shop.example/a', '/b']);
    t.send(page, 1200, '{}', place('/c'));
    expect(t.send(route, 1300, place('/c'), 'https://shop.example/b')).toBeUndefined();
    expect(t.names()).toEqual(['session_start', 'page_view', 'page_view', 'page_view']);
  });

  it('a route change the app reports itself with page() is not reported twice: its page view has the properties and title the app gave; the next route is from it', () => {
    const t = running();
    t.send(page, 500, '{}', place('/landing?utm_source=news'));
    // The app navigates, then calls page() in its route effect, with the title it is about to set.
    t.send(page, 1000, '{"from":"app"}', place('/products', { title: 'Products · Shop' }));
    // The route change, once rendered: from the URL of the last route the shell reported.
    expect(t.send(route, 1100, place('/products', { title: 'Products · Shop' }), 'https://shop.example/landing?utm_source=news')).toBeUndefined();
    t.send(route, 2000, place('/about', { title: 'About · Shop' }), 'https://shop.example/products');
    const views = t.events().filter((e) => e.name === 'page_view');
    expect(views.map((e) => [e.context.page.path, e.properties, e.context.page.title, e.context.page.referrer])).toEqual([
      ['/landing', {}, 'Shop', 'https://search.example/'],
      ['/products', { from: 'app' }, 'Products · Shop', 'https://shop.example/landing?utm_source=news'],
      ['/about', {}, 'About · Shop', 'https://shop.example/products'],
    ]);
  });

  it('a page that moved without page(): the events that follow carry the new URL, in the same page view', () => {
    const t = running();
    t.send(page, 1000, '{}', place('/a'));
    const viewId = last(t).context.page.viewId;
    t.send(move, 1100, place('/a#details', { title: 'Details' }));
    t.send(track, 1100, 'click', '{}');
    expect(last(t).context.page).toEqual({ url: 'https://shop.example/a#details', path: '/a', referrer: 'https://shop.example/a', title: 'Details', viewId });
  });
});
