/**
 * Hostile input through the public surface, in a real browser: thousands of seeded random calls through
 * the tag's `stint(...)` and the npm tracker's methods — arbitrary method names and arguments of every
 * JavaScript shape, hostile objects included — interleaved with valid calls. Stint must never throw into
 * the page, never reject a promise, never report an internal error, never touch Object.prototype, and
 * keep working: valid events still arrive afterwards, with schema-valid sessions.
 *
 * The calls are generated in Node by fast-check (seeded as the unit suite's properties are, test/seed.ts:
 * fixed on CI, new at every run elsewhere, printed, and STINT_FUZZ_SEED replays it) as descriptions; the page builds the values they describe, since a Proxy or a throwing getter
 * cannot cross from Node. STINT_FUZZ_CALLS sets the number of calls per build (default 2,000; the README
 * gives a 10,000-call run).
 */
import fc from 'fast-check';
import { fuzzSeed } from '../test/seed';
import { call, consoleOf, expect, openStint, test } from './fixtures';
import { esmBuild, tagBuild } from './npm';

const CALLS = Number(process.env.STINT_FUZZ_CALLS || 2000);
const SEED = fuzzSeed(`hostile input (${CALLS} calls)`);

/** Values the page builds itself: each one breaks something a careless library does with its input. */
const HOSTILE = [
  'bigint', // JSON.stringify throws
  'symbol', // String() works, template literals throw
  'circular',
  'getterThrows',
  'getterThrowsSymbol',
  'getterThrowsNull',
  'toJSONThrows',
  'trapAll', // a Proxy whose every trap throws
  'trapThrowsProxy', // a Proxy whose traps throw a Proxy that traps
  'revokedProxy',
  'nullProto',
  'toStringThrows',
  'function',
  'date',
  'map',
  'typedArray',
  'hugeString', // 70,000 characters
  'deep', // 5,000 levels of nesting
  'undefined',
  'NaN',
] as const;

type Spec = { t: 'json'; v: unknown } | { t: 'hostile'; k: (typeof HOSTILE)[number] } | { t: 'obj'; v: [string, Spec][] } | { t: 'arr'; v: Spec[] };

const { spec } = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('json' as const), v: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ t: fc.constant('json' as const), v: fc.string({ unit: 'binary', maxLength: 40 }) }),
    fc.record({ t: fc.constant('hostile' as const), k: fc.constantFrom(...HOSTILE) }),
    fc.record({ t: fc.constant('obj' as const), v: fc.array(fc.tuple(fc.constantFrom('a', '__proto__', 'constructor', 'toJSON', 'then', ''), tie('spec')), { maxLength: 3 }) }),
    fc.record({ t: fc.constant('arr' as const), v: fc.array(tie('spec'), { maxLength: 3 }) }),
  ),
}));

const METHODS = ['track', 'page', 'identify', 'setBackground', 'getSession', 'newSession', 'endSession', 'setSessionAttribute', 'incrementSessionAttribute', 'setConsent', 'ready', 'flush'];
const ODD_NAMES = ['init', 'shutdown_', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'then', '', ' track'];

const callSpec = (tag: boolean) =>
  fc.oneof(
    // a valid call, so that hostile ones are interleaved with real work
    fc.record({ method: fc.constant<Spec>({ t: 'json', v: 'track' }), args: fc.tuple(fc.constant<Spec>({ t: 'json', v: 'valid' }), fc.constant<Spec>({ t: 'json', v: { ok: true } })) }),
    fc.record({ method: fc.constantFrom(...METHODS).map((v): Spec => ({ t: 'json', v })), args: fc.array(spec, { maxLength: 3 }) }),
    // the tag takes any method name
    ...(tag ? [fc.record({ method: fc.oneof(fc.constantFrom(...ODD_NAMES).map((v): Spec => ({ t: 'json', v })), spec), args: fc.array(spec, { maxLength: 3 }) })] : []),
  );

