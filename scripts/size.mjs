// The size budgets, checked in `npm test`, per artifact (scripts/size.json): each gzipped at level 9 must
// stay under its absolute budget and within 2% of its recorded baseline, as Snowplow's CI does: growth is a
// decision recorded in the commit that makes it. The artifacts:
//   dist/stint.js   the script tag, every feature and every format
//   npm:track()     what an app that only calls track() carries (rollup + node-resolve + terser, as its
//                   bundler would build it from dist/index.mjs)
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { gzipSync } from 'node:zlib';

const GROWTH = 0.02;
const root = fileURLToPath(new URL('..', import.meta.url));
const limits = JSON.parse(readFileSync(new URL('./size.json', import.meta.url), 'utf8'));

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

let failed = false;
for (const [artifact, { budget, baseline }] of Object.entries(limits)) {
  const code = artifact === 'npm:track()' ? await npmApp() : readFileSync(artifact);
  const bytes = gzipSync(code, { level: 9 }).length;
  const ceiling = Math.min(budget, Math.floor(baseline * (1 + GROWTH)));
  const line = `${artifact}: ${bytes} B gzipped (baseline ${baseline} B, budget ${budget} B)`;
  if (bytes > ceiling) {
    failed = true;
    console.error(`${line}: over by ${bytes - ceiling} B${bytes <= budget ? ` (more than ${GROWTH * 100}% above the baseline)` : ''}`);
  } else console.log(line);
}
process.exit(failed ? 1 : 0);
