/**
 * Delivery's model (plain data) and the inputs it takes (its effects: send-effect.ts; its steps: send.ts; the queue's
 * bookkeeping they share: send-queue.ts). It owns its queue: each entry as it keeps it (a copy of what the session core
 * gave, with its place in the queue and the outbox chunk that holds it), and the chunks it knows; no adapter changes an
 * entry. No browser global, no clock.
 */
import { MAX_BATCH_EVENTS, type Reply } from './batch';
import type { Entry } from '../event';
import type { Batch } from '../formats/format';

/** How long an event waits for others to join its batch. */
export const FLUSH_AFTER = 1000;

/**
 * How long a 2xx says that delivery works, for a beacon to count as delivered (send.ts `works`): past that, a beacon's
 * events stay in the outbox and are sent again (maybe twice: the collector drops the repeat by eventId).
 */
export const TRUST = 5 * 60_000;

/**
 * The last delivery outcome known: a 2xx (true) or a failure (false: a retryable answer, no answer, the browser going
 * offline), and when. The site's pages share theirs (the shell keeps it in localStorage), so that a page that has sent
 * nothing yet knows what the others learned.
 */
export type Outcome = [ok: boolean, at: number, seq?: number];

/**
 * What the site's pages hold of the entries that await a verdict (delivery/sent-marks.ts): those still handed over, by
 * when they left, and those judged to be sent again; one in neither was judged sent (verdict.ts).
 */
export interface Verdicts {
  /**
   * each hand-over: when its entries left, their ids, the site's outcomes shared by then (`Outcome` `seq`), and 1 where
   * an outcome refuted it that the site's pages could not record otherwise (sent again: delivery/sent-marks.ts)
   */
  left: readonly [at: number, ids: readonly string[], seq?: number, refuted?: 1][];
  again: readonly string[];
  /** the site's last outcome: a failure soon after a hand-over still there is its verdict (its page died judging) */
  outcome: Outcome | null;
}

/**
 * An entry in the queue, as delivery keeps it: numbered in the order this tab learned of it (flushes wait up to a
 * number), and the key of the outbox chunk that holds it ('' where there is no outbox).
 */
/** `copies`: the other chunks read whole that hold it too (a `session_end` two tabs found): it leaves them too. */
export type Queued = Entry & { seq: number; chunk: string; copies?: string[] };

/** Entries as the outbox keeps them: in chunks of about one request each, by key (oldest first, then unique). */
export type Chunks = [key: string, entries: Entry[]][];

/** What leaves an outbox chunk: these entries, or (`whole`) the chunk, of which nothing else is left. */
export type Removal = [chunk: string, ids: string[], whole: boolean];

/** What a batch says of the page besides its events: the pipeline's name for the visitor, the share that sends. */
export type Shared = Pick<Batch, 'profile' | 'sampleRate'>;

/** One beacon's worth: its entries, its body, and the losses it reports (given back if the browser refuses it). */
export interface Beacon {
  entries: Queued[];
  body: string;
  dropped: number;
}

/** Delivery as this tab knows it: plain data (`structuredClone` copies it). */
export interface Delivery {
  /** Where batches go. */
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
  /** Entries not yet removed, per outbox chunk this tab knows in full (it wrote it, or read it whole). */
  live: Record<string, number>;
  /** The chunks known to be in the outbox (written, or read): one no longer there was delivered by another tab. */
  saved: Record<string, true>;
  /** The chunks known in the outbox as the drain reads its keys (which may miss one written since: it landed after). */
  asked: string[];
  /** Where there is an outbox (storage allowed, writable so far). */
  kept: boolean;
  /** This page's part of the chunks' keys (random, from the shell), and how many it made. */
  tag: string;
  chunks: number;
  /** In the request awaited now. */
  inflight: Set<string>;
  /**
   * Left by beacon, or in flight as the page left, while delivery worked: each entry's id and when it left, until the
   * site's next delivery outcome says what became of it (verdict.ts). Not sent meanwhile.
   */
  awaiting: Map<string, number>;
  /**
   * Not beaconed, kept for a confirmed send: sent by beacon while delivery was failing, or being sent by another tab
   * (which read them from the outbox: its request may be in flight when this page hides or leaves).
   */
  unconfirmed: Set<string>;
  /** What left the queue during the outbox's read (null: none under way): not brought back by it (test/sim 5879). */
  since: Set<string> | null;
  /** Writes unanswered as the page came back, and until when a drain waits for them (send-away.ts `back`). */
  unanswered: [chunks: string[], until: number] | null;
  /** Events given up on since the last batch, reported in the next so that the loss is visible. */
  dropped: number;
  /** What the request in flight reported of `dropped` (given back if it fails). */
  carried: number;
  /** The queue overflowed at the last add: one warning per overflow, not one per event. */
  full: boolean;
  /** Failures in a row. */
  failures: number;
  /** Network errors in a row while the browser was online (`Reply` `refused`). */
  refusals: number;
  /** The last delivery outcome this page knows (its own answers, another tab's delivery): see `Outcome`. */
  outcome: Outcome | null;
  /**
   * What this page said of a collector nothing reaches (batch.ts `unreached`), each message once: bit `1 << code` (46
   * to 49: bits 14 to 17, as JavaScript shifts); and bit 1, a batch reached the collector.
   */
  said: number;
  /** No request before this (backoff). */
  retryAt: number;
  /** When the last failure was answered, and whether the collector said how long to wait (Retry-After). */
  triedAt: number;
  told: boolean;
  seq: number;
  /** Flushes waiting: each for the entries queued as it was asked (up to the `seq` `last`), `left` of them queued. */
  waiters: [last: number, left: number, id: number][];
  /** Events per request in this drain (a 413 halves it). */
  limit: number;
  stopped: boolean;
  /** A drain runs (its claim, its read, its requests); `missed`: a cycle was asked for meanwhile, run once it ends. */
  draining: boolean;
  missed: boolean;
}

