/**
 * The simulator's only source of chance: a seeded generator (xoshiro128**, as src/core/ids.ts), so that one seed is
 * one execution, replayed byte for byte. Each concern draws from a stream of its own (`fork`): the schedule of what
 * people do, and each page's `Math.random` and crypto, so that dropping an action from a schedule does not change
 * the latencies drawn for another page's requests more than it must.
 */
export interface Random {
  /** [0, 1) */
  next(): number;
  /** an integer in [0, n) */
  int(n: number): number;
  /** an integer in [min, max] */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  /** a stream of its own, named: the same name from the same seed gives the same stream */
  fork(name: string): Random;
  /** four 32-bit words, for a page's crypto */
  words(n: number): number[];
}

/** FNV-1a of a string, for stream names. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** splitmix32: spreads one number into a generator's state. */
function splitmix(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function random(seed: number): Random {
  const mix = splitmix(seed);
  let [a, b, c, d] = [mix(), mix(), mix(), mix()];
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  const u32 = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = () => u32() / 2 ** 32;
  const self: Random = {
    next,
    int: (n) => Math.floor(next() * n),
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    fork: (name) => random(hash(name, seed)),
    words: (n) => Array.from({ length: n }, u32),
  };
  return self;
}
