// The published package, checked as a user installs it: `npm pack`, then
//   - publint and @arethetypeswrong/cli on the tarball (any error fails; their report is printed when they fail,
//     and only then);
//   - every script a site serves (the tags, and the parts a tag loads beside it) resolved by name from the package
//     (`stint/stint.tcf.js`), as a copy step or a bundler takes them;
//   - attw: every entry's types resolve under node10 (the subpaths by `typesVersions`), node16 and bundler;
//   - the tarball installed into a scratch project, and its types compiled by consumers that have no DOM:
//     an ES module and a CommonJS module under `moduleResolution: node16`, `lib: ["ES2022"]`,
//     `types: ["node"]`, without `skipLibCheck` (a server-side renderer's setup).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const bin = (name) => join(root, 'node_modules/.bin', name);
const run = (command, args, cwd = root) => execFileSync(command, args, { cwd, stdio: 'inherit' });
/** Runs a checker quietly: its whole report is printed if it fails. */
const check = (command, args) => {
  try {
    execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    process.stdout.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error(`package: ${command.split('/').pop()} ${args.join(' ')} failed (its report is above)`);
  }
};

/** A picture in docs/ ships only under this (the tarball's 1 MB holds the Markdown, which the messages point to). */
const DOC_PICTURE = 100_000;

/**
 * Every pointer the shipped scripts print resolves in the install: a message ends `(#45: debug: true or
 * node_modules/stint/docs/messages.md#45)` (src/ground/log.ts), a path from the app's root, where npm installs the
 * package (`scratch` here). Each code a message can have (the shipped debug chunk's MESSAGES, the plain ones of
 * src/delivery/unreached.ts, and each written out in a script) is an anchor of that file. Returns how many codes.
 */
