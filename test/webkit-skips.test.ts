/**
 * The list of what WebKit does not play (e2e/webkit/skips.ts) names titles that exist: a title renamed or
 * removed in a spec would otherwise leave an entry that skips nothing, or skip a new test by accident.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { webkitSkips } from '../e2e/webkit/skips';

const E2E = new URL('../e2e/', import.meta.url);

/** Every `test(title, ...)` of the specs, as written (a template title with its `${...}`). */
const titles = readdirSync(E2E)
  .filter((file) => file.endsWith('.spec.ts'))
  .flatMap((file) => [...readFileSync(new URL(file, E2E), 'utf8').matchAll(/\btest\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/gs)].map((m) => m[2].replace(/\\(.)/g, '$1')));

/** `title` is the written one, or one that a template title (a test written in a loop) gives. */
const written = (title: string) =>
  titles.some((t) => t === title || new RegExp(`^${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\$\\\{[^}]*\\\}/g, '.+')}$`).test(title));

test('every title WebKit leaves out is a title of the specs', () => {
  expect(titles.length).toBeGreaterThan(50);
  expect(Object.keys(webkitSkips).filter((title) => !written(title))).toEqual([]);
  expect(written('no such title')).toBe(false);
  expect(written('five pages, then back and forward, the session in a cookie: and nothing else')).toBe(false);
});
