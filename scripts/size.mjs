// The size budgets, checked in `npm test`, per artifact (scripts/size.json): each gzipped at level 9 must
// stay under its absolute budget and within 2% of its recorded baseline, as Snowplow's CI does: growth is a
// decision recorded in the commit that makes it (each budget's `why` is one line; the history is in git). The artifacts:
//   dist/stint.js   the script tag, every feature, the native format; dist/stint.<pipeline>.js with that pipeline's
//   npm:track()     what an app that only calls track() carries (rollup + node-resolve + terser, as its
//                   bundler would build it from dist/index.mjs)
//   npm:track() (Vite)  the same app as `vite build` makes it: the files its page loads (the entry chunk and the chunks
//                   it imports statically; each gzipped alone, as each is sent), not the chunks loaded only when used
//
// `npm run size -- --modules [tag]` also says where a tag's bytes are (dist/stint.js by default): each source module's minified bytes (by
// the source map) and what the gzipped tag loses without them. Those shares do not add up to the whole
// (gzip finds repeats across modules), but they rank what a cut would save.
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { gzipSync } from 'node:zlib';
import { SourceMapConsumer } from 'source-map-js';

const GROWTH = 0.02;
const root = fileURLToPath(new URL('..', import.meta.url));
const limits = JSON.parse(readFileSync(new URL('./size.json', import.meta.url), 'utf8'));

/** The same app built by Vite: the gzipped bytes of the files its page loads, and how many. */
async function viteApp() {
  const { build } = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'stint-vite-'));
  try {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
    writeFileSync(join(dir, 'main.js'), `import { createTracker } from '${root}dist/index.mjs';
createTracker({ collector: '/collect', appId: 'app' }).track('signup', { plan: 'pro' });`);
    const out = await build({ root: dir, logLevel: 'silent', configFile: false, build: { write: false, modulePreload: false } });
    const chunks = (Array.isArray(out) ? out[0] : out).output.filter((o) => o.type === 'chunk');
    const loaded = new Set();
    const load = (chunk) => loaded.has(chunk) || (loaded.add(chunk), chunk.imports.forEach((f) => load(chunks.find((c) => c.fileName === f))));
    load(chunks.find((c) => c.isEntry));
    return { bytes: [...loaded].reduce((sum, c) => sum + gzipSync(c.code, { level: 9 }).length, 0), files: loaded.size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bundle of an app that imports Stint and calls track(), as an app's bundler makes it. */
async function npmApp() {
  const entry = 'virtual:app';
  const app = `import { createTracker } from '${root}dist/index.mjs';
createTracker({ collector: '/collect', appId: 'app' }).track('signup', { plan: 'pro' });`;
  const bundle = await rollup({
    input: entry,
    plugins: [{ name: 'app', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? app : null) }, resolve({ browser: true }), terser({ maxWorkers: 1 })],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return output[0].code;
}

/** Each source module of `file` (by its source map): its minified bytes, and the gzipped bytes the file loses without them. */
function modules(file) {
  const code = readFileSync(file, 'utf8');
  const lineStarts = [0];
  for (const line of code.split('\n')) lineStarts.push(lineStarts[lineStarts.length - 1] + line.length + 1);
  const mappings = [];
  new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8'))).eachMapping((m) => mappings.push(m));
  const at = (m) => lineStarts[m.generatedLine - 1] + m.generatedColumn;
  mappings.sort((a, b) => at(a) - at(b));
  /** module -> the [start, end) ranges of the bundle it wrote */
  const ranges = new Map();
  mappings.forEach((m, i) => {
    const next = mappings[i + 1];
    const end = next && next.generatedLine === m.generatedLine ? at(next) : lineStarts[m.generatedLine] - 1;
    const name = (m.source || '?').replace(/^.*?\/(src|node_modules)\//, '$1/');
    if (!ranges.has(name)) ranges.set(name, []);
    ranges.get(name).push([at(m), end]);
  });
  const whole = gzipSync(code, { level: 9 }).length;
  const rows = [...ranges].map(([name, list]) => {
    const kept = [];
    let from = 0;
    for (const [start, end] of [...list].sort((a, b) => a[0] - b[0])) {
      kept.push(code.slice(from, start));
      from = Math.max(from, end);
    }
    kept.push(code.slice(from));
    const bytes = list.reduce((n, [start, end]) => n + end - start, 0);
    return { name, bytes, gzip: whole - gzipSync(kept.join(''), { level: 9 }).length };
  });
  console.log(`\n${file}: ${whole} B gzipped, by source module (minified bytes, gzipped bytes saved without it)`);
  for (const { name, bytes, gzip } of rows.sort((a, b) => b.gzip - a.gzip)) console.log(`${String(bytes).padStart(7)} ${String(gzip).padStart(6)}  ${name}`);
}

let failed = false;
for (const [artifact, { why }] of Object.entries(limits)) {
  // One line that says what the artifact is and why its budget is what it is; the history of every change is in git.
  if (typeof why !== 'string' || !why.trim() || why.includes('\n') || why.length > 240) {
    failed = true;
    console.error(`scripts/size.json: ${artifact}'s "why" must be one line of at most 240 characters`);
  }
}
// Every script a page can load has a budget: the tags and each part beside them.
for (const file of readdirSync(join(root, 'dist')).filter((f) => /^stint\..*js$/.test(f) && !f.endsWith('.map'))) {
  if (!limits[`dist/${file}`]) {
    failed = true;
    console.error(`scripts/size.json: dist/${file} has no budget`);
  }
}
for (const [artifact, { budget, baseline }] of Object.entries(limits)) {
  const vite = artifact === 'npm:track() (Vite)' ? await viteApp() : null;
  const code = vite ? null : artifact === 'npm:track()' ? await npmApp() : readFileSync(artifact);
  const bytes = vite ? vite.bytes : gzipSync(code, { level: 9 }).length;
  const ceiling = Math.min(budget, Math.floor(baseline * (1 + GROWTH)));
  const line = `${artifact}: ${bytes} B gzipped${vite ? ` in ${vite.files} files` : ''} (baseline ${baseline} B, budget ${budget} B)`;
  if (bytes > ceiling) {
    failed = true;
    console.error(`${line}: over by ${bytes - ceiling} B${bytes <= budget ? ` (more than ${GROWTH * 100}% above the baseline)` : ''}`);
  } else console.log(line);
}
// `--modules` alone: the native tag; `--modules dist/stint.otlp.js`: another.
const asked = process.argv.indexOf('--modules');
if (asked > 0) modules(process.argv[asked + 1] || 'dist/stint.js');
process.exit(failed ? 1 : 0);
