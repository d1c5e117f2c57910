/**
 * A promise in the README, a page of docs/ (its "Proven by" lists), CHANGELOG.md or ARCHITECTURE.md names the test
 * that proves it: `e2e/x.spec.ts "title"`, `test/x.test.ts "title"` or `collector/test/x.test.ts "title"`. Each named
 * file exists and holds that title (its start, or parts joined by "…"), so a test moved or renamed cannot leave a
 * promise pointing at nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
/** A source's text with its quotes' escapes undone (`'React\'s'` reads as React's). */
const plain = (source: string) => source.replace(/\\(['"`])/g, '$1');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every `file "title"` a document quotes. */
const pages = readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const promises = ['README.md', 'ARCHITECTURE.md', 'CHANGELOG.md', ...pages].flatMap((doc) =>
  [...read(doc).matchAll(/(?<![\w/])((?:collector\/)?(?:e2e|test)\/[\w/.-]+\.(?:spec|test)\.ts)`?\s*"([^"\n]+)"/g)].map((m) => ({ doc, file: m[1], title: m[2] })),
);

/** `title` is in `source` on one line: its parts around "…" in order (a loop's title may hold `${...}` where the document has a value). */
function holds(source: string, title: string): boolean {
  const parts = title.split('…').map((p) => p.trim()).filter(Boolean);
  const line = new RegExp(parts.map(escape).join('.*'));
  return plain(source).split('\n').some((l) => line.test(l) || line.test(l.replace(/\$\{[^}]*\}/g, '')));
}

test('the documents quote tests', () => {
  expect(promises.length).toBeGreaterThan(15);
  for (const page of pages) expect(promises.some((p) => p.doc === page), page).toBe(true);
  expect(holds("test('a b c', () => {})", 'a … c')).toBe(true);
  expect(holds("test('a b c', () => {})", 'c … a')).toBe(false);
});

test.each(promises)('$doc: $file "$title"', ({ file, title }) => {
  expect(existsSync(new URL(file, root)), `${file} exists`).toBe(true);
  expect(holds(read(file), title), `${file} has a test titled "${title}"`).toBe(true);
});
