import type { Ids } from './rules';

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
    hex += ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, '0');
  }
  // version 8, variant 10xx
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * Random bytes for UUID v4 (RFC 9562), drawn 4 KB at a time: one `crypto.getRandomValues` call serves
 * 256 ids, where `crypto.randomUUID` costs ~2 µs per id on the `track()` path (and is missing outside
 * secure contexts, on plain-http pages).
 */
const POOL = 4096;
let pool = new Uint8Array(0);
let next = POOL;
/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

export const uuids: Ids = {
  random: () => {
    if (next >= POOL) {
      pool = crypto.getRandomValues(new Uint8Array(POOL));
      next = 0;
    }
    const b = pool;
    const i = next;
    next += 16;
    // version 4 (0100xxxx in byte 6), variant 10xx (byte 8)
    b[i + 6] = (b[i + 6] & 0x0f) | 0x40;
    b[i + 8] = (b[i + 8] & 0x3f) | 0x80;
    let id = '';
    for (let k = 0; k < 16; k++) id += (k === 4 || k === 6 || k === 8 || k === 10 ? '-' : '') + HEX[b[i + k]];
    return id;
  },
  derive: nameUuid,
};
