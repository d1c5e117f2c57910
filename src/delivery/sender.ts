/**
 * Delivery: at-least-once, one sender at a time, nothing unbounded, nothing sent twice in the normal course.
 *
 * Events are queued in memory and written to the outbox (when storage is allowed) at the end of the
 * task that tracked them; delivered and given-up entries leave it the same way, one transaction per
 * task. A short timer sends them in batches that stay under the 64 KB browsers allow in flight for
 * keepalive requests and beacons together (core/batch.ts). A batch leaves the outbox only when the
 * collector answers 2xx; network errors, 5xx, 408 and 429 are retried with backoff for up to a week;
 * other 4xx drop the batch, counted; 413 halves it. While offline nothing is tried. Sending never waits
 * for an outbox write, and a read of the outbox has a bound (`bounded.ts`).
 *
 * Tabs share the outbox: one tab at a time sends (`turn.ts`), and it sends every entry, its own,
 * other tabs' and those left by closed or crashed pages. When the page is hidden, what is left goes
 * out by beacon at once (`beacon`; what a leaving page sent, `outbox.ts`).
 */
import { MAX_AGE, MAX_BATCH_EVENTS, MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS, pack, retryable, retryDelay, retryEarly } from '../core/batch';
import type { Entry } from '../core/event';
import type { Answer, Batch, Format, RequestOptions } from '../core/formats/format';
import { warn } from '../log';
import type { Tabs } from '../tabs';
import { startOutbox } from './outbox';
import type { OutboxStore } from './outbox-store';
import { beacon, post } from './transport';
import type { Turn } from './turn';

const FLUSH_AFTER = 1000;

export interface SenderOptions {
  /** where batches go */
  url: string;
  format: Format;
  /** how its requests go (content type, cookies, headers) */
  request: RequestOptions;
  /** events lost before they could be queued (held past the bound): counted in the first batch's `dropped` */
  dropped: number;
  /** the outbox, where storage is allowed */
  store: OutboxStore | null;
  /** the site's tabs, told what was delivered (none when anonymous) */
  tabs: Tabs | null;
  /** one sender at a time among the tabs that share the outbox */
  turn: Turn | null;
  /** what the next batch says of the page: the pipeline's name for the visitor, the share of sessions that send */
  batch(): Pick<Batch, 'profile' | 'sampleRate'>;
  /** what the collector's answer to a delivered batch told the format */
  heard(answer: Answer): void;
}

export interface Sender {
  /** The `track()` path: appended, bounded, written at the end of the task, sent after a short timer. */
  add(entry: Entry): void;
  /** Resolves once every entry queued so far is delivered or given up on. */
  flush(): Promise<void>;
  /**
   * The page is hidden (and may never come back): every entry that is not already in flight goes out by
   * beacon now. While delivery works, a beacon the browser accepted counts as delivered, so the normal
   * course sends nothing twice; while it is failing, beaconed entries stay in the outbox and are sent
   * again once the collector answers (the collector drops the duplicates by eventId). A page that is
   * `leaving` (pagehide) also counts its keepalive requests in flight as delivered: they outlive it.
   */
  beacon(leaving: boolean): void;
  /** Another tab delivered these: forget them, and take it as news that the collector is back. */
  sentElsewhere(ids: string[]): void;
  /** The page is back in the foreground: a failing collector may be tried now rather than at the end of a long backoff (`retryEarly`). */
  retry(): void;
  /** Events lost before they could be queued (held past the bound): counted in the next batch's `dropped`. */
  lost(count: number): void;
  /**
   * The page is frozen (Page Lifecycle): what it holds goes by beacon, its requests in flight count as delivered
   * (they outlive the freeze), and it gives the turn back, since it cannot send until it runs again.
   */
  freeze(): void;
  /**
   * The page runs again after a freeze: another tab may have taken the turn and sent what this one holds
   * meanwhile. A claim or a send begun before the freeze is void (a send stops after its request); the next
   * claims the turn and reads the outbox first.
   */
  resume(): void;
  /** Stops sending; `clear` (consent withdrawn) also drops everything queued, so that nothing more is sent. */
  stop(clear?: boolean): void;
}

type Queued = Entry & { seq: number };

