/**
 * Delivery's model (plain data), the inputs it takes and the effects it asks for, and the queue's bookkeeping that
 * its steps share (send.ts). No browser global, no clock.
 */
import { MAX_BATCH_EVENTS, MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS, pack } from './batch';
import { entryChars, type Entry } from './event';
import type { Batch, Format } from './formats/format';

/** How long an event waits for others to join its batch. */
export const FLUSH_AFTER = 1000;

/** An entry in the queue, numbered in the order this tab learned of it (flushes wait up to a number). */
export type Queued = Entry & { seq: number };

/** What a batch says of the page besides its events: the pipeline's name for the visitor, the share of sessions that send. */
export type Shared = Pick<Batch, 'profile' | 'sampleRate'>;

/** The collector's reply to a request. */
export interface Reply {
  /** HTTP status, or 0 when the request failed (network error, offline, CORS refusal, no answer in time). */
  status: number;
  /** ms to wait, from a Retry-After header */
  retryAfter: number | null;
  /** the answer's body (a format may read it) */
  text: string;
  /** the collector answered with a redirect, not followed (status 0) */
  moved?: true;
}

/** One beacon's worth: its entries, its body, and the losses it reports (given back if the browser refuses it). */
export interface Beacon {
  entries: Entry[];
  body: string;
  dropped: number;
}

/** Delivery as this tab knows it: plain data (`structuredClone` copies it). */
export interface Delivery {
  /** Where batches go (named in the warning about a redirect). */
  url: string;
  /** Entries known to this tab and not yet delivered, oldest first. */
  queue: Queued[];
  /**
   * The entries before `head` are gone: the bound drops the oldest by moving it, since a splice at the front of
   * 5,000 entries costs tens of µs in Chromium, and past the bound every add drops one. `live` compacts.
   */
  head: number;
  /** Characters queued: the bound on memory (bytes are counted where they matter, per request). */
  chars: number;
  known: Set<string>;
  /** In the request awaited now. */
  inflight: Set<string>;
  /**
   * Not beaconed, kept for a confirmed send: sent by beacon while delivery was failing, or being sent by another tab
   * (which read them from the outbox: its request may be in flight when this page hides or leaves).
   */
  unconfirmed: Set<string>;
  /** Events given up on since the last batch, reported in the next so that the loss is visible. */
  dropped: number;
  /** What the request in flight reported of `dropped` (given back if it fails). */
  carried: number;
  /** The queue overflowed at the last add: one warning per overflow, not one per event. */
  full: boolean;
  /** Failures in a row. */
  failures: number;
  /** The collector answered with a redirect, and has not accepted a batch since: said once. */
  moved: boolean;
  /** No request before this (backoff). */
  retryAt: number;
  /** When the last failure was answered, and whether the collector said how long to wait (Retry-After). */
  triedAt: number;
  told: boolean;
  seq: number;
  /** Flushes waiting: each for the entries queued when it was asked (up to the `seq` `last`), `left` of them still queued. */
  waiters: [last: number, left: number, id: number][];
  /** Events per request in this drain (a 413 halves it). */
  limit: number;
  stopped: boolean;
}

/** What each input carries after its time, by its type. */
export interface SendInputs {
  /** `track()`'s path: the events of a task to deliver (the shell gives them at its end: one step for a burst) */
  add: [entries: Entry[]];
  /** resolve the waiter `id` once everything queued now is delivered or given up on */
  flush: [id: number];
  /** a wait of at least `delay` ms, or to the end of the backoff */
  later: [delay: number];
  /** the timer fired, or something asks for a send now */
  cycle: [online: boolean];
  /** the outbox was read (null: it failed, or did not answer in time): entries other pages left, and the chunks gone */
  read: [entries: Entry[] | null, gone: ReadonlySet<string>];
  /** this tab holds the turn: the next request, if any */
  next: [shared: Shared];
  /** the collector answered the request in flight; `random` in [0, 1) spreads the backoff */
  reply: [reply: Reply, random: number];
  /** the page is hidden; `leaving`: pagehide or a freeze, its requests in flight outlive it */
  beacon: [leaving: boolean, online: boolean, shared: Shared];
  /** the browser took the `sent` beacons and refused the rest (`effects` of `beacon`: its `healthy` is given back) */
  beaconed: [sent: Beacon[], refused: Beacon[], leaving: boolean, healthy: boolean];
  /** another tab delivered these */
  elsewhere: [ids: readonly string[]];
  /** another tab read these from the outbox and sends them (its `sending` effect) */
  sending: [ids: readonly string[]];
  /** the page is back in the foreground, or online */
  retry: [];
  /** events lost before they could be queued */
  lost: [count: number];
  /** stop sending; `clear`: consent withdrawn, drop everything */
  stop: [clear: boolean];
}

export type SendInput = { [T in keyof SendInputs]: readonly [type: T, at: number, ...rest: SendInputs[T]] }[keyof SendInputs];

