/**
 * The collector's code keeps the discipline test/imports.test.ts holds src/ to (../shared/STYLE.md, issues 33 and 50):
 * no file over 300 lines, no line over 120 characters, no function over 80 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const files = [
  ...['src', 'bin'].flatMap((dir) => readdirSync(join(root, dir)).map((f) => join(root, dir, f))),
  join(root, 'bench.mjs'),
].map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));

describe("the collector's files", () => {
  it('are found', () => expect(files.length).toBeGreaterThan(8));

  it.each(files)('$path: at most 300 lines, each at most 120 characters', ({ text }) => {
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(300);
    expect(lines.map((line, i) => [i + 1, line.length]).filter(([, n]) => n > 120)).toEqual([]);
  });

  it.each(files)('$path: no function over 80 lines', ({ path, text }) => {
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
    const long: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = lineOf(node.end) - lineOf(node.getStart()) + 1;
        if (lines > 80) long.push(`${path}:${lineOf(node.getStart()) + 1} (${lines} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(long).toEqual([]);
  });
});