function checkPointers(installed, app, files) {
  const scripts = files.filter((f) => /^package\/dist\/.+\.(js|cjs|mjs)$/.test(f)).map((f) => join(installed, f.slice(8)));
  const plain = readFileSync(join(root, 'src/delivery/unreached.ts'), 'utf8').match(/PLAIN[^{]*\{([^}]*)\}/)[1];
  const codes = new Set([...plain.matchAll(/(\d+):/g)].map((m) => m[1]));
  let printed = 0;
  for (const file of scripts) {
    const text = readFileSync(file, 'utf8');
    for (const [, path, code] of text.matchAll(/([\w./-]*docs\/messages\.md)#(\d*)/g)) {
      printed++;
      if (!existsSync(join(app, path))) throw new Error(`package: ${file.slice(installed.length + 1)} points to ${path}, which is not there from the app's root`);
      if (code) codes.add(code);
    }
    if (/^messages-.*\.cjs$/.test(basename(file))) for (const code of Object.keys(require(file).MESSAGES)) codes.add(code);
  }
  if (!printed) throw new Error('package: no script points to docs/messages.md');
  const page = readFileSync(join(installed, 'docs/messages.md'), 'utf8');
  const missing = [...codes].filter((code) => !page.includes(`<a id="${code}"></a>`));
  if (missing.length) throw new Error(`package: docs/messages.md has no anchor for #${missing.join(', #')}`);
  for (const f of files.filter((f) => /^package\/docs\/.+\.png$/.test(f))) {
    const bytes = statSync(join(installed, f.slice(8))).size;
    if (bytes > DOC_PICTURE) throw new Error(`package: ${f} is ${bytes} B, over ${DOC_PICTURE} B`);
  }
  return codes.size;
}

const scratch = mkdtempSync(join(tmpdir(), 'stint-package-'));
try {
  // (--ignore-scripts: `npm test` has just built dist/, which `prepack` would build again)
  const [{ filename, size, unpackedSize }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const tarball = join(scratch, filename);

  check(bin('publint'), ['run', tarball, '--strict']);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  // What the package holds: the builds, the schemas, the license and the README. No source maps: they were 3.76 MB
  // of the tarball (each carries its sources), for what an app's bundler minifies again and a site serves as is; whoever
  // steps through Stint's own code builds them in a clone (`npm run build`, docs/development.md).
  // The docs its messages point to (`node_modules/stint/docs/messages.md#45`), as Markdown; a picture only if small.
  const stray = files.filter((f) => !/^package\/(dist\/.+\.(js|cjs|mjs|d\.ts|d\.cts|d\.mts|json)|schemas\/.+|docs\/[\w-]+\.(md|png)|LICENSE|README\.md|package\.json)$/.test(f));
  if (stray.length) throw new Error(`package: files that should not ship: ${stray.slice(0, 10).join(', ')}`);
  for (const f of ['LICENSE', 'README.md', 'docs/messages.md']) if (!files.includes(`package/${f}`)) throw new Error(`package: ${f} is missing`);
  if (unpackedSize > 1_000_000) throw new Error(`package: ${unpackedSize} B unpacked, over 1 MB`);
  /** The scripts a site serves: dist/stint.js, the other tags and the parts beside them (no types: classic scripts that export nothing). */
  const scripts = files.map((f) => /^package\/dist\/(stint(?:\.\w+)?\.js)$/.exec(f)?.[1]).filter(Boolean);
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const parts = scripts.filter((f) => !exports[`./${f}`]?.types);
  // node10 (no `exports`: the subpaths through `typesVersions`), node16 and bundler resolution for every entry.
  check(bin('attw'), [tarball, '--exclude-entrypoints', ...parts.map((f) => `stint/${f}`)]);

  const installed = join(scratch, 'node_modules/stint');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  // Its dependency, as npm would install them beside it.
  for (const dep of ['idb-keyval']) symlinkSync(join(root, 'node_modules', dep), join(scratch, 'node_modules', dep));

  const tsconfig = (files) => ({
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'ES2022',
      lib: ['ES2022'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      strict: true,
      noEmit: true,
    },
    files,
  });
  writeFileSync(
    join(scratch, 'esm.mts'),
    `import { createTracker, VERSION, type ClientSession, type Tracker } from 'stint';
import type { StintCommand } from 'stint/stint.js';
import { expandEnvelope, type WholeEvent } from 'stint/collector';
const whole: WholeEvent[] = expandEnvelope({ v: 3, appId: 'a', sentAt: '', dropped: 0, sampleRate: 1, contexts: [], at: 0, events: [] });
const tracker: Tracker = createTracker({ collector: '/collect', appId: 'ssr' });
const session: ClientSession | null = tracker.getSession();
const command: StintCommand | undefined = globalThis.stint;
const id: string | undefined = command?.('track', 'signup', { plan: 'pro' });
void tracker.ready().then(() => tracker.flush());
console.log(VERSION, session, id, whole);
`,
  );
  writeFileSync(
    join(scratch, 'cjs.cts'),
    `import { createTracker, type Tracker } from 'stint';
import { expandEnvelope } from 'stint/collector';
void expandEnvelope;
const tracker: Tracker = createTracker({ collector: '/collect', appId: 'ssr', consent: 'pending' });
void tracker.ready();
export = tracker;
`,
  );
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig(['esm.mts', 'cjs.cts'])));
  run(bin('tsc'), ['-p', scratch]);
  // And at run time, from both module systems: outside a browser the tracker does nothing.
  run('node', ['--input-type=module', '-e', "import { createTracker } from 'stint'; if (createTracker({ collector: '/c', appId: 'a' }).getSession() !== null) process.exit(1);"], scratch);
  run('node', ['-e', "const { createTracker } = require('stint'); if (createTracker({ collector: '/c', appId: 'a' }).getSession() !== null) process.exit(1);"], scratch);
  // Every script a site serves beside the tag, by its name (a copy step, a bundler's URL import).
  run('node', ['-e', `for (const f of ${JSON.stringify(scripts)}) require('fs').statSync(require.resolve('stint/' + f))`], scratch);
  if (scripts.length < 10) throw new Error(`package: only ${scripts.length} scripts in dist/: ${scripts}`);
  run('node', ['-e', "const { expandEnvelope } = require('stint/collector'); if (expandEnvelope({ v: 3, contexts: [], events: [] }).length !== 0) process.exit(1);"], scratch);
  const pointers = checkPointers(installed, scratch, files);
  console.log(`package: ${files.length} files, ${size} B packed, ${unpackedSize} B unpacked, no maps`);
  console.log(`package: ${pointers} codes the messages point to, each an anchor of the docs/messages.md it ships, by a path from the app's root`);
  console.log(`package: publint, attw, node16 ESM and CommonJS consumers without DOM types, the ${scripts.length} scripts a site serves by name: ok`);
} catch (e) {
  // (what failed has printed its report above: one line more says which check it was)
  console.error(e.message);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
