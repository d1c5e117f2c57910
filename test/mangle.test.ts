/**
 * The property names the build shortens (scripts/internal-names.mjs) must never cross anything: a name that
 * is read by its text (a string in the source), sent (the wire's schemas and formats), stored, told to the
 * other tabs, given by the page (the config, the public API) would break once shortened. Each is checked here;
 * the e2e suite then runs the shortened builds in three engines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERNAL_NAMES } from '../scripts/internal-names.mjs';
import { encodeState, type SessionState } from '../src/core/session/state';

const names: string[] = INTERNAL_NAMES;
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const read = (file: string) => readFileSync(join(__dirname, '..', file), 'utf8');

/** Every key of every object in a JSON document. */
const keys = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => (Array.isArray(value) ? keys(v) : [k, ...keys(v)])) : [];

/** The members a TypeScript block declares (`name:` or `name?:`). */
const members = (text: string) => [...text.matchAll(/(\w+)\??:/g)].map((m) => m[1]);
const block = (file: string, start: string) => {
  const text = read(file);
  const from = text.indexOf(start);
  expect(from, `${start} in ${file}`).toBeGreaterThanOrEqual(0);
  return text.slice(from, text.indexOf('\n}', from) + 2);
};

describe('the names the build shortens', () => {
  it('are no string in the source (a name read or written by its text)', () => {
    const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const strings = new Set(files(join(__dirname, '../src')).flatMap((f) => [...code(f).matchAll(/'([^'\\\n]*)'|"([^"\\\n]*)"|`([^`$\\]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3])));
    expect(names.filter((n) => strings.has(n))).toEqual([]);
  });

  it('are no key of what is sent (the envelope, the pipelines’ schemas)', () => {
    const schemas = files(join(__dirname, '../schemas')).filter((f) => f.endsWith('.json') || !f.includes('.'));
    const sent = new Set(schemas.flatMap((f) => keys(JSON.parse(readFileSync(f, 'utf8')))));
    expect(names.filter((n) => sent.has(n))).toEqual([]);
  });

  it('are no member of a type the package exports (what a server reads of `readSession`, the envelope it expands…)', () => {
    // Each entry's exported types, found where they are declared: `export type { A } from './x'`, `type B` in a list.
    const entries = ['index', 'snowplow', 'tracardi', 'otlp', 'tcf', 'gpp', 'consent-mode', 'collector'];
    const exported: string[] = [];
    for (const entry of entries) {
      const text = read(`src/${entry}.ts`);
      for (const [, list, from] of text.matchAll(/export (?:type )?\{([^}]*)\} from '([^']+)'/g)) {
        const file = `src/${join(entry.includes('/') ? entry : '', from).replace(/^\.\//, '')}.ts`;
        const source = read(file);
        for (const item of list.split(',')) {
          const name = item.replace(/\btype\b/, '').trim().split(/\s+as\s+/)[0];
          const declared = new RegExp(`export (?:interface ${name}\\b|type ${name}\\b)`).exec(source);
          if (declared) exported.push(...members(block(file, declared[0])));
        }
      }
      exported.push(...members(text));
    }
    expect(exported).toContain('lastEventAt');
    expect(names.filter((n) => exported.includes(n))).toEqual([]);
  });

  it('are no member of what is stored, told to the other tabs, or given by the page', () => {
    const crossing = new Set([
      ...members(read('src/ground/types.ts')),
      ...members(read('src/ground/format-options.ts')),
      ...members(block('src/session/tabs.ts', 'export type TabMessage')),
      ...members(block('src/core/formats/envelope.ts', 'export interface EventSession')),
      ...members(block('src/core/formats/envelope.ts', 'export interface WholeEvent')),
      ...members(block('src/delivery/outbox-store.ts', 'interface Stored')),
      ...members(block('src/delivery/outbox-store.ts', 'interface Chunk')),
      ...members(block('src/door/api.ts', 'export interface Running')),
      ...members(block('src/consent/tcf.ts', 'export interface TCData')),
      ...members(block('src/consent/gpp-read.ts', 'export interface GppSection')),
      ...members(block('src/consent/gpp-read.ts', 'export interface GppPing')),
      ...members(block('src/consent/gpp-read.ts', 'export interface GppData')),
      ...members(block('src/consent/gpp.ts', 'interface GppEvent')),
      ...members(block('src/consent/google.ts', 'interface ConsentParams')),
      'hello',
      't', // a send turn's holder (turn.ts)
    ]);
    expect(names.filter((n) => crossing.has(n))).toEqual([]);
  });

  it('are no key of a stored session: it is stored by its fields’ short keys (state.ts), whole and lean', () => {
    const state = Object.fromEntries(members(block('src/core/session/state.ts', 'export interface SessionState')).map((n) => [n, 1]));
    for (const lean of [false, true]) {
      const stored = Object.keys(JSON.parse(encodeState(state as unknown as SessionState, lean).slice(2)));
      expect(stored.length).toBeGreaterThan(10);
      expect(stored.filter((key) => key.length > 2 || names.includes(key))).toEqual([]);
    }
  });

  it("are no member of the browser's or JavaScript's own objects (TypeScript's lib.dom and lib.es files)", () => {
    // (the minifier shortens a listed name on every object, builtins included: `head` once made `document.head`
    // `document.J` in the tag)
    const lib = join(__dirname, '../node_modules/typescript/lib');
    const own = new Set(
      readdirSync(lib)
        .filter((f) => /^lib\.(dom|es|webworker).*\.d\.ts$/.test(f))
        .flatMap((f) => [...readFileSync(join(lib, f), 'utf8').matchAll(/^\s+(?:readonly )?(\w+)\??[:(<]/gm)].map((m) => m[1])),
    );
    expect(own.size).toBeGreaterThan(4000);
    expect(names.filter((n) => own.has(n))).toEqual([]);
  });
});