export function startSender(o: SenderOptions): Sender {
  /** Entries known to this tab and not yet delivered, oldest first. */
  let queue: Queued[] = [];
  /**
   * The entries before `head` are gone: the bound drops the oldest by moving it, since a splice at the front of
   * 5,000 entries costs tens of µs in Chromium, and past the bound every add drops one. `live()` compacts.
   */
  let head = 0;
  /** Characters queued: the bound on memory (bytes are counted where they matter, per request). */
  let chars = 0;
  const known = new Set<string>();
  const inflight = new Set<string>();
  /** Sent by beacon while delivery was failing: kept for a confirmed resend, not beaconed twice. */
  const beaconed = new Set<string>();
  /** Events given up on since the last batch, reported in it so that the loss is visible. */
  let dropped = o.dropped;
  /** The queue overflowed at the last add: one warning per overflow, not one per event. */
  let full = false;
  let failures = 0;
  /** The collector answered with a redirect, and has not accepted a batch since: said once. */
  let moved = false;
  let retryAt = 0;
  /** When the last failure was answered, and whether the collector said how long to wait (Retry-After). */
  let triedAt = 0;
  let told = false;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let busy = false;
  let seq = 0;
  /** Flushes waiting: each for the entries queued when it was asked (up to the `seq` `last`), `left` of them still queued. */
  let waiters: [last: number, left: number, resolve: () => void][] = [];
  let stopped = false;
  /** Bumped at a freeze and at resume: a claim or a drain begun before it is void. */
  let epoch = 0;
  /** The give-up of the request awaited now. */
  const replies = new Set<() => void>();
  const outbox = startOutbox(o.store, (id) => known.has(id));

  /**
   * These entries left the queue: the flushes that waited for them resolve once none of theirs is left. Counted,
   * not found by a scan of the queue: past the bound every add drops one, and must cost what an add costs.
   */
  const settle = (gone: Queued[]) => {
    if (!waiters.length) return;
    for (const w of waiters) for (const e of gone) if (e.seq <= w[0]) w[1]--;
    waiters = waiters.filter((w) => w[1] > 0 || void w[2]());
  };

  /** The entries in the queue (compacted: once per look at all of them, not once per add). */
  const live = () => {
    if (head) queue = queue.slice(head);
    head = 0;
    return queue;
  };

  /** Takes entries out of the queue (they are delivered or given up on). */
  const take = (ids: Set<string>) => {
    const gone: Queued[] = [];
    queue = live().filter((e) => !ids.has(e.id) || ((chars -= e.fields.length), gone.push(e), false));
    for (const id of ids) {
      known.delete(id);
      beaconed.delete(id);
    }
    settle(gone);
  };

  const lose = (list: Entry[], why: string) => {
    if (why) warn(why);
    dropped += list.length;
    outbox.remove(list);
  };

  /** Entries given up on: out of the queue, counted in the next batch's `dropped`. */
  const giveUp = (list: Entry[], why: string) => {
    take(new Set(list.map((e) => e.id)));
    lose(list, why);
  };

  /** Delivered: out of the queue here, out of the outbox, and out of the other tabs' queues. */
  const delivered = (list: Entry[]) => {
    if (!list.length) return;
    const ids = list.map((e) => e.id);
    take(new Set(ids));
    o.tabs?.send({ k: 'sent', ids });
    outbox.remove(list);
  };

  /**
   * Past the limits the oldest entries go, counted so that the next batch reports the loss. Cheap: `head`
   * moves (the queue is compacted once every 1,000 drops); their removal from the outbox joins the end-of-task
   * transaction.
   */
  const bound = () => {
    const from = head;
    while (queue.length - head > MAX_QUEUE_EVENTS || chars > MAX_QUEUE_CHARS) chars -= queue[head++].fields.length;
    const gone = queue.slice(from, head);
    if (head > 1000) live();
    for (const e of gone) known.delete(e.id);
    if (gone.length) lose(gone, full ? '' : `the outbox is full (${MAX_QUEUE_EVENTS} events): the oldest are dropped`);
    settle(gone);
    full = gone.length > 0;
  };

  /** Appends an entry this tab does not know yet; false when it knows it. */
  const push = (entry: Entry): boolean => {
    if (known.has(entry.id)) return false;
    const e = entry as Queued;
    e.seq = ++seq;
    known.add(e.id);
    queue.push(e);
    chars += e.fields.length;
    return true;
  };

  const wake = () => {
    timer = 0;
    cycle();
  };
  const schedule = (delay: number) => {
    if (!timer && !stopped) timer = setTimeout(wake, Math.max(delay, retryAt - Date.now()));
  };

  /** The first request's worth of `list` (core/batch.ts); an entry no request can carry is given up on, never left to block the others. */
  const cut = (list: Entry[]) => {
    const packed = pack(list, o.format, { dropped, sentAt: Date.now(), ...o.batch() });
    if (!packed.body) giveUp(packed.entries, 'an event too large to send was dropped');
    return packed;
  };

  /** What another tab delivered leaves the queue; what other pages left in the outbox joins it, in time order, within the bounds. */
  const read = async () => {
    const { entries, gone } = await outbox.read();
    if (gone.size) take(new Set(live().filter((e) => gone.has(e.chunk!)).map((e) => e.id)));
    let sort = false;
    // (appending is the common case: only an entry older than the one before it calls for a sort)
    for (const e of entries) if (push(e) && queue.length > 1 && e.at < queue[queue.length - 2].at) sort = true;
    if (sort) live().sort((a, b) => a.at - b.at || a.seq - b.seq);
    bound();
  };

  /** Sends until the queue is empty or the collector fails. Runs in this tab's turn. */
  const drain = async () => {
    // A stalled or broken database must not keep this page's own events from leaving: they go now, and
    // the outbox is read again at the next cycle.
    const began = epoch;
    await read().catch(() => schedule(FLUSH_AFTER));
    let limit = MAX_BATCH_EVENTS;
    while (!stopped) {
      if (began !== epoch) return schedule(0);
      const now = Date.now();
      const old = live().filter((e) => now - e.at > MAX_AGE);
      if (old.length) giveUp(old, `${old.length} events could not be delivered for a week; dropped`);
      const waiting = queue.filter((e) => !inflight.has(e.id));
      if (!waiting.length) return;
      const { entries: batch, body } = cut(waiting.slice(0, limit));
      if (!body) continue;
      const reported = dropped;
      dropped = 0;
      for (const e of batch) inflight.add(e.id);
      const { status, retryAfter, text, moved: redirect } = await post(o.url, body, o.request, replies);
      for (const e of batch) inflight.delete(e.id);
      if (status >= 200 && status < 300) {
        // (a limit learned from a 413 holds for the rest of this drain)
        failures = 0;
        retryAt = 0;
        moved = false;
        delivered(batch);
        const answer = o.format.answer?.(text);
        if (answer) o.heard(answer);
        continue;
      }
      dropped += reported;
      if (status === 413 && batch.length > 1) {
        limit = Math.ceil(batch.length / 2);
      } else if (retryable(status)) {
        if (redirect && !moved) warn(`the collector redirects: batches wait for its own URL (not ${o.url})`);
        moved ||= !!redirect;
        triedAt = Date.now();
        told = retryAfter !== null;
        retryAt = triedAt + retryDelay(++failures, retryAfter, Math.random());
        schedule(0);
        return;
      } else {
        giveUp(batch, `the collector refused ${batch.length} events with HTTP ${status}; dropped`);
      }
    }
  };

  const cycle = async () => {
    if (busy || stopped) return;
    if (navigator.onLine === false) return; // `online` brings us back
    if (Date.now() < retryAt) return schedule(0);
    busy = true;
    try {
      // Not a Web Lock: one held when a navigation starts keeps the page out of Firefox's back/forward cache
      // (turn.ts; https://github.com/w3c/web-locks/issues/81).
      const began = epoch;
      const mine = !outbox.kept || !o.turn || (await o.turn.claim());
      // (a claim that straddled a freeze may be another tab's turn by now: it was taken from a frozen page)
      if (began !== epoch) schedule(0);
      else if (mine) await drain();
      else schedule(FLUSH_AFTER);
    } catch {
      // A database that failed: the next cycle tries again.
      schedule(FLUSH_AFTER);
    } finally {
      o.turn?.give();
      busy = false;
    }
  };

  /** What is queued and not in flight goes by beacon now (see `Sender.beacon`). */
  const beaconQueue = (leaving: boolean) => {
    // Offline, a beacon is lost for sure: the outbox keeps the entries for the next start.
    const healthy = !failures && navigator.onLine !== false;
    let rest = navigator.onLine === false ? [] : live().filter((e) => !inflight.has(e.id) && !beaconed.has(e.id));
    const sent: Entry[] = leaving && healthy ? queue.filter((e) => inflight.has(e.id)) : [];
    while (rest.length) {
      const { entries: batch, body } = cut(rest);
      rest = rest.slice(batch.length);
      if (!body) continue;
      if (!beacon(o.url, body, o.request)) break;
      dropped = 0;
      if (healthy) sent.push(...batch);
      else for (const e of batch) beaconed.add(e.id);
    }
    delivered(sent);
    // Now: the page may not live to the end of the task.
    outbox.commit(leaving);
  };

  /** Tries now rather than at the end of a long backoff, when `retryEarly` says so. */
  const retry = () => {
    if (!retryEarly(Date.now(), retryAt, triedAt, told)) return;
    retryAt = 0;
    clearTimeout(timer);
    wake();
  };
  const onOnline = () => (retry(), cycle());
  addEventListener('online', onOnline);
  // Entries left by pages that closed or crashed before delivering them.
  if (o.store) schedule(0);

  return {
    add(entry) {
      // (a session_end another tab found too may be here already: its id is derived from the session's)
      if (!push(entry)) return;
      if (queue.length - head > MAX_QUEUE_EVENTS || chars > MAX_QUEUE_CHARS) bound();
      else full = false;
      outbox.write(entry);
      if (!timer) schedule(FLUSH_AFTER);
    },
    flush() {
      return new Promise((resolve) => {
        // (every entry queued now has a seq up to the last one given)
        if (queue.length > head) waiters.push([seq, queue.length - head, resolve]);
        else resolve();
        clearTimeout(timer);
        wake();
      });
    },
    beacon: beaconQueue,
    retry,
    lost: (count) => void (dropped += count),
    freeze() {
      beaconQueue(true);
      epoch++;
      o.turn?.give();
    },
    resume() {
      epoch++;
      schedule(0);
    },
    sentElsewhere(ids) {
      failures = 0;
      retryAt = 0;
      take(new Set(ids));
    },
    stop(clear) {
      stopped = true;
      clearTimeout(timer);
      removeEventListener('online', onOnline);
      // (a request in flight may still land: its entries stay in the outbox, and the next start sends them again)
      for (const giveUp of replies) giveUp();
      if (clear) {
        take(new Set(known));
        outbox.detach();
      }
      // What this task queued and removed is written now (none once detached), before the database closes.
      outbox.commit(false);
    },
  };
}
