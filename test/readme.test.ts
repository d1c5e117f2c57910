/**
 * The README and the pages of docs/ show tested code as it is: each block marked `<!-- tested: <file> -->` is that file
 * (a recipe the e2e suite builds into a real app, a dev server's config that test/dev-server.test.ts runs), or, for a
 * page, part of it (a snippet the e2e suite loads). The recipes' and the snippets' blocks must be marked, once across
 * the documents, so that none of them drifts from what is tested.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const pages = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
const documents = ['README.md', ...pages.map((f) => `docs/${f}`)];

/** Each marked block: the document, the file it names and the block's text. */
const marked = documents.flatMap((doc) =>
  [...readFileSync(join(root, doc), 'utf8').matchAll(/<!-- tested: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map(
    ([, file, code]) => ({ doc, file, code }),
  ),
);

const REQUIRED = [
  'e2e/apps/react/src/main.jsx',
  'e2e/apps/react/src/routes.jsx',
  'e2e/apps/react/vite.config.js',
  'e2e/apps/next/next.config.dev.mjs',
  'e2e/apps/next/app/stint.jsx',
  'e2e/apps/next/app/layout.jsx',
  'e2e/apps/vue/src/main.js',
  'e2e/pages/trusted-types.html',
  'e2e/pages/trusted-types-tag.html',
  'e2e/pages/trusted-types-consent.html',
];

describe('the README and docs/ show tested code', () => {
  it('every recipe and snippet that the e2e suite tests is shown, marked with its file', () => {
    expect(marked.map((m) => m.file).sort()).toEqual([...REQUIRED].sort());
  });

  it('the README shows the script tag snippet', () => {
    expect(marked.find((m) => m.file === 'e2e/pages/trusted-types.html')?.doc).toBe('README.md');
  });

  it.each(marked.map((m) => [m.doc, m.file, m.code]))('%s: %s', (doc, file, code) => {
    const text = readFileSync(join(root, file), 'utf8');
    if (file.endsWith('.html')) expect(text).toContain(code);
    else expect(code + '\n').toBe(text);
  });
});
