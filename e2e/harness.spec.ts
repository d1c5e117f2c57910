/**
 * The harness itself, in every engine: a spec means the same in each. Chromium and Firefox carry values with
 * Playwright's own serializer; WebKit with the WebDriver runner's (e2e/webkit/values.ts), over a driver that
 * carries plain JSON, where undefined would be null and a Date an empty object.
 */
import { baseUrl, expect, test } from './fixtures';

test('evaluate keeps values and their types both ways: undefined is not null, NaN, -0, -Infinity, BigInt, Date, RegExp, URL, Error, a cycle', async ({ page }) => {
  await page.goto(`${baseUrl()}/e2e/other.html`);
  const sent = { u: undefined, n: null, nan: NaN, neg: -0, inf: -Infinity, big: 2n ** 70n, date: new Date(0), re: /a+/gi, url: new URL('http://x.test/p?q=1'), list: [undefined, 1] };
  // Judged in the page: what arrived there.
  const arrived = await page.evaluate(
    (v) => ({
      u: 'u' in v && v.u === undefined,
      n: v.n === null,
      nan: Number.isNaN(v.nan),
      neg: Object.is(v.neg, -0),
      inf: v.inf === -Infinity,
      big: typeof v.big === 'bigint' && v.big === 2n ** 70n,
      date: v.date instanceof Date && v.date.getTime() === 0,
      re: v.re instanceof RegExp && v.re.source === 'a+' && v.re.flags === 'gi',
      url: v.url instanceof URL && v.url.href === 'http://x.test/p?q=1',
      list: v.list.length === 2 && 0 in v.list && v.list[0] === undefined && v.list[1] === 1,
    }),
    sent,
  );
  expect(arrived).toEqual({ u: true, n: true, nan: true, neg: true, inf: true, big: true, date: true, re: true, url: true, list: true });

  // And back from the page.
  const back = await page.evaluate(() => {
    const cycle: Record<string, unknown> = { name: 'c' };
    cycle.self = cycle;
    return { u: undefined, n: null, nan: NaN, neg: -0, inf: -Infinity, big: 2n ** 70n, date: new Date(0), re: /a+/gi, url: new URL('http://x.test/p?q=1'), error: new TypeError('boom'), cycle };
  });
  expect(Object.keys(back)).toContain('u');
  expect(back.u).toBeUndefined();
  expect(back.n).toBeNull();
  expect(back.nan).toBeNaN();
  expect(Object.is(back.neg, -0)).toBe(true);
  expect(back.inf).toBe(-Infinity);
  expect(back.big).toBe(2n ** 70n);
  expect(back.date).toEqual(new Date(0));
  expect(back.re).toEqual(/a+/gi);
  expect(back.url).toEqual(new URL('http://x.test/p?q=1'));
  expect(back.error).toBeInstanceOf(Error);
  expect((back.error as Error).message).toBe('boom');
  expect(back.cycle.self).toBe(back.cycle);
  expect(await page.evaluate(() => undefined)).toBeUndefined();
  expect(await page.evaluate(() => null)).toBeNull();
  // A value no driver carries (a symbol, a function) is judged in the page, and the verdict comes back.
  expect(await page.evaluate(() => typeof Symbol('s') === 'symbol' && typeof (() => 1) === 'function')).toBe(true);
  // A thrown error comes back as one, with its message.
  await expect(page.evaluate(() => Promise.reject(new RangeError('out of range')))).rejects.toThrow('out of range');
});
