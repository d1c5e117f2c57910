/**
 * Values across the driver with their types. Classic WebDriver carries JSON: `undefined` would arrive as
 * null, NaN and -0 as null or 0, a Date as {}, a BigInt not at all, and a string with a lone surrogate
 * half mended. Playwright's `evaluate` keeps them; so does this. Both sides describe a value as a tree of
 * tagged JSON, written as ASCII-only text (every other character escaped), which WebDriver carries as it is.
 *
 * `codec` is run in Node and, by its source, in the page (page.ts): it must not refer to anything outside it.
 * A value that cannot travel (a function, a symbol, a DOM node) arrives as Playwright delivers it: undefined
 * for the first two, {} for an object with no own enumerable properties. A test of such a value reads it in
 * the page and returns its verdict.
 */
export function codec() {
  type Tree = null | boolean | number | string | { [tag: string]: unknown };
  const isTagged = (v: unknown): v is { [tag: string]: unknown } => typeof v === 'object' && v !== null;

  function describe(value: unknown): Tree {
    const seen = new Map<object, number>();
    const walk = (v: unknown): Tree => {
      if (v === undefined) return { u: 1 };
      if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
      if (typeof v === 'number') {
        if (Object.is(v, -0)) return { n: '-0' };
        return Number.isFinite(v) ? v : { n: String(v) };
      }
      if (typeof v === 'bigint') return { bi: v.toString() };
      if (typeof v === 'function' || typeof v === 'symbol') return { u: 1 };
      const o = v as object;
      if (seen.has(o)) return { ref: seen.get(o)! };
      const id = seen.size;
      seen.set(o, id);
      if (o instanceof Date) return { d: Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString(), id };
      if (o instanceof RegExp) return { r: o.source, f: o.flags, id };
      if (o instanceof Error) return { e: { name: o.name, message: o.message, stack: o.stack }, id };
      if (typeof URL === 'function' && o instanceof URL) return { url: o.href, id };
      if (o instanceof Map) return { m: [...o].map(([k, x]) => [walk(k), walk(x)]), id };
      if (o instanceof Set) return { s: [...o].map(walk), id };
      if (ArrayBuffer.isView(o) && !(o instanceof DataView)) return { ta: Array.from(o as unknown as ArrayLike<number | bigint>, (x) => walk(x)), k: o.constructor.name, id };
      if (Array.isArray(o)) return { a: o.map(walk), id };
      const entries: [string, Tree][] = [];
      for (const key of Object.keys(o)) {
        let x: unknown;
        try {
          x = (o as Record<string, unknown>)[key];
        } catch {
          continue; // a getter that throws: Playwright leaves the key out too
        }
        entries.push([key, walk(x)]);
      }
      return { o: entries, id };
    };
    return walk(value);
  }

  function revive(tree: Tree): unknown {
    const made = new Map<number, unknown>();
    const walk = (t: Tree): unknown => {
      if (!isTagged(t)) return t;
      const keep = <T>(v: T): T => (typeof t.id === 'number' && made.set(t.id, v), v);
      if ('u' in t) return undefined;
      if ('n' in t) return t.n === '-0' ? -0 : Number(t.n);
      if ('bi' in t) return BigInt(t.bi as string);
      if ('ref' in t) return made.get(t.ref as number);
      if ('d' in t) return keep(new Date(t.d === 'Invalid Date' ? NaN : (t.d as string)));
      if ('r' in t) return keep(new RegExp(t.r as string, t.f as string));
      if ('e' in t) {
        const { name, message, stack } = t.e as { name: string; message: string; stack?: string };
        const error = keep(new Error(message));
        error.name = name;
        if (stack) error.stack = stack;
        return error;
      }
      if ('url' in t) return keep(new URL(t.url as string));
      if ('m' in t) {
        const map = keep(new Map());
        for (const [k, x] of t.m as [Tree, Tree][]) map.set(walk(k), walk(x));
        return map;
      }
      if ('s' in t) {
        const set = keep(new Set());
        for (const x of t.s as Tree[]) set.add(walk(x));
        return set;
      }
      if ('ta' in t) {
        const Kind = (globalThis as Record<string, any>)[t.k as string];
        return keep(Kind.from((t.ta as Tree[]).map(walk)));
      }
      if ('a' in t) {
        const list = keep([] as unknown[]);
        for (const x of t.a as Tree[]) list.push(walk(x));
        return list;
      }
      const object = keep({} as Record<string, unknown>);
      for (const [k, x] of t.o as [string, Tree][]) object[k] = walk(x);
      return object;
    };
    return walk(tree);
  }

  /** JSON with every character past ASCII escaped: a lone surrogate survives the driver's JSON. */
  const ascii = (text: string) => text.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

  return {
    write: (value: unknown): string => ascii(JSON.stringify(describe(value))),
    read: (text: string): unknown => revive(JSON.parse(text) as Tree),
  };
}

export const { write, read } = codec();
