/**
 * What the page passes in becomes an input for the core: checked at the call (a bad name, properties
 * that cannot be serialised, a bad user id, bad page values or consent each get one warning here, and the
 * call is refused, so that nothing fails later, far from its cause), serialised now (the page may change
 * its objects afterwards), and given its ids: random UUIDs, which need the browser's crypto.
 */
import type { Place } from './core/context';
import { nameUuid, type Ids } from './core/ids';
import { describe, describeError, warn } from './log';
import type { ConsentState, PageValues } from './types';

/** An event name: a non-empty string. */
export function eventName(name: unknown): name is string {
  if (typeof name === 'string' && name) return true;
  warn('track needs an event name (a non-empty string)');
  return false;
}

/** An event's properties as JSON (serialising them is how circular or BigInt values are found), or undefined with a warning. */
export function propsJson(name: string, properties: unknown): string | undefined {
  try {
    if (properties !== undefined && (!properties || typeof properties !== 'object' || Array.isArray(properties))) {
      throw new TypeError('properties must be a plain object');
    }
    const props = JSON.stringify(properties || {});
    // A toJSON can turn an object into anything (a Date into a string, or null).
    if (props?.[0] !== '{') throw new TypeError('properties must serialise to a JSON object');
    return props;
  } catch (e) {
    return void warn(`event "${name.slice(0, 100)}" dropped: its properties cannot be serialised (${describeError(e)})`);
  }
}

/** A business user id: 1 to 255 characters, or null to forget it. */
export function userId(id: unknown): id is string | null {
  if (id === null || (typeof id === 'string' && id && id.length <= 255)) return true;
  warn('identify needs a user id (1 to 255 characters) or null');
  return false;
}

/** The page's own values for `page()`: strings or null, the URL made absolute; a bad one gets a warning and none is used. */
export function pageValues(own: unknown): PageValues | undefined {
  if (own == null) return;
  try {
    const { title, url, referrer } = own as PageValues;
    if (typeof own != 'object' || [title, url, referrer].some((v) => v != null && typeof v != 'string')) throw 0;
    return { title, url: url && new URL(url, location.href).href, referrer };
  } catch {
    return void warn('page(): title, url and referrer must be strings, url a valid URL; ignored');
  }
}

/** `setConsent`'s argument: one of the three states. */
export function consentState(state: unknown): state is ConsentState {
  if (state === 'granted' || state === 'pending' || state === 'denied') return true;
  warn(`setConsent needs 'granted', 'pending' or 'denied', not ${describe(state)}`);
  return false;
}

/** Where the page is now, or where the app says it is (`own`: checked by `pageValues`). */
export function readPlace(own: PageValues = {}): Place {
  const url = own.url ? new URL(own.url) : location;
  return { href: location.href, url: url.href, path: url.pathname, search: url.search, title: (own.title ?? document.title) || null, referrer: document.referrer };
}

/**
 * Random UUIDs (v4, RFC 9562), drawn 4 KB at a time: one `crypto.getRandomValues` call serves 256 ids,
 * where `crypto.randomUUID` costs ~2 µs per id on the `track()` path (and is missing outside secure
 * contexts, on plain-http pages).
 */
const POOL = 4096;
let pool = new Uint8Array(0);
let next = POOL;
/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

export const uuids: Ids = {
  fresh: () => {
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
