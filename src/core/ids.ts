/** Where new ids come from: the core asks, the shell answers (random UUIDs need the browser's crypto). */
export interface Ids {
  /** A fresh random UUID. */
  fresh(): string;
  /** A UUID that is a function of `name` alone (name-based: see `nameUuid`). */
  derive(name: string): string;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
/** Two hex digits per byte value: a lookup costs a quarter of `toString(16)` with `padStart`, on the `track()` path. */
const BYTE = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));
const HEX = (n: number) => BYTE[n >>> 24] + BYTE[(n >>> 16) & 255] + BYTE[(n >>> 8) & 255] + BYTE[n & 255];

/** 32 hex digits as a UUID of `version`, variant 10xx (RFC 9562). */
const uuid = (hex: string, version: number) =>
  // (one template, no array: this runs for every event, on the `track()` path)
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(13, 16)}-` +
  `${'89ab'[parseInt(hex[16], 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20)}`;

/**
 * A name-based UUID (version 8, RFC 9562): four seeded 32-bit FNV-1a lanes over the name, each
 * finished with murmur3's fmix32. Not cryptographic, and not meant to be: it only has to give every
 * tab the same id for the same name. It stands in for uuid's v5, whose SHA-1 would cost 1.3 KB of
 * the tag's gzip budget.
 */
export function nameUuid(name: string): string {
  let hex = '';
  for (let lane = 1; lane < 5; lane++) {
    let h = Math.imul(0x811c9dc5, lane);
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    hex += HEX(h ^ (h >>> 16));
  }
  return uuid(hex, 8);
}

/**
 * The state of the core's random ids: four 32-bit words (xoshiro128**), seeded by the shell from the browser's crypto.
 */
export type Seed = readonly [number, number, number, number];

/**
 * A random UUID (v4, RFC 9562) from the model's seed, which moves on: xoshiro128** (Blackman and Vigna,
 * https://prng.di.unimi.it/xoshiro128starstar.c), four outputs for 128 bits. Kept in the model as data, so
 * that the model is plain data and a replayed log of inputs draws the same ids. Ids must be unique, not
 * secret: the 128-bit state is seeded with `crypto.getRandomValues` on every page.
 */
export function freshId(m: { seed: Seed }): string {
  let [a, b, c, d] = m.seed;
  let hex = '';
  for (let k = 0; k < 4; k++) {
    hex += HEX(Math.imul(rotl(Math.imul(b, 5), 7), 9));
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
  }
  m.seed = [a, b, c, d];
  return uuid(hex, 4);
}

/** The ids of a step: fresh ones drawn from the model's seed (which moves on), derived ones by name. */
export const idsOf = (m: { seed: Seed }): Ids => ({ fresh: () => freshId(m), derive: nameUuid });
