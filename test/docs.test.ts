/**
 * The README, docs/ and CHANGELOG.md against what they describe, so that none can go stale in silence: every relative
 * link and anchor resolves; every docs page opens with its contents; every repository path they quote exists; the
 * configuration tables are the interfaces of src/ground/types.ts (each option, its type, whether it is required, its default
 * as resolveConfig fills it in, the tag's data attribute as src/tags/tag.ts reads it); the messages page lists every code of
 * src/door/messages.ts with its sentence; the README's sizes are scripts/size.json's; the README's commands are the ones CI
 * runs, and its npm blocks run as pasted. (The tested blocks: test/readme.test.ts; the tests a page names:
 * test/promises.test.ts.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/shell/config';
import { NPM } from '../src/door/loaders';
import { MESSAGES, sentence } from '../src/door/messages';
import { PLAIN, unreachedText } from '../src/delivery/unreached';

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const PAGES = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const DOCUMENTS = ['README.md', 'CHANGELOG.md', ...PAGES];

/** A document's lines outside its fenced code blocks (a fence may be indented, in a list). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (!/^\s*```/.test(line)) return !fenced;
    fenced = !fenced;
    return false;
  });
}

/** A heading's anchor as GitHub makes it: lower case, punctuation gone, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a document's headings make (a repeated heading gets -1, -2…). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(read(file))) {
    const m = /^#{1,6}\s+(.+?)\s*#*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  // (and the anchors a page sets itself: docs/messages.md's codes, `<a id="45"></a>`)
  for (const [, id] of read(file).matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(id);
  return out;
}

/** Every link and image of a document's prose: its target as written. */
const links = (file: string): string[] =>
  prose(read(file)).flatMap((line) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
  );

/** The cells of a table's rows after `<!-- marker -->` (backticks and `\|` undone), header and rule left out. */
function table(text: string, marker: string): string[][] {
  const at = text.indexOf(`<!-- ${marker} -->`);
  if (at < 0) return [];
  const rows: string[][] = [];
  for (const line of text.slice(at).split('\n').slice(1)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|').replace(/`/g, ''));
    rows.push(cells);
  }
  return rows.slice(2);
}

/** The rows of the first table under the heading `## heading`. */
function tableUnder(text: string, heading: string): string[][] {
  const from = text.indexOf(`\n## ${heading}\n`);
  const rest = text.slice(from + 1);
  const first = rest.indexOf('\n|');
  return table(`<!-- here -->` + rest.slice(first), 'here');
}

describe('links and anchors', () => {
  const cases = DOCUMENTS.flatMap((file) => links(file).map((target) => ({ file, target })));

  it('are found', () => {
    expect(cases.length).toBeGreaterThan(50);
    expect(slug("The server's copy")).toBe('the-servers-copy');
    expect(slug('`stint/collector`')).toBe('stintcollector');
    expect(slug('IAB TCF v2.2')).toBe('iab-tcf-v22');
  });

  it.each(cases.filter((c) => !/^[a-z]+:/i.test(c.target)))('$file → $target', ({ file, target }) => {
    const [path, anchor] = target.split('#');
    const to = path ? normalize(join(dirname(file), path)) : file;
    expect(existsSync(join(root, to)), `${to} exists`).toBe(true);
    if (anchor !== undefined) {
      expect(to.endsWith('.md'), `${to} is a document with anchors`).toBe(true);
      expect([...anchors(to)], `${to} has #${anchor}`).toContain(anchor);
    }
  });
});

