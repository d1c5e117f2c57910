/**
 * What one request carries, and what to do when it fails: pure rules of delivery, kept apart from the
 * sender's state so that they read (and are tested) on their own.
 */
import type { Entry } from '../event';
import type { Batch, Format } from '../formats/format';

/** Bytes per request: under the 64 KiB that keepalive requests and beacons may have in flight together. */
export const MAX_BODY_BYTES = 60_000;
/** A single event past this is refused at `track`. */
export const MAX_EVENT_BYTES = 32_000;
export const MAX_BATCH_EVENTS = 500;
/**
 * What a request adds around each event's item, at most: a comma, and what the native format writes around it
 * (brackets, its time as an offset of up to 14 characters, and what the batch cannot imply, `,{"c":n,"i":n,"b":1}`).
 */
export const ITEM_BYTES = 56;
/** Events and characters that may wait to be sent (in the outbox, or held until consent and storage answer). */
export const MAX_QUEUE_EVENTS = 5000;
export const MAX_QUEUE_CHARS = 5_000_000;
/** An event not delivered for this long is given up on. */
export const MAX_AGE = 7 * 86_400_000;

const RETRY_FIRST = 1000;
const RETRY_MAX = 5 * 60_000;

/**
 * The answers that say the batch itself is wrong, not that the collector is away: sent again, it would be refused
 * again. Snowplow's trackers retry every status but these five (snowplow/snowplow-javascript-tracker,
 * libraries/tracker-core/src/emitter/index.ts: `dontRetryStatusCodes.concat([400, 401, 403, 410, 422])`). 413 is
 * final for the batch as it is: `reply` (send.ts) halves it, and drops a single event refused with it.
 */
const FINAL = [400, 401, 403, 410, 413, 422];

/**
 * Whether Stint sends a batch again after this answer (with backoff, for up to MAX_AGE): every failure that may pass
 * is retried, so that a collector misrouted during a deploy (a 404 for an hour), or not there yet in development,
 * loses nothing: a network error (0), a redirect (not followed: a 3xx), a 404, 408, 429, the 5xx. The FINAL answers
 * are not (the batch is dropped, and counted), nor is a 2xx (delivered).
 */
export const retryable = (status: number): boolean => (status < 200 || status >= 300) && !FINAL.includes(status);

/** Retry-After is either seconds or an HTTP date (read against the reply's time, `now`). */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const ms = /^\d+$/.test(header.trim()) ? +header * 1000 : Date.parse(header) - now;
  return isFinite(ms) ? Math.max(0, ms) : null;
}

/**
 * How long to wait after the `failures`-th failure in a row: Retry-After when the collector said, else an
 * exponential backoff with jitter (`random`, in [0, 1): a wait between half and all of it), so that tabs and
 * devices do not retry in step.
 */
export function retryDelay(failures: number, retryAfter: number | null, random: number): number {
  const backoff = Math.min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1));
  // (whole ms: a timer's delay is a whole number of ms, and a wait of the fraction left would fire at once, again and
  // again, until Date.now() passed it. The simulator, its timers' delays cut to whole ms as browsers do, spun there)
  return retryAfter === null ? Math.ceil(backoff * (0.5 + random / 2)) : Math.max(retryAfter, 500);
}

/** The collector's reply to a request. */
export interface Reply {
  /** HTTP status, or 0 when the request failed (network error, offline, CORS refusal, no answer in time). */
  status: number;
  /** the Retry-After header, if any (seconds or an HTTP date: read by the reply step, against its time) */
  retryAfter: string | null;
  /** the answer's body (a format may read it) */
  text: string;
  /** the collector answered with a redirect, not followed (status 0) */
  moved?: true;
  /**
   * the request failed while the browser was online (status 0): a refused connection, a collector that does not answer
   * this origin (CORS), or a blip (the browser tells none of them apart)
   */
  refused?: true;
  /**
   * not waited for any more (status 0): the page came back from the back/forward cache, where WebKit never settles a
   * request in flight (transport.ts `abandonReplies`); says nothing of the collector
   */
  abandoned?: true;
}

