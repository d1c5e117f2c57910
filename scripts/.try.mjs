import { rollup } from 'rollup';
import resolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { minify } from 'terser';
import { gzipSync } from 'node:zlib';
import { mangleInternal } from './internal-names.mjs';
const b = await rollup({ input: 'src/tags/native.ts', plugins: [resolve({ browser: true }), typescript({ tsconfig: './tsconfig.json', compilerOptions: { declaration: false } })] });
const { output } = await b.generate({ format: 'iife' });
const src = output[0].code;
const base = { passes: 3, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true, inline: 1 };
const variants = {
  base: {},
  inline3: { inline: 3 },
  inline2: { inline: 2 },
  passes5: { passes: 5 },
  unsafe: { unsafe: true },
  hoist_props: { hoist_props: false },
  reduce_funcs: { reduce_funcs: false },
  join_vars_off: { join_vars: false },
  sequences_off: { sequences: false },
  collapse_off: { collapse_vars: false },
  toplevel: { toplevel: true },
  keep_fargs: { keep_fargs: false },
};
for (const [k, v] of Object.entries(variants)) {
  const r = await minify(src, { ecma: 2020, compress: { ...base, ...v }, mangle: mangleInternal(), format: { comments: false } });
  const c = r.code;
  console.log(k.padEnd(16), c.length, gzipSync(c, { level: 9 }).length, gzipSync(c.replace(/\bconst /g, 'let '), { level: 9 }).length);
}
