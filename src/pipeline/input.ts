/**
 * What the page passes in, checked at the call: a bad name, properties that cannot be serialised or
 * are too large, a bad user id each get one warning here and the call is refused, so that nothing
 * fails later, far from its cause. What passes becomes a raw event: serialised now, stamped with its
 * id, time, page and visibility.
 */
import type { PageSnapshot } from '../context';
import { byteLength, MAX_EVENT_BYTES } from '../delivery/batch';
import type { RawEvent } from '../event';
import { describeError, warn } from '../log';
import { uuids } from '../session/ids';
import type { PageValues } from '../types';

/**
 * What an event carries besides its name, properties and page, at most: the session (~400 B), its
 * attributes (bounded at 1,536 B), UTM (5 values of at most 100 characters), the user id (255), the
 * device and time (~400 B) and the JSON around them. The page, the name and the properties are measured.
 */
const BOUNDED_PARTS = 4096;

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
    // A toJSON can turn an object into anything (a Date into a string, or null).
    if (props[0] !== '{') throw new TypeError('properties must serialise to a JSON object');
  } catch (e) {
    return void warn(`event "${name.slice(0, 100)}" dropped: its properties cannot be serialised (${describeError(e)})`);
  }
  // The whole event, as it will be sent, must fit in a request. The parts are JSON already, and a UTF-8
  // character takes at most 3 bytes: only long events need counting.
  const chars = name.length + props.length + page.json.length;
  if (chars > (MAX_EVENT_BYTES - BOUNDED_PARTS) / 3 && byteLength(JSON.stringify(name) + props + page.json) + BOUNDED_PARTS > MAX_EVENT_BYTES) {
    return void warn(`event "${name.slice(0, 100)}" dropped: it is over ${MAX_EVENT_BYTES} bytes (name, properties and page)`);
  }
  return { id: uuids.random(), name, at, props, page, pageHidden };
}
