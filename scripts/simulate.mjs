#!/usr/bin/env node
// The deterministic simulation of a site's tabs (test/sim/): `npm run simulate -- --seeds 20000`, or
// `--seed S` to replay one; `--dist` against dist/stint.js. The simulator is TypeScript beside the tests; rolldown bundles it (with the src/ it
// imports) into node_modules/.cache, in well under a second, and it runs here in Node.
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}node_modules/.cache/stint-sim`;
mkdirSync(out, { recursive: true });
const bundle = await rolldown({ input: `${root}test/sim/cli.ts`, platform: 'node', external: [/^node:/, 'rolldown'], logLevel: 'silent' });
await bundle.write({ file: `${out}/cli.mjs`, format: 'es' });
process.env.STINT_ROOT = root;
// (`--dist`: the seeds run against the shipped tag, dist/stint.js, as `npm run build` minified it)
if (process.argv.includes('--dist')) process.env.STINT_DIST = '1';
const { main } = await import(pathToFileURL(`${out}/cli.mjs`).href);
process.exitCode = await main(process.argv.slice(2));
