/**
 * Delivery's queue, as its steps (send.ts) share it: entries in and out, the bound and its losses, the outbox's chunks
 * (which entries each holds, what is left of it), the flushes that wait, the next request's worth. Pure: the model
 * changes in place, the effects are pushed.
 */
import { MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS, pack } from './batch';
import { entryChars, type Entry } from '../event';
import type { Format } from '../formats/format';
import type { Chunks, Delivery, Queued, Removal, Shared } from './send-model';
import type { Fx } from './send-effect';

/** The entries in the queue (compacted: once per look at all of them, not once per add). */
export const live = (d: Delivery) => {
  if (d.head) d.queue = d.queue.slice(d.head);
  d.head = 0;
  return d.queue;
};

/**
 * These entries left the queue: the flushes that waited for them resolve once none of theirs is left. Counted,
 * not found by a scan of the queue: past the bound every add drops one, and must cost what an add costs.
 */
export function settle(d: Delivery, fx: Fx, gone: Queued[]) {
  if (!d.waiters.length) return;
  for (const w of d.waiters) for (const e of gone) if (e.seq <= w[0]) w[1]--;
  const done = d.waiters.filter((w) => w[1] <= 0).map((w) => w[2]);
  if (!done.length) return;
  d.waiters = d.waiters.filter((w) => w[1] > 0);
  fx.push(['settle', done]);
}

/** Takes entries out of the queue (they are delivered or given up on). */
export function take(d: Delivery, fx: Fx, ids: ReadonlySet<string>) {
  const gone: Queued[] = [];
  d.queue = live(d).filter((e) => !ids.has(e.id) || ((d.chars -= entryChars(e)), gone.push(e), false));
  for (const id of ids) {
    d.since?.add(id);
    d.known.delete(id);
    d.unconfirmed.delete(id);
    d.awaiting.delete(id);
  }
  settle(d, fx, gone);
}

/** Why entries are given up on: a message (log.ts), its code and where it comes from; none: said already. */
export type Why = [code: number, where: string] | null;

export function lose(d: Delivery, fx: Fx, list: Queued[], why: Why) {
  if (why) fx.push(['warn', ...why]);
  d.dropped += list.length;
  remove(d, fx, list);
}

/**
 * These entries leave the outbox: a chunk of which nothing is left goes whole, without being read back; of the others,
 * these entries (each chunk read, filtered and written back in the same transaction: outbox-store.ts).
 */
export function remove(d: Delivery, fx: Fx, list: Queued[]) {
  if (!list.length) return;
  const by: Record<string, string[]> = {};
  // (once a write failed, only the chunks written before are there)
  for (const e of list)
    for (const c of [e.chunk, ...(e.copies || [])])
      if (c && (d.kept || d.live[c] !== undefined)) (by[c] ||= []).push(e.id);
  const removals: Removal[] = Object.entries(by).map(([c, ids]) => {
    const left = d.live[c] === undefined ? 1 : (d.live[c] -= ids.length);
    if (left <= 0) (delete d.live[c], delete d.saved[c]);
    return [c, ids, left <= 0];
  });
  if (removals.length) fx.push(['remove', removals]);
}

/** Entries given up on: out of the queue, counted in the next batch's `dropped`. */
export function giveUp(d: Delivery, fx: Fx, list: Queued[], why: Why) {
  take(d, fx, new Set(list.map((e) => e.id)));
  lose(d, fx, list, why);
}

/** Delivered: out of the queue here, out of the outbox, and out of the other tabs' queues. */
export function delivered(d: Delivery, fx: Fx, list: Queued[], answered?: true) {
  if (!list.length) return;
  const ids = list.map((e) => e.id);
  take(d, fx, new Set(ids));
  fx.push(answered ? ['sent', ids, answered] : ['sent', ids]);
  remove(d, fx, list);
}

/**
 * Past the limits the oldest entries go, counted so that the next batch reports the loss. Cheap: `head` moves (the
 * queue is compacted once every 1,000 drops); their removal from the outbox joins the end-of-task transaction.
 */
export function bound(d: Delivery, fx: Fx) {
  const from = d.head;
  while (d.queue.length - d.head > MAX_QUEUE_EVENTS || d.chars > MAX_QUEUE_CHARS)
    d.chars -= entryChars(d.queue[d.head++]);
  const gone = d.queue.slice(from, d.head);
  if (d.head > 1000) live(d);
  for (const e of gone) d.known.delete(e.id);
  if (gone.length) lose(d, fx, gone, d.full ? null : [42, 'outbox']);
  settle(d, fx, gone);
  d.full = gone.length > 0;
}

/**
 * Appends an entry this tab does not know yet, in `chunk`; false when it knows it. The entry changes owner (no copy per
 * event): the session core made it for delivery alone, and what the outbox reads is its own.
 */
export function push(d: Delivery, entry: Entry, chunk: string): boolean {
  if (d.known.has(entry.id)) return false;
  const e = Object.assign(entry, { seq: ++d.seq, chunk }) as Queued;
  d.known.add(e.id);
  d.queue.push(e);
  d.chars += entryChars(e);
  if (chunk) d.live[chunk] = (d.live[chunk] || 0) + 1;
  return true;
}

/**
 * The outbox chunk of the entries a task queued, with its key: oldest first (keys sort as strings), then this page's
 * tag and count. One chunk per task: a burst of 1,000 events is one record (a `put` per event costs ~90 µs of main
 * thread in Chromium), and a batch delivered deletes it whole where it held that batch alone. Never the event id: tabs
 * that find the same session over write the same `session_end` id at the same time, and a shared key would let one
 * tab's chunk overwrite another's.
 */
export const chunkOf = (d: Delivery, list: Entry[]): Chunks[number] => [
  `${String(Math.max(0, list[0].at)).padStart(15, '0')}:${d.tag}${++d.chunks}`,
  list,
];

/** A `cycle` after `delay`, or at the end of the backoff if that is later. */
export function wait(d: Delivery, fx: Fx, at: number, delay: number) {
  if (!d.stopped) fx.push(['wait', Math.max(delay, d.retryAt - at)]);
}

/**
 * The first request's worth of `list` (batch.ts); an entry no request can carry is given up on, never left to block the
 * others.
 */
export function cut(d: Delivery, fx: Fx, list: Queued[], format: Format, at: number, shared: Shared) {
  const packed = pack(list, format, { dropped: d.dropped, sentAt: at, ...shared });
  if (!packed.body) giveUp(d, fx, packed.entries, [43, `event "${packed.entries[0].name.slice(0, 100)}"`]);
  return packed;
}