for (const surface of ['the tag', 'the npm tracker'] as const) {
  (surface === 'the tag' ? tagBuild : esmBuild)(() => {
    test(`${CALLS} random calls through ${surface}: nothing thrown, nothing rejected, no internal error, still working`, async ({ page, build, run, collector }) => {
      test.setTimeout(120_000);
      test.info().annotations.push({ type: 'seed', description: String(SEED) });
      const seen = consoleOf(page);
      await openStint(page, build, run);
      await page.evaluate((hostile) => {
        const w = window as any;
        w.__fuzz = { throws: [] as string[], rejections: 0, protoBefore: Object.getOwnPropertyNames(Object.prototype).join() };
        addEventListener('unhandledrejection', () => w.__fuzz.rejections++);
        const trap = (thrown: () => unknown) =>
          new Proxy({}, Object.fromEntries(['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty', 'apply'].map((t) => [t, () => { throw thrown(); }])));
        const build = (s: any): unknown => {
          if (s.t === 'json') return s.v;
          if (s.t === 'arr') return s.v.map(build);
          if (s.t === 'obj') {
            const o: Record<string, unknown> = {};
            for (const [k, v] of s.v) Object.defineProperty(o, k, { value: build(v), enumerable: true, configurable: true, writable: true });
            return o;
          }
          const k = s.k as (typeof hostile)[number];
          switch (k) {
            case 'bigint': return { n: BigInt(1) };
            case 'symbol': return Symbol('hostile');
            case 'circular': { const o: any = { a: 1 }; o.self = o; return o; }
            case 'getterThrows': return { get x() { throw new Error('getter'); } };
            case 'getterThrowsSymbol': return { get x() { throw Symbol('thrown'); } };
            case 'getterThrowsNull': return { get x() { throw null; } };
            case 'toJSONThrows': return { toJSON() { throw new Error('toJSON'); } };
            case 'trapAll': return trap(() => new Error('trap'));
            case 'trapThrowsProxy': return trap(() => trap(() => new Error('inner trap')));
            case 'revokedProxy': { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }
            case 'nullProto': return Object.assign(Object.create(null), { a: 1 });
            case 'toStringThrows': return { toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); } };
            case 'function': return () => 1;
            case 'date': return new Date(NaN);
            case 'map': return new Map([[1, 2]]);
            case 'typedArray': return new Uint8Array(3);
            case 'hugeString': return 'x'.repeat(70_000);
            case 'deep': { let o: any = {}; for (let i = 0; i < 5000; i++) o = { o }; return o; }
            case 'undefined': return undefined;
            case 'NaN': return NaN;
          }
        };
        w.__run = (calls: { method: unknown; args: unknown[] }[], tag: boolean) => {
          for (const c of calls) {
            try {
              const method = build(c.method);
              const args = c.args.map(build);
              const answer = tag ? w.stint(method, ...args) : w.__tracker[method as string](...args);
              if (answer && typeof (answer as Promise<unknown>).then === 'function') (answer as Promise<unknown>).then(null, () => w.__fuzz.rejections++);
            } catch (e) {
              let text = 'unprintable';
              try { text = String(e); } catch { /* a Symbol or a Proxy */ }
              w.__fuzz.throws.push(`${JSON.stringify(c).slice(0, 300)} threw ${text}`);
            }
          }
        };
      }, HOSTILE);
      if (surface === 'the npm tracker') {
        await page.evaluate(async (run) => {
          const { createTracker } = await import('/dist/index.mjs' as string);
          (window as any).__tracker = createTracker({ collector: '/collect/' + run, appId: 'e2e' }); // the page's running tracker
        }, run);
      }
      const calls = fc.sample(callSpec(surface === 'the tag'), { seed: SEED, numRuns: CALLS });
      for (let i = 0; i < calls.length; i += 250) await page.evaluate(([chunk, tag]) => (window as any).__run(chunk, tag), [calls.slice(i, i + 250), surface === 'the tag'] as const);

      const result = await page.evaluate(() => {
        const f = (window as any).__fuzz;
        return { throws: f.throws, rejections: f.rejections, protoSame: Object.getOwnPropertyNames(Object.prototype).join() === f.protoBefore, polluted: ({} as any).x !== undefined || ({} as any).a !== undefined };
      });
      expect(result.throws, `seed ${SEED}`).toEqual([]);
      expect(result.rejections, `seed ${SEED}: rejected promises`).toBe(0);
      expect(result.protoSame && !result.polluted, `seed ${SEED}: Object.prototype untouched`).toBe(true);
      expect(seen.errors.filter((e) => / \(#0[:)]|pageerror/.test(e)), `seed ${SEED}`).toEqual([]);

      // Still working: a valid event after it all arrives, and every batch sent was valid.
      await call(page, 'setConsent', 'granted');
      await call(page, 'setBackground', false);
      await call(page, 'ready');
      await call(page, 'track', 'after-the-storm');
      await call(page, 'flush');
      const session = await call(page, 'getSession');
      const [after] = await collector.waitFor(1, (e) => e.name === 'after-the-storm');
      // Whatever the storm did to the session (new sessions, ends, withdrawals), the event carries the session of its moment.
      expect(after.session).toEqual(session);
      await collector.expectValid();
    });
  });
}
