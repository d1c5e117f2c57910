/**
 * What the page passes in, checked at the call: a bad name, properties that cannot be serialised or
 * are too large, a bad user id each get one warning here and the call is refused, so that nothing
 * fails later, far from its cause. What passes becomes a raw event: serialised now, stamped with its
 * id, time, page and visibility.
 */
import type { PageSnapshot } from '../context';
import { byteLength } from '../delivery/outbox';
import { MAX_EVENT_BYTES } from '../delivery/batch';
import type { RawEvent } from '../event';
import { describeError, warn } from '../log';
import { uuids } from '../session/ids';
import type { PageValues } from '../types';

/** Properties past this are refused at `track` (the rest of an event takes well under 4 KB). */
const MAX_PROPERTY_BYTES = MAX_EVENT_BYTES - 4096;

/** An event name: a non-empty string. */
export function eventName(name: unknown): name is string {
  if (typeof name === 'string' && name) return true;
  warn('track needs an event name (a non-empty string)');
  return false;
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

/** An event with its properties serialised now, so that bad input is reported at the call; undefined when refused. */
export function rawEvent(name: string, properties: unknown, at: number, page: PageSnapshot, pageHidden: boolean): RawEvent | undefined {
  let props: string;
  try {
    if (properties !== undefined && (!properties || typeof properties !== 'object' || Array.isArray(properties))) {
      throw new TypeError('properties must be a plain object');
    }
    props = JSON.stringify(properties || {});
  } catch (e) {
    return void warn(`event "${name}" dropped: its properties cannot be serialised (${describeError(e)})`);
  }
  // A UTF-8 character takes at most 3 bytes: only long properties need counting.
  if (props.length > MAX_PROPERTY_BYTES / 3 && byteLength(props) > MAX_PROPERTY_BYTES) {
    return void warn(`event "${name}" dropped: its properties are over ${MAX_PROPERTY_BYTES} bytes`);
  }
  return { id: uuids.random(), name, at, props, page, pageHidden };
}
