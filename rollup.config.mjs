import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';
import MagicString from 'magic-string';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import typescript from 'typescript';
import { mangleInternal } from './scripts/internal-names.mjs';

/**
 * One name cache for every minified file, the tags' and the npm build's, so that an internal name is shortened
 * the same way everywhere. `dist/names.json` keeps its property names (`$name` -> short): a flight recorder's log
 * (`debugLog()`, src/ground/recorder.ts) is read and replayed with it (test/core/replay.test.ts `readLog`).
 */
const NAME_CACHE = {
  props: undefined,
  // Property names only: a shared cache of top-level variable names gave two variables of one chunk the same
  // name ("Identifier 'j' has already been declared", now and then, by the order the workers finished).
  get vars() {
    return undefined;
  },
  set vars(_) {},
};
const writeNames = {
  name: 'write-names',
  writeBundle() {
    writeFileSync('dist/names.json', JSON.stringify(NAME_CACHE.props?.props ?? {}, null, 1) + '\n');
  },
};

/**
 * After the minifier: every `const` of the minified code becomes `let` (-2 characters each, ~60 B gzip per tag).
 * Safe for code that TypeScript checked: it never assigns a `const`, and both are block-scoped with the same
 * temporal dead zone. Terser has no option for it.
 */
const letBindings = {
  name: 'let-bindings',
  renderChunk(code) {
    const s = new MagicString(code);
    const visit = (node) => {
      if (!node || typeof node.type !== 'string') return;
      if (node.type === 'VariableDeclaration' && node.kind === 'const') s.overwrite(node.start, node.start + 5, 'let');
      for (const key in node) {
        const value = node[key];
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === 'object') visit(value);
      }
    };
    visit(this.parse(code));
    return { code: s.toString(), map: s.generateMap({ hires: true }) };
  },
};

/**
 * The npm build is minified too, its internal property names shortened as in the tag (an app's bundler does
 * not shorten properties; scripts/internal-names.mjs says which), with the tags' name cache, so that a name
 * is the same across chunks and builds. The source maps lead back to the source.
 */
const minify = () =>
  terser({
    ecma: 2020,
    nameCache: NAME_CACHE,
    compress: { passes: 5, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true, inline: 1 },
    mangle: mangleInternal(),
    format: { comments: false },
  });

/** The envelope's schema beside the collector's copy of the decoder, which validates every batch with it. */
const schemaCopy = {
  name: 'schema-copy',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'envelope.json', source: readFileSync('schemas/envelope.json', 'utf8') });
  },
};

/**
 * The demo's timeline beside it: stint-collector's page of sessions (collector/src/ui.mjs) draws a session with the
 * demo's own drawing code and styles, not a second copy of them.
 */
const timelineCopy = {
  name: 'timeline-copy',
  generateBundle() {
    for (const name of ['timeline.js', 'timeline.css']) {
      this.emitFile({ type: 'asset', fileName: name, source: readFileSync(`demo/public/${name}`, 'utf8') });
    }
  },
};

/** The package's entries: `stint` and its subpaths. */
const ENTRIES = { index: 'src/index.ts', snowplow: 'src/snowplow.ts', tracardi: 'src/tracardi.ts', otlp: 'src/otlp.ts', tcf: 'src/tcf.ts', gpp: 'src/gpp.ts', 'consent-mode': 'src/consent-mode.ts', collector: 'src/collector.ts' };

/**
 * The script tags, each with its pipeline's format, and the parts a tag loads beside it when its config names them
 * (src/consent/part.ts: the consent platforms' signals, the routes' watch).
 */
const TAGS = {
  'stint.js': 'src/tags/native.ts',
  'stint.snowplow.js': 'src/tags/snowplow.ts',
  'stint.tracardi.js': 'src/tags/tracardi.ts',
  'stint.otlp.js': 'src/tags/otlp.ts',
  'stint.tcf.js': 'src/parts/tcf.ts',
  'stint.google.js': 'src/parts/google.ts',
  'stint.gpp.js': 'src/parts/gpp.ts',
  'stint.history.js': 'src/parts/history.ts',
  'stint.activity.js': 'src/parts/activity.ts',
  'stint.links.js': 'src/parts/links.ts',
  'stint.debug.js': 'src/parts/debug.ts',
  'stint.copy.js': 'src/parts/copy.ts',
};