/** What the shell does, in order. */
export type SendEffect =
  /** to the outbox, at the end of the task */
  | [type: 'write', list: Entry[]]
  /** out of the outbox, at the end of the task */
  | [type: 'remove', list: Entry[]]
  /** what this task wrote and removed, now; a `leaving` page marks its removals (outbox.ts) */
  | [type: 'commit', leaving: boolean]
  /** nothing more is written or removed */
  | [type: 'abandon']
  /** the other tabs forget these: delivered */
  | [type: 'sent', ids: string[]]
  /** the other tabs do not beacon these: this tab read them from the outbox and sends them */
  | [type: 'sending', ids: string[]]
  /** a `cycle` input after `ms`, unless one is set already */
  | [type: 'wait', ms: number]
  /** a `cycle` input now, in place of the one set */
  | [type: 'now']
  /** claim the turn, read the outbox (a `read` input), then ask `next` until it posts nothing */
  | [type: 'drain']
  /** the request to await (a `reply` input) */
  | [type: 'post', body: string]
  /** beacons, in order, until the browser refuses one (a `beaconed` input) */
  | [type: 'beacon', list: Beacon[], leaving: boolean, healthy: boolean]
  /** a delivered batch's answer, for the format */
  | [type: 'answered', text: string]
  /** these flushes resolve */
  | [type: 'settle', ids: number[]]
  /** a message (log.ts): its code, and where it comes from */
  | [type: 'warn', code: number, where: string];

/** A new model: `url`, where batches go; `dropped`, events lost before the sender started. */
export const delivery = (url: string, dropped: number): Delivery => ({
  url,
  queue: [],
  head: 0,
  chars: 0,
  known: new Set(),
  inflight: new Set(),
  unconfirmed: new Set(),
  dropped,
  carried: 0,
  full: false,
  failures: 0,
  moved: false,
  retryAt: 0,
  triedAt: 0,
  told: false,
  seq: 0,
  waiters: [],
  limit: MAX_BATCH_EVENTS,
  stopped: false,
});

export type Fx = SendEffect[];
export type SendStep<T extends keyof SendInputs> = (d: Delivery, fx: Fx, input: readonly [T, number, ...SendInputs[T]], format: Format) => void;

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
    d.known.delete(id);
    d.unconfirmed.delete(id);
  }
  settle(d, fx, gone);
}

/** Why entries are given up on: a message (log.ts), its code and where it comes from; none: said already. */
export type Why = [code: number, where: string] | null;

export function lose(d: Delivery, fx: Fx, list: Entry[], why: Why) {
  if (why) fx.push(['warn', ...why]);
  d.dropped += list.length;
  if (list.length) fx.push(['remove', list]);
}

/** Entries given up on: out of the queue, counted in the next batch's `dropped`. */
export function giveUp(d: Delivery, fx: Fx, list: Entry[], why: Why) {
  take(d, fx, new Set(list.map((e) => e.id)));
  lose(d, fx, list, why);
}

/** Delivered: out of the queue here, out of the outbox, and out of the other tabs' queues. */
export function delivered(d: Delivery, fx: Fx, list: Entry[]) {
  if (!list.length) return;
  const ids = list.map((e) => e.id);
  take(d, fx, new Set(ids));
  fx.push(['sent', ids], ['remove', list]);
}

/**
 * Past the limits the oldest entries go, counted so that the next batch reports the loss. Cheap: `head` moves (the
 * queue is compacted once every 1,000 drops); their removal from the outbox joins the end-of-task transaction.
 */
export function bound(d: Delivery, fx: Fx) {
  const from = d.head;
  while (d.queue.length - d.head > MAX_QUEUE_EVENTS || d.chars > MAX_QUEUE_CHARS) d.chars -= entryChars(d.queue[d.head++]);
  const gone = d.queue.slice(from, d.head);
  if (d.head > 1000) live(d);
  for (const e of gone) d.known.delete(e.id);
  if (gone.length) lose(d, fx, gone, d.full ? null : [42, 'outbox']);
  settle(d, fx, gone);
  d.full = gone.length > 0;
}

/** Appends an entry this tab does not know yet; false when it knows it. */
export function push(d: Delivery, entry: Entry): boolean {
  if (d.known.has(entry.id)) return false;
  const e = entry as Queued;
  e.seq = ++d.seq;
  d.known.add(e.id);
  d.queue.push(e);
  d.chars += entryChars(e);
  return true;
}

/** A `cycle` after `delay`, or at the end of the backoff if that is later. */
export function wait(d: Delivery, fx: Fx, at: number, delay: number) {
  if (!d.stopped) fx.push(['wait', Math.max(delay, d.retryAt - at)]);
}

/** The first request's worth of `list` (batch.ts); an entry no request can carry is given up on, never left to block the others. */
export function cut(d: Delivery, fx: Fx, list: Entry[], format: Format, at: number, shared: Shared) {
  const packed = pack(list, format, { dropped: d.dropped, sentAt: at, ...shared });
  if (!packed.body) giveUp(d, fx, packed.entries, [43, `event "${packed.entries[0].name.slice(0, 100)}"`]);
  return packed;
}
