/**
 * ARCHITECTURE.md stays true to the code (issue 50): every file it cites exists, and every name it cites in backticks
 * (a function, a constant, a type, a field: `step`, `core/record.ts` `perform`, `model.parts`) is declared or used in
 * the code, so that a name that was renamed or removed cannot stay in the text.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    f === 'node_modules' || f === 'dist' || f.startsWith('.')
      ? []
      : statSync(join(dir, f)).isDirectory()
        ? files(join(dir, f))
        : [join(dir, f).slice(ROOT.length + 1)],
  );
const tree = [
  ...readdirSync(ROOT).filter((f) => statSync(join(ROOT, f)).isFile()),
  ...['src', 'test', 'e2e', 'scripts', 'demo', 'schemas', 'collector'].flatMap((dir) => files(join(ROOT, dir))),
];
const code = tree
  .filter((f) => /\.(ts|mjs|js|json)$/.test(f))
  // (comments left out: a stale one must not vouch for a name)
  .map((f) => readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|(?<![:'"\\])\/\/.*$/gm, ''))
  .join('\n');

/** The paths the page cites: `src/core/step.ts`, `core/step.ts`, `outbox-store.ts`, `e2e/webkit/`, `session/stores/`. */
const paths = [
  ...new Set(
    [...text.matchAll(/(?<![\w/.-])((?:[\w-]+\/)*[\w.-]+\.(?:ts|mjs|json)|(?:[\w-]+\/)+)(?![\w/])/g)].map((m) => m[1]),
  ),
].filter((p) => !/^(dist|https?|node_modules)\b/.test(p) && !p.includes('://'));

/** The names in backticks that look like code: `step`, `model.parts`, `PERFORMS`, `sender.freeze`. */
const names = [
  ...new Set([...text.matchAll(/`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:\(\))?`/g)].map((m) => m[1])),
].filter((n) => !/\.(ts|mjs|js|json)$/.test(n));

describe('ARCHITECTURE.md', () => {
  it('cites files that exist (a folder ends with /; a file may be named from its folder down)', () => {
    expect(paths.length).toBeGreaterThan(60);
    const missing = paths.filter((p) =>
      p.endsWith('/')
        ? !tree.some((f) => f.startsWith(p) || f.includes('/' + p)) && !existsSync(join(ROOT, p))
        : !tree.some((f) => f === p || f.endsWith('/' + p)),
    );
    expect(missing).toEqual([]);
  });

  it('cites names the code declares or uses (each part of `a.b`)', () => {
    expect(names.length).toBeGreaterThan(60);
    const word = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code);
    // (a member, `model.parts`: declared as one, `parts:` or `parts(`, or read as one, `.parts`)
    const member = (name: string) => new RegExp(`\\.${name}(?![\\w$])|(?<![\\w$])${name}\\??[:(]`).test(code);
    // (or the browser's own: an event's name, `beforeunload`, `versionchange`)
    const dom = readFileSync(join(ROOT, 'node_modules/typescript/lib/lib.dom.d.ts'), 'utf8');
    const cited = (name: string) => {
      const parts = name.split('.');
      return (word(parts[0]) && parts.slice(1).every(member)) || dom.includes(`"${name}"`);
    };
    expect(names.filter((name) => !cited(name))).toEqual([]);
  });

  it("is under 2,500 words, a newcomer's read (issue 65)", () => {
    // (words as `wc -w` counts them: what whitespace separates; docs/ holds the detail)
    const words = text.split(/\s+/).filter(Boolean).length;
    expect(words).toBeGreaterThan(1000);
    expect(words).toBeLessThan(2500);
  });
});
