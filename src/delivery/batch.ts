/**
 * What one request carries, and what to do when it fails: pure rules of delivery, kept apart from the
 * sender's state so that they read (and are tested) on their own.
 */
import type { Format } from './formats/format';
import type { Entry } from './outbox-store';

/** Bytes per request: under the 64 KiB that keepalive requests and beacons may have in flight together. */
export const MAX_BODY_BYTES = 60_000;
/** A single event past this is refused at `track`. */
export const MAX_EVENT_BYTES = 32_000;
export const MAX_BATCH_EVENTS = 500;
/** What a request adds around each event: a comma, and the native format's `"c":n,` (a generous 9). */
export const ITEM_BYTES = 9;

const RETRY_FIRST = 1000;
const RETRY_MAX = 5 * 60_000;

/** Network errors (0), timeouts, throttling and server errors are worth another try; other answers are final. */
export const retryable = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * How long to wait after the `failures`-th failure in a row: Retry-After when the collector said, else an
 * exponential backoff with jitter (a random wait between half and all of it), so that tabs and devices do
 * not retry in step.
 */
export function retryDelay(failures: number, retryAfter: number | null): number {
  const backoff = Math.min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1));
  return retryAfter === null ? backoff * (0.5 + Math.random() / 2) : Math.max(retryAfter, 500);
}

/**
 * The first entries of `list` that fit in one request, and that request's body; an empty body when the
 * first entry alone cannot fit in any request (it must be given up on, not retried forever).
 */
export function pack(list: Entry[], format: Format, dropped: number): [Entry[], string] {
  const items: string[] = [];
  // Shared contexts go once per batch (in the native format): each counts the first time it is met.
  const contexts = new Set<string | undefined>([undefined]);
  let bytes = 200;
  let n = 0;
  const key = format.key || ((e: Entry) => e.appId);
  const first = key(list[0]);
  for (; n < list.length; n++) {
    const item = format.item(list[n]);
    const ctx = list[n].ctx;
    const size = byteLength(item) + ITEM_BYTES + (contexts.has(ctx) ? 0 : byteLength(ctx!) + 1);
    if (!n && bytes + size > MAX_BODY_BYTES) return [[list[0]], ''];
    // Items of a batch share the envelope's appId (Tracardi's: the session); an entry of another starts the next batch.
    if (n && (bytes + size > MAX_BODY_BYTES || key(list[n]) !== first)) break;
    bytes += size;
    contexts.add(ctx);
    items.push(item);
  }
  // End the batch where an outbox chunk ends, when one does, so that delivering it deletes whole chunks.
  let end = n;
  while (end < list.length && end > 1 && list[end].chunk && list[end].chunk === list[end - 1].chunk) end--;
  if (end > 1 && end < n) n = end;
  const batch = list.slice(0, n);
  return [batch, format.body(items.slice(0, n), list[0].appId, dropped, batch)];
}

/** UTF-8 length without allocating for the common, ASCII-only case. */
export function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? new TextEncoder().encode(text).length : text.length;
}