/** What each input carries after its time, by its type. */
export interface SendInputs {
  /** `track()`'s path: the events of a task to deliver (the shell gives them at its end: one step for a burst) */
  add: [entries: Entry[]];
  /** resolve the waiter `id` once everything queued now is delivered or given up on */
  flush: [id: number];
  /** a wait of at least `delay` ms, or to the end of the backoff */
  later: [delay: number];
  /**
   * the timer fired, or something asks for a send now; `shared`, while entries await a verdict: what the site's pages
   * hold of them (verdict.ts)
   */
  cycle: [online: boolean, shared?: Verdicts | null];
  /** the drain, in this tab's turn, reads the outbox's keys now (a claim may have waited a second for a roll call) */
  reading: [];
  /** the drain ended (done, failed, or void) */
  drained: [];
  /**
   * the outbox was read (null: it failed, or did not answer in time): the chunks other pages left, and every key there;
   * `handed`, what leaving pages handed over awaiting a verdict; `marked`, the ids leaving pages sent (sent-marks.ts)
   */
  read: [chunks: Chunks | null, keys: readonly string[], handed?: Verdicts['left'], marked?: readonly string[]];
  /** the outbox's write of these chunks answered: false, it failed (quota, a broken database): no outbox from now on */
  written: [keys: string[], ok: boolean];
  /** this tab holds the turn: the next request, if any */
  next: [shared: Shared];
  /**
   * the collector answered the request in flight; `random` in [0, 1) spreads the backoff; `shared`, as for `cycle`
   */
  reply: [reply: Reply, random: number, shared?: Verdicts | null];
  /**
   * the page is hidden; `leaving`: pagehide or a freeze, its requests in flight outlive it; `site`: the last outcome
   * the site's pages shared (null: none)
   */
  beacon: [leaving: boolean, online: boolean, shared: Shared, site: Outcome | null];
  /** the browser took the `sent` beacons and refused the rest (`effects` of `beacon`: its `healthy` is given back) */
  beaconed: [sent: Beacon[], refused: Beacon[], leaving: boolean, healthy: boolean];
  /**
   * another tab delivered these; `answered`: the collector has just answered it with a 2xx (not a verdict: verdict.ts)
   */
  elsewhere: [ids: readonly string[], answered?: boolean];
  /** another tab read these from the outbox and sends them (its `sending` effect) */
  sending: [ids: readonly string[]];
  /** the page is back in the foreground, or online */
  retry: [];
  /**
   * the browser went offline (`since`: at that time, before the sender started): no delivery is known to work from
   * then on; `shared`, as for `cycle`
   */
  offline: [shared?: Verdicts | null, since?: number];
  /** the page runs again (a resume, a restore): the site's other pages may have delivered what it holds meanwhile */
  back: [];
  /** events lost before they could be queued */
  lost: [count: number];
  /** stop sending; `clear`: consent withdrawn, drop everything */
  stop: [clear: boolean];
}

export type SendInput = {
  [T in keyof SendInputs]: readonly [type: T, at: number, ...rest: SendInputs[T]];
}[keyof SendInputs];

/**
 * A new model: `url`, where batches go; `dropped`, events lost before the sender started; `kept`, whether there is an
 * outbox; `tag`, this page's part of the outbox chunks' keys (random: two pages never make the same key).
 */
export const delivery = (url: string, dropped: number, kept = false, tag = ''): Delivery => ({
  url,
  queue: [],
  head: 0,
  chars: 0,
  known: new Set(),
  live: {},
  saved: {},
  asked: [],
  kept,
  tag,
  chunks: 0,
  inflight: new Set(),
  awaiting: new Map(),
  unconfirmed: new Set(),
  since: null,
  unanswered: null,
  dropped,
  carried: 0,
  full: false,
  failures: 0,
  refusals: 0,
  outcome: null,
  said: 0,
  retryAt: 0,
  triedAt: 0,
  told: false,
  seq: 0,
  waiters: [],
  limit: MAX_BATCH_EVENTS,
  stopped: false,
  draining: false,
  missed: false,
});