describe('the docs pages', () => {
  it.each(PAGES)('%s opens with its title, then its contents, which hold each of its sections', (page) => {
    const lines = read(page).split('\n');
    expect(lines[0]).toMatch(/^# \S/);
    const body = lines.slice(1).join('\n').trimStart().split('\n');
    const contents: string[] = [];
    for (const line of body) {
      const m = /^\s*- \[[^\]]+\]\(#([^)]+)\)$/.exec(line);
      if (!m) break;
      contents.push(m[1]);
    }
    expect(contents.length, 'a list of links to its sections').toBeGreaterThan(1);
    const sections = prose(read(page))
      .filter((line) => line.startsWith('## '))
      .map((line) => slug(line.slice(3)));
    expect(contents).toEqual(expect.arrayContaining(sections));
  });

  it('README.md is at most 250 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });
});

describe('the paths the documents quote', () => {
  const quoted = DOCUMENTS.flatMap((file) =>
    prose(read(file)).flatMap((line) =>
      [...line.matchAll(/`((?:src|test|e2e|scripts|schemas|demo|docs|collector)\/[\w./-]+)`/g)].map((m) => ({
        file,
        path: m[1],
      })),
    ),
  );
  it.each(quoted)('$file: $path exists', ({ path }) => {
    expect(existsSync(join(root, path.replace(/\/$/, '')))).toBe(true);
  });
});

/** The members of `name` in src/ground/types.ts (or format-options.ts): their type as written, and whether they are required. */
function members(name: string): Map<string, { type: string; required: boolean }> {
  const out = new Map<string, { type: string; required: boolean }>();
  for (const file of ['src/ground/types.ts', 'src/ground/format-options.ts']) {
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || node.name.text !== name) return;
      for (const m of node.members)
        if (ts.isPropertySignature(m) && m.type)
          out.set(m.name.getText(source), {
            type: m.type.getText(source).replace(/\s+/g, ' '),
            required: !m.questionToken,
          });
    });
  }
  return out;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

