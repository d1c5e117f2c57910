/**
 * Stint's script tag as the simulator runs it: src/tags/native.ts bundled as `dist/stint.js` is (an IIFE, idb-keyval
 * inside), not minified so that a failure's stack reads as the source. Built once per process with rolldown (~0.3 s).
 * A mutant (mutants.ts) is the same build with one fix taken back: the simulator must find it.
 */
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

/**
 * One change to Stint's source: in `file` (its path under src/), `find` becomes `replace`; `also`, more of them (a fix
 * that a later one covers too is found only with both taken back).
 */
export interface Mutation {
  file: string;
  find: string;
  replace: string;
  also?: Omit<Mutation, 'also'>[];
}

const built = new Map<string, Promise<vm.Script>>();

export function stintScript(mutation?: Mutation): Promise<vm.Script> {
  const key = mutation ? JSON.stringify(mutation) : '';
  let script = built.get(key);
  if (!script) built.set(key, (script = build(mutation)));
  return script;
}

/** (bundled by scripts/simulate.mjs, this file is elsewhere: the script says where the repository is) */
const root = () => process.env.STINT_ROOT || fileURLToPath(new URL('../../', import.meta.url));

/** The tag as it ships: dist/stint.js, as `npm run build` minified it (what the minifier does is proven too). */
export async function shippedScript(): Promise<vm.Script> {
  const { readFile } = await import('node:fs/promises');
  const code = await readFile(`${root()}/dist/stint.js`, 'utf8').catch(() => {
    throw new Error('dist/stint.js is missing: `npm run build` first (`npm test` does)');
  });
  return new vm.Script(code, { filename: 'stint.js' });
}

async function build(mutation?: Mutation): Promise<vm.Script> {
  // (`--dist`: the shipped tag)
  if (process.env.STINT_DIST && !mutation) return shippedScript();
  const { rolldown } = await import('rolldown');
  const changes = mutation ? [mutation, ...(mutation.also ?? [])] : [];
  const mutate = {
    name: 'mutate',
    transform(code: string, id: string) {
      const here = changes.filter((c) => id.replace(/\\/g, '/').endsWith(`src/${c.file}`));
      for (const c of here) {
        if (!code.includes(c.find)) throw new Error(`mutant: "${c.find}" is not in src/${c.file}`);
        code = code.replace(c.find, c.replace);
      }
      return here.length ? code : null;
    },
  };
  const bundle = await rolldown({ input: `${root()}/src/tags/native.ts`, platform: 'browser', logLevel: 'silent', plugins: [mutate] });
  const { output } = await bundle.generate({ format: 'iife' });
  return new vm.Script(output[0].code, { filename: 'stint.js' });
}
