import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const ts = () => typescript({ tsconfig: './tsconfig.json', compilerOptions: { declaration: false } });

export default [
  // The script tag: one minified IIFE with idb-keyval and uuid inside.
  {
    input: 'src/tag.ts',
    output: {
      file: 'dist/stint.js',
      format: 'iife',
      sourcemap: true,
      plugins: [
        terser({
          ecma: 2020,
          compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
          // Internal members start with one underscore (`__tcfapi` is the page's, not ours).
          mangle: { properties: { regex: /^_[^_]/ } },
          format: { comments: false },
        }),
      ],
    },
    plugins: [resolve({ browser: true }), ts()],
  },
  // npm: ESM and CJS, dependencies left to the host's bundler.
  {
    input: 'src/index.ts',
    external: ['idb-keyval', 'uuid'],
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true },
    ],
    plugins: [ts()],
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts()],
  },
];
