/** Session attributes: pure checks and updates, bounded so that the session cookie never overflows. */
import type { AttributeValue } from '../../ground/types';
import type { Attributes } from './state';

export const MAX_ATTRIBUTES = 50;
/**
 * Bytes that all attributes may take as stored (JSON, URI-escaped as in the cookie): about 1 KB of
 * plain JSON, and never enough to push the session cookie past the browser's 4 KB.
 */
export const MAX_ATTRIBUTE_BYTES = 1536;

/** Why an attribute cannot be set: a message (log.ts), its code and where it comes from. */
export type Refusal = [code: number, where: string];

/** The attributes with `key` set, or why they cannot be. */
export function withAttribute(attrs: Attributes, key: unknown, value: unknown): Attributes | Refusal {
  if (typeof key !== 'string' || !key) return [27, 'setSessionAttribute'];
  const where = `session attribute "${key.slice(0, 100)}"`;
  const type = typeof value;
  if (value !== null && type !== 'string' && type !== 'boolean' && !(type === 'number' && isFinite(value as number)))
    return [28, where];
  const next = { ...attrs, [key]: value as AttributeValue };
  if (Object.keys(next).length > MAX_ATTRIBUTES) return [29, where];
  return encodeURIComponent(JSON.stringify(next)).length > MAX_ATTRIBUTE_BYTES ? [30, where] : next;
}

/** The attributes with `key` increased by `by`, or why they cannot be. */
export function withIncrement(attrs: Attributes, key: unknown, by: unknown): Attributes | Refusal {
  if (typeof key !== 'string' || !key) return [27, 'incrementSessionAttribute'];
  if (typeof by !== 'number' || !isFinite(by)) return [31, 'incrementSessionAttribute'];
  const current = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : 0;
  if (typeof current !== 'number') return [32, `session attribute "${key.slice(0, 100)}"`];
  return withAttribute(attrs, key, current + by);
}