/**
 * TypeScript made JavaScript one file at a time (`transpileModule`; tsconfig.json's `isolatedModules` makes that
 * exact), as esbuild and Vite do. Types are checked once, by `npm run typecheck` in `npm test`. @rollup/plugin-typescript
 * built a program of the whole of src/ for each of the 14 builds below, even unchecked: 54 of the build's 92 CPU
 * seconds.
 */
const COMPILER = typescript.parseJsonConfigFileContent(typescript.readConfigFile('tsconfig.json', typescript.sys.readFile).config, typescript.sys, '.').options;
const ts = () => ({
  name: 'transpile',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    const base = resolvePath(dirname(importer), source);
    return [`${base}.ts`, join(base, 'index.ts')].find((file) => existsSync(file)) ?? null;
  },
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const options = { ...COMPILER, sourceMap: true, inlineSourceMap: false, declaration: false };
    const { outputText, sourceMapText } = typescript.transpileModule(code, { compilerOptions: options, fileName: id });
    return { code: outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map: sourceMapText };
  },
});

/**
 * The types of the script-tag build: importing it (for its side effect) defines the global `stint`,
 * the command function of the README's snippet. Written here, since the IIFE has no exports to derive them from.
 */
const TAG_TYPES = `import type { TagConfig, Tracker } from './index.cjs';

/** \`stint(method, ...args)\`: the script tag's command function (the README's snippet). */
export interface StintCommand {
  (method: 'init', config: TagConfig): void;
  <M extends keyof Tracker>(method: M, ...args: Parameters<Tracker[M]>): ReturnType<Tracker[M]>;
}

declare global {
  /** Defined by the snippet (a queue), then by the script-tag build (the tracker's commands). */
  var stint: StintCommand | undefined;
}
`;
const tagTypes = { name: 'tag-types', generateBundle() { this.emitFile({ type: 'asset', fileName: 'stint.d.ts', source: TAG_TYPES }); } };

export default [
  // The script tags: one minified IIFE with idb-keyval inside per pipeline (src/tags/): the native format in
  // each, and at most one pipeline's format, so that a site loads only the one it sends to.
  ...Object.entries(TAGS).map(([file, input]) => ({
    input,
    output: {
      file: `dist/${file}`,
      format: 'iife',
      sourcemap: true,
      plugins: [
        terser({
          ecma: 2020,
          nameCache: NAME_CACHE,
          // (no method is a constructor, no compared value has a valueOf; inlining only the simple functions keeps
          // the code's repeated shapes, which gzip shrinks best)
          compress: { passes: 5, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true, inline: 1 },
          mangle: mangleInternal(),
          format: { comments: false },
        }),
        letBindings,
      ],
    },
    plugins: [resolve({ browser: true }), ts(), ...(file === 'stint.js' ? [tagTypes] : [])],
  })),
  // npm: ESM and CJS, dependencies left to the host's bundler. One build for every entry, so that the parts
  // they share (the log's debug switch among them) are one module: an app imports 'stint' and, when it uses
  // one, a pipeline's format or a consent signal ('stint/snowplow', 'stint/tracardi', 'stint/tcf', 'stint/gpp', 'stint/consent-mode').
  // 'stint/collector' is for collectors written in Node (pure: no browser, no dependency).
  {
    input: ENTRIES,
    external: ['idb-keyval'],
    output: [
      { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', plugins: [minify(), letBindings] },
      { dir: 'dist', format: 'cjs', sourcemap: true, entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', plugins: [minify(), letBindings] },
    ],
    plugins: [ts(), writeNames],
  },
  // The types, once for each module system: under node16 a CommonJS consumer needs its own `.d.cts`.
  ...Object.entries(ENTRIES).map(([name, input]) => ({
    input,
    output: [
      { file: `dist/${name}.d.mts`, format: 'es' },
      { file: `dist/${name}.d.cts`, format: 'es' },
    ],
    plugins: [dts()],
  })),
  // stint-collector (collector/, a workspace) carries the decoder it is tested with: `stint/collector` as one plain ES
  // module, the envelope's schema and the demo's timeline, in collector/lib/ (not in git: made here). So the collector
  // needs no `stint` from a registry, and its tarball runs alone.
  {
    input: 'src/collector.ts',
    output: { file: 'collector/lib/stint.mjs', format: 'es', banner: '// Built from src/collector.ts by `npm run build` (rollup.config.mjs): do not edit.' },
    plugins: [ts(), schemaCopy, timelineCopy],
  },
];