/**
 * Whether a failed answer says that nothing reaches the collector for a reason of configuration, and which: the code of
 * the message that says so in plain words (delivery/unreached.ts), or 0. A redirect (46); a network error while online
 * (47: a refused connection or a CORS refusal, which the browser tells apart from nothing, not even from a blip: so
 * only from the second in a row, `refusals`, and only before a batch `reached` the collector, after which it is an
 * outage or the network, not the configuration); no collector at the URL (48: 404, 405, or 501, a server that has no
 * POST); stint-collector refusing this page's origin (49: its 403 names `--origin`). What the answer does to the batch
 * is `retryable`'s, as ever.
 */
export const unreached = (answer: Reply, refusals: number, reached: number): number =>
  answer.moved
    ? 46
    : answer.refused
      ? refusals > 1 && !reached
        ? 47
        : 0
      : [404, 405, 501].includes(answer.status)
        ? 48
        : answer.status == 403 && answer.text.includes('--origin')
          ? 49
          : 0;

/** A failing collector is tried again before the end of a long backoff at most this often (see `retryEarly`). */
export const RETRY_EARLY = 30_000;

/**
 * Whether the page coming back to the foreground, or the network coming back, tries a failing collector now rather
 * than at `retryAt`: after a backoff of Stint's own (a collector's Retry-After is obeyed), when the last try is at
 * least RETRY_EARLY old. So a visitor who comes back after an outage is not kept waiting minutes, and a tab
 * switched every second is no flood.
 */
export const retryEarly = (now: number, retryAt: number, triedAt: number, told: boolean): boolean =>
  !told && now < retryAt && now - triedAt >= RETRY_EARLY;

/** What one request carries: its entries (the first ones of the list) and its body. */
export interface Packed<E extends Entry = Entry> {
  entries: E[];
  /** empty when the first entry alone cannot fit in any request (it must be given up on, not retried forever) */
  body: string;
}

/**
 * The first entries of `list` that fit in one request, and that request's body in `format`; `batch`: what they share.
 * Entries delivery keeps name their outbox chunk (`chunk`).
 */
export function pack<E extends Entry & { chunk?: string }>(
  list: readonly E[],
  format: Format,
  batch: Batch,
): Packed<E> {
  const items: string[] = [];
  // Shared contexts go once per batch: each counts the first time it is met.
  const contexts = new Set<string>();
  const group = format.group || ((e: Entry) => e.appId);
  const first = group(list[0]);
  let bytes = 200 + (format.overhead?.(list[0], batch) || 0);
  let n = 0;
  for (; n < list.length; n++) {
    const entry = list[n];
    const item = format.item(entry, batch);
    const ctx = entry.ctx;
    const size = byteLength(item) + ITEM_BYTES + (contexts.has(ctx) ? 0 : byteLength(ctx) + 1);
    if (!n && bytes + size > MAX_BODY_BYTES) return { entries: [entry], body: '' };
    // Items of a batch share its app id (Tracardi's: its session); an entry of another starts the next batch.
    if (n && (bytes + size > MAX_BODY_BYTES || entry.appId !== list[0].appId || group(entry) !== first)) break;
    bytes += size;
    contexts.add(ctx);
    items.push(item);
  }
  // End the batch where an outbox chunk ends, when one does, so that delivering it deletes whole chunks.
  let end = n;
  while (end < list.length && end > 1 && list[end].chunk && list[end].chunk === list[end - 1].chunk) end--;
  if (end > 1 && end < n) n = end;
  const entries = list.slice(0, n);
  return { entries, body: format.body(items.slice(0, n), entries, batch) };
}

/** UTF-8 length without allocating for the common, ASCII-only case. */
export function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? new TextEncoder().encode(text).length : text.length;
}
