/**
 * The layers' import rules (ARCHITECTURE.md, "Layers"), read from the source. Each file of src/ is in one layer;
 * an import of a value (not `import type`) may only point to a layer the rules allow. Types may cross (an adapter
 * is handed another's interface, `Tabs`), but never upwards to the door or the entries.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const sources = files(SRC).filter((f) => f.endsWith('.ts')).map((path) => ({ file: relative(SRC, path), text: readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') }));

type Layer = 'core' | 'ground' | 'adapter' | 'shell' | 'door' | 'entry';
/** Where a file of src/ belongs: its folder says it (the package's entries sit at the root, the tags' and parts' in theirs). */
function layer(file: string): Layer {
  const folder = file.includes('/') ? file.split('/')[0] : '';
  if (folder === 'core' || folder === 'ground' || folder === 'shell' || folder === 'door') return folder;
  if (['lifecycle', 'session', 'delivery', 'consent'].includes(folder)) return 'adapter';
  return 'entry';
}
/** What each layer's values may come from: the layers below it (an adapter: the core, the ground and its own folder). */
const MAY: Record<Layer, Layer[]> = {
  // (test/core/purity.test.ts narrows the core's to the public types and the version)
  core: ['core', 'ground'],
  ground: ['ground'],
  adapter: ['core', 'ground'],
  shell: ['core', 'ground', 'adapter', 'shell'],
  door: ['core', 'ground', 'adapter', 'shell', 'door', 'entry'],
  entry: ['core', 'ground', 'adapter', 'shell', 'door', 'entry'],
};
/** The folder an adapter adapts (its own), or the file itself when it stands alone. */
const home = (file: string) => (file.includes('/') ? file.split('/')[0] : file);

/** Each import of Stint's own files: the file imported, and whether only types come. */
const importsOf = (file: string, text: string) =>
  [...text.matchAll(/^import (type )?[^;]*? from '(\.[^']+)';/gm)].map((m) => ({
    to: relative(SRC, resolve(SRC, dirname(file), m[2])) + '.ts',
    typeOnly: !!m[1],
  }));

describe('the layers', () => {
  it('every file is placed, and the rules see imports', () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(importsOf('shell/tracker.ts', "import { x } from '../core/step';\nimport type { Y } from '../ground/types';")).toEqual([
      { to: 'core/step.ts', typeOnly: false },
      { to: 'ground/types.ts', typeOnly: true },
    ]);
  });

  it.each(sources)('$file imports values only from the layers below it', ({ file, text }) => {
    const mine = layer(file);
    const wrong = importsOf(file, text)
      .filter(({ typeOnly }) => !typeOnly)
      .filter(({ to }) => {
        const theirs = layer(to);
        if (mine === 'adapter' && theirs === 'adapter') return home(to) !== home(file);
        return !MAY[mine].includes(theirs);
      })
      .map(({ to }) => `${file} (${mine}) -> ${to} (${layer(to)})`);
    expect(wrong).toEqual([]);
  });

  it.each(sources)('$file takes no type from the door or an entry unless it is one', ({ file, text }) => {
    if (layer(file) === 'door' || layer(file) === 'entry') return;
    expect(importsOf(file, text).filter(({ to }) => ['door', 'entry'].includes(layer(to))).map(({ to }) => to)).toEqual([]);
  });

  it('nothing imports api.ts but the entry points and the door they share (create.ts)', () => {
    const importers = sources.filter(({ file, text }) => importsOf(file, text).some(({ to }) => to === 'door/api.ts')).map(({ file }) => file);
    expect(importers.filter((file) => layer(file) !== 'entry' && file !== 'door/create.ts')).toEqual([]);
  });
});

describe('the files', () => {
  it('none is over 250 lines: a file that grows past that holds two concerns (issues 33, 65)', () => {
    const long = files(SRC)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 250);
    expect(long).toEqual([]);
  });

  it('no line is over 120 characters: a line that does not fit is two steps packed into one (issue 50)', () => {
    const wide = files(SRC)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) => (line.length > 120 ? [`${relative(SRC, f)}:${i + 1} (${line.length})`] : [])),
      );
    expect(wide).toEqual([]);
  });

  it('no function is over 80 lines: one that is does more than one thing (issue 50)', () => {
    const long: string[] = [];
    for (const path of files(SRC).filter((f) => f.endsWith('.ts'))) {
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const lines = lineOf(node.end) - lineOf(node.getStart()) + 1;
          if (lines > 80) long.push(`${relative(SRC, path)}:${lineOf(node.getStart()) + 1} (${lines} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