describe('docs/configuration.md is the config of src/ground/types.ts', () => {
  const page = read('docs/configuration.md');
  const interfaces = [...page.matchAll(/<!-- options: (\w+) -->/g)].map((m) => m[1]);

  it('has a table for StintConfig and each interface an option takes', () => {
    expect(interfaces).toEqual(
      expect.arrayContaining(['StintConfig', 'CookieOptions', 'SnowplowOptions', 'TracardiOptions', 'OtlpOptions']),
    );
  });

  it.each(interfaces)('%s: one row per option, with its type and whether it is required', (name) => {
    const declared = members(name);
    const rows = table(page, `options: ${name}`);
    expect(rows.map((r) => r[0]).sort()).toEqual([...declared.keys()].sort());
    for (const [option, type, fallback] of rows) {
      expect(type, `${option}'s type`).toBe(declared.get(option)!.type);
      expect(fallback === 'required', `${option} is required`).toBe(declared.get(option)!.required);
    }
  });

  it("StintConfig's defaults are what resolveConfig fills in", () => {
    const resolved = resolveConfig({ collector: '/c', appId: 'a' }, NPM) as unknown as Record<string, unknown>;
    for (const [option, , fallback] of table(page, 'options: StintConfig')) {
      const value = resolved[option];
      const minutes = /^(\d+) min$/.exec(fallback);
      if (fallback === 'required') continue;
      else if (minutes) expect(value, option).toBe(+minutes[1] * 60_000);
      else if (fallback === 'none') expect([null, 0, undefined], option).toContain(value);
      else if (option === 'format') expect(fallback).toBe(`'${Object.keys(NPM.formats)[0]}'`);
      else if (option === 'store') expect(value, option).toBeUndefined();
      else expect(value, option).toEqual(JSON.parse(fallback.replace(/'/g, '"')));
    }
  });

  it("StintConfig's tag attributes are those src/tags/tag.ts (and each pipeline's tag) reads into the config", () => {
    const tags = ['src/tags/tag.ts', ...readdirSync(join(root, 'src/tags')).map((f) => `src/tags/${f}`)].map(read).join();
    const named = Object.fromEntries([...tags.matchAll(/(\w+): data\.(\w+)/g)].map((m) => [m[1], kebab(m[2])]));
    for (const [option, , , attribute] of table(page, 'options: StintConfig'))
      expect(attribute, option).toBe(named[option] ? `data-${named[option]}` : '—');
    // Every attribute the tag reads is on the page (data-page-view is no option).
    for (const [, attribute] of tags.matchAll(/data\??\.(\w+)/g)) expect(page).toContain(`data-${kebab(attribute)}`);
  });
});

describe('docs/messages.md is src/door/messages.ts', () => {
  const page = read('docs/messages.md');
  // (each code's cell holds its anchor, `<a id="2"></a>2`: the short message's `messages.md#2`)
  const rows = tableUnder(page, 'Every code').map((r) => [r[0].replace(/<a id="(\d+)"><\/a>\1/, '$1'), ...r.slice(1)]);

  // (the messages said in plain words, nothing reaches the collector, which the tag carries: each row's sentence is the
  // whole message for its URL, as the page https://shop.example sees it, with the answer each code stands for)
  const UNREACHED = PLAIN;

  it('lists every code once, and no other', () => {
    const codes = [...Object.keys(MESSAGES), ...Object.keys(UNREACHED)].map(Number).sort((a, b) => a - b);
    expect(rows.map((r) => Number(r[0]))).toEqual(codes);
  });

  it.each(rows.map((r) => [r[0], r[2], r[3]]))('#%s: %s %s', (code, where, said) => {
    const url = where.replace(/`/g, '');
    const status = UNREACHED[Number(code)];
    const origin = 'https://shop.example';
    expect(said).toBe(status === undefined ? sentence(Number(code), where) : unreachedText(+code, url, status, origin));
  });

  it("lists what each checked field must be (message 2), every field of messages.ts's EXPECTED", () => {
    const source = read('src/door/messages.ts');
    const from = source.indexOf('const EXPECTED');
    const block = source.slice(from, source.indexOf('};', from));
    const fields = [...block.matchAll(/^\s+'?([\w.]+)'?: /gm)].map((m) => m[1]);
    const listed = tableUnder(page, 'What each field must be');
    expect(listed.map((r) => r[0]).sort()).toEqual(fields.sort());
    for (const [field, must] of listed) expect(`must be ${must}`, field).toBe(sentence(2, `config.${field}`));
  });

  it("lists every consent platform's own warning", () => {
    const parts = readdirSync(join(root, 'src/consent')).map((f) => read(`src/consent/${f}`)).join();
    const said = [...parts.matchAll(/(?:note|warnOnce)\('([^']+)'\)/g)].map((m) => m[1]);
    expect(said.length).toBeGreaterThan(3);
    for (const warning of said) expect(page).toContain(warning);
  });
});

describe("the README's sizes are scripts/size.json's", () => {
  const readme = read('README.md');
  const sizes = readme.slice(readme.indexOf('<!-- sizes: scripts/size.json -->')).split('\n\n')[0];
  const limits = JSON.parse(read('scripts/size.json')) as Record<string, { baseline: number }>;
  const figure = (name: string) => {
    const m = new RegExp('`' + name.replace(/[.()]/g, '\\$&') + '`[^\\d]*?([\\d,]+) B').exec(sizes);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };

  it.each(Object.entries(limits))('%s', (artifact, { baseline }) => {
    const name = artifact.startsWith('dist/') ? artifact.slice(5) : artifact.endsWith('(Vite)') ? 'vite build' : 'track()';
    expect(figure(name)).toBe(baseline);
  });

  it('names every script the build makes, and no size of one anywhere that is not size.json\'s', () => {
    const built = [...read('rollup.config.mjs').matchAll(/'(stint[\w.]*\.js)': 'src\//g)].map((m) => m[1]);
    expect(built.length).toBeGreaterThan(10);
    for (const file of built) expect(sizes).toContain('`' + file + '`');
    for (const file of DOCUMENTS)
      for (const [, name, bytes] of read(file).matchAll(/`(stint[\w.]*\.js)`,?[^\d`|]{0,40}?([\d,]{3,}) B\b/g))
        expect(Number(bytes.replace(/,/g, '')), `${file}: ${name}`).toBe(limits[`dist/${name}`]?.baseline);
  });
});

describe("the README's commands and blocks", () => {
  const readme = read('README.md');
  const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)\n```/g)].map((m) => ({ lang: m[1], code: m[2] }));

  it("its commands run the demo and the tests, as package.json's scripts say, and CI runs that test command and the other engines'", () => {
    const sh = blocks.filter((b) => b.lang === 'sh');
    const commands = sh[0].code.split('\n').map((l) => l.replace(/#.*/, '').trim());
    expect([sh.length, commands.filter(Boolean)]).toEqual([1, ['npm install && npm run demo', 'npm test']]);
    // (each step's output kept for the recap the run ends with: CI shows a run's tail alone)
    expect(read('.ci/run')).toMatch(/^CI=1 npm test 2>&1 \| tee "\$logs\/test" \|\| tests=\$\?\nCI=1 npm run test:engines 2>&1 \| tee "\$logs\/engines" \|\| engines=\$\?$/m);
    expect(read('.ci/run')).toMatch(/^\[ "\$tests" -eq 0 \] \|\| status=\$tests\n\[ "\$engines" -eq 0 \] \|\| status=\$engines\nexit \$status$/m);
    // What the comments say each does: the demo serves at once, and builds; the test's steps in order, the e2e suite
    // in Chromium; the other engines' suite, which the README's text names.
    const { scripts } = JSON.parse(read('package.json'));
    expect(scripts.demo).toBe('node demo/start.mjs');
    const steps = ['preflight.mjs chromium', 'build', 'typecheck', 'vitest run', 'size', 'package', 'playwright test --project chromium$'];
    expect(scripts.test).toMatch(new RegExp(steps.join('.*')));
    expect(scripts['test:engines']).toBe('node scripts/preflight.mjs firefox webkit && playwright test --project firefox --project webkit');
    expect(sh[0].code).toMatch(/e2e suite in Chromium/);
    expect(readme).toMatch(/`npm run test:engines`[^.]*Firefox and WebKit/);
  });

  it('its npm blocks run as pasted (in Node, where the tracker does nothing), each config a valid one', async () => {
    const stint = await import('../src/index');
    const js = blocks.filter((b) => b.lang === 'js').map((b) => b.code);
    expect(js.length).toBeGreaterThanOrEqual(2);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    for (const code of js) {
      const imports = /^import .* from 'stint';$/m.test(code);
      const body = code.replace(/^import \{ ([\w, ]+) \} from 'stint';$/gm, 'const { $1 } = $stint;');
      // (a block without its import runs after the README's first, which imports createTracker)
      const run = new AsyncFunction('$stint', ...(imports ? [] : ['createTracker']), body);
      await expect(run(stint, stint.createTracker)).resolves.toBeUndefined();
    }
  });

  it("the options in every page's createTracker calls are StintConfig's", () => {
    const options = members('StintConfig');
    let calls = 0;
    for (const file of DOCUMENTS) {
      for (const [, code] of read(file).matchAll(/```(?:js|jsx)\n([\s\S]*?)\n```/g)) {
        const source = ts.createSourceFile('block.jsx', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JSX);
        const visit = (node: ts.Node): void => {
          const call = ts.isCallExpression(node) && node.expression.getText(source) === 'createTracker';
          const config = call && node.arguments[0];
          if (config && ts.isObjectLiteralExpression(config)) {
            calls++;
            for (const p of config.properties)
              expect(options.has(p.name!.getText(source)), `${file}: ${p.getText(source)}`).toBe(true);
          }
          node.forEachChild(visit);
        };
        visit(source);
      }
    }
    expect(calls).toBeGreaterThan(10);
  });
});
