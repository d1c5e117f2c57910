/** Session attributes: pure checks and updates, bounded so that the session cookie never overflows. */
import type { AttributeValue } from '../types';
import type { Attributes } from './state';

export const MAX_ATTRIBUTES = 50;
/**
 * Bytes that all attributes may take as stored (JSON, URI-escaped as in the cookie): about 1 KB of
 * plain JSON, and never enough to push the session cookie past the browser's 4 KB.
 */
export const MAX_ATTRIBUTE_BYTES = 1536;

/** The attributes with `key` set, or the reason why they cannot be. */
export function withAttribute(attrs: Attributes, key: unknown, value: unknown): Attributes | string {
  if (typeof key !== 'string' || !key) return 'a session attribute key must be a non-empty string';
  const type = typeof value;
  if (value !== null && type !== 'string' && type !== 'boolean' && !(type === 'number' && isFinite(value as number))) {
    return `session attribute "${key}" must be a string, finite number, boolean or null`;
  }
  const next = { ...attrs, [key]: value as AttributeValue };
  if (Object.keys(next).length > MAX_ATTRIBUTES) return `no more than ${MAX_ATTRIBUTES} session attributes; "${key}" ignored`;
  if (encodeURIComponent(JSON.stringify(next)).length > MAX_ATTRIBUTE_BYTES) {
    return `session attributes are limited to ${MAX_ATTRIBUTE_BYTES} bytes; "${key}" ignored`;
  }
  return next;
}

/** The attributes with `key` increased by `by`, or the reason why they cannot be. */
export function withIncrement(attrs: Attributes, key: unknown, by: unknown): Attributes | string {
  if (typeof key !== 'string' || !key) return 'a session attribute key must be a non-empty string';
  if (typeof by !== 'number' || !isFinite(by)) return 'incrementSessionAttribute needs a finite number';
  const current = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : 0;
  if (typeof current !== 'number') return `session attribute "${key}" is not a number; not incremented`;
  return withAttribute(attrs, key, current + by);
}
