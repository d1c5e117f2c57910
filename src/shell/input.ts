/**
 * What the page passes in becomes an input for the core: checked at the call (a bad name, properties
 * that cannot be serialised, a bad user id, bad page values or consent each get one warning here, and the
 * call is refused, so that nothing fails later, far from its cause), serialised now (the page may change
 * its objects afterwards), and given its ids: random UUIDs, which need the browser's crypto.
 */
import type { Place } from '../core/context';
import type { Seed } from '../core/ids';
import { describe, warn } from '../ground/log';
import type { ConsentState, PageValues } from '../ground/types';

/** An event name: a non-empty string. */
export function eventName(name: unknown): name is string {
  if (typeof name === 'string' && name) return true;
  warn(20, 'track');
  return false;
}

/**
 * An event's properties as JSON (serialising them is how circular or BigInt values are found), or undefined with a
 * warning.
 */
export function propsJson(name: string, properties: unknown): string | undefined {
  try {
    if (properties !== undefined && (!properties || typeof properties !== 'object' || Array.isArray(properties)))
      throw 0;
    const props = JSON.stringify(properties || {});
    // A toJSON can turn an object into anything (a Date into a string, or null).
    if (props?.[0] === '{') return props;
  } catch {
    // (circular, a BigInt, a toJSON that throws)
  }
  return void warn(21, `event "${name.slice(0, 100)}"`);
}

/** A business user id: 1 to 255 characters, or null to forget it. */
export function userId(id: unknown): id is string | null {
  if (id === null || (typeof id === 'string' && id && id.length <= 255)) return true;
  warn(22, 'identify');
  return false;
}

/**
 * The page's own values for `page()`: strings or null, the URL made absolute; a bad one gets a warning and none is
 * used.
 */
export function pageValues(own: unknown): PageValues | undefined {
  if (own == null) return;
  try {
    const { title, url, referrer } = own as PageValues;
    if (typeof own != 'object' || [title, url, referrer].some((v) => v != null && typeof v != 'string')) throw 0;
    return { title, url: url && new URL(url, location.href).href, referrer };
  } catch {
    return void warn(23, 'page');
  }
}

/** `setConsent`'s argument: one of the three states. */
export function consentState(state: unknown): state is ConsentState {
  if (state === 'granted' || state === 'pending' || state === 'denied') return true;
  warn(24, `setConsent(${describe(state)})`);
  return false;
}

/** Where the page is now, or where the app says it is (`own`: checked by `pageValues`). */
export function readPlace(own: PageValues = {}): Place {
  const url = own.url ? new URL(own.url) : location;
  return {
    href: location.href,
    url: url.href,
    path: url.pathname,
    search: url.search,
    title: (own.title ?? document.title) || null,
    referrer: document.referrer,
  };
}

/** The seed of the core's random ids (core/ids.ts `freshId`): 128 bits from the browser's crypto, on every page. */
export function randomSeed(): Seed {
  const w = crypto.getRandomValues(new Uint32Array(4));
  return [w[0], w[1], w[2], w[3]];
}
