/**
 * Delivery: at-least-once, one sender at a time, nothing unbounded, nothing sent twice in the normal course.
 *
 * Events are queued in memory and written to the outbox (when storage is allowed) at the end of the
 * task that tracked them; delivered and given-up entries leave it the same way, one transaction per
 * task. A short timer sends them in batches that stay under the 64 KB browsers allow in flight for
 * keepalive requests and beacons together (`batch.ts`). A batch leaves the outbox only when the
 * collector answers 2xx; network errors, 5xx, 408 and 429 are retried with backoff for up to a week;
 * other 4xx drop the batch, counted; 413 halves it. While offline nothing is tried. Sending never waits
 * for an outbox write, and a read of the outbox has a bound (`bounded.ts`).
 *
 * Tabs share the outbox: one tab at a time sends (`turn.ts`), and it sends every entry, its own,
 * other tabs' and those left by closed or crashed pages. When the page is hidden, what is left goes
 * out by beacon at once; a page that leaves marks what it sent (`sent-marks.ts`), since the browser
 * aborts the outbox transaction that would have removed it.
 */
import { warn } from '../log';
import type { Tabs } from '../tabs';
import { MAX_BATCH_EVENTS, pack, retryable, retryDelay } from './batch';
import type { Format } from './formats/format';
import { Outbox } from './outbox';
import { chunkName, type Entry, type OutboxStore } from './outbox-store';
import { beacon, post, type RequestOptions } from './transport';
import type { Turn } from './turn';

const FLUSH_AFTER = 1000;
export const MAX_QUEUE_EVENTS = 5000;
export const MAX_QUEUE_CHARS = 5_000_000;
const MAX_AGE = 7 * 86_400_000;

type Queued = Entry & { seq: number };

export class Sender {
  /** Entries known to this tab and not yet delivered, oldest first. */
  _queue: Queued[] = [];
  /** Characters queued: the bound on memory (bytes are counted where they matter, per request). */
  _chars = 0;
  _known = new Set<string>();
  _inflight = new Set<string>();
  /** Sent by beacon while delivery was failing: kept for a confirmed resend, not beaconed twice. */
  _beaconed = new Set<string>();
  /** Events given up on since the last batch, reported in it so that the loss is visible. */
  _dropped = 0;
  /** The queue overflowed at the last add: one warning per overflow, not one per event. */
  _full = false;
  _failures = 0;
  _retryAt = 0;
  _timer: ReturnType<typeof setTimeout> | 0 = 0;
  _busy = false;
  _seq = 0;
  _waiters: [number, () => void][] = [];
  _stopped = false;
  _onOnline = () => this._cycle();

  readonly _outbox: Outbox;

  constructor(
    readonly _url: string,
    readonly _format: Format,
    store: OutboxStore | null,
    readonly _tabs: Tabs | null,
    /** How the format's requests go (content type, cookies, headers). */
    readonly _request: RequestOptions = {},
    /** [issue 11/15] one sender at a time among the tabs that share the outbox (was the Web Lock `stint-send`) */
    readonly _turn: Turn | null = null,
  ) {
    this._outbox = new Outbox(store, (id) => this._known.has(id));
    addEventListener('online', this._onOnline);
    // Entries left by pages that closed or crashed before delivering them.
    if (store) this._schedule(0);
  }

  /** The `track()` path: appended, bounded, written at the end of the task, sent after a short timer. */
  _add(entry: Entry): void {
    // (a session_end another tab found too may be here already: its id is derived from the session's)
    if (this._known.has(entry.id)) return;
    const e = entry as Queued;
    e.seq = ++this._seq;
    this._known.add(e.id);
    this._queue.push(e);
    this._chars += e.body.length;
    if (this._queue.length > MAX_QUEUE_EVENTS || this._chars > MAX_QUEUE_CHARS) this._bound();
    else this._full = false;
    this._outbox._write(entry);
    if (!this._timer) this._schedule(FLUSH_AFTER);
  }

  /** Resolves once every entry queued so far is delivered or given up on. */
  _flush(): Promise<void> {
    return new Promise((resolve) => {
      this._waiters.push([this._seq, resolve]);
      this._settle();
      clearTimeout(this._timer);
      this._timer = 0;
      this._cycle();
    });
  }

  /** Another tab delivered these: forget them, and take it as news that the collector is back. */
  _sentElsewhere(ids: string[]): void {
    this._failures = 0;
    this._retryAt = 0;
    this._take(new Set(ids));
  }

  /** Stops sending; `clear` (consent withdrawn) also drops everything queued, so that nothing more is sent. */
  _stop(clear?: boolean): void {
    this._stopped = true;
    clearTimeout(this._timer);
    removeEventListener('online', this._onOnline);
    if (clear) {
      this._take(new Set(this._known));
      this._outbox._store = null;
    }
  }

  /**
   * The page is hidden (and may never come back): every entry that is not already in flight goes out by
   * beacon now. While delivery works, a beacon the browser accepted counts as delivered, so the normal
   * course sends nothing twice; while it is failing, beaconed entries stay in the outbox and are sent
   * again once the collector answers (the collector drops the duplicates by eventId). A page that is
   * `leaving` (pagehide) also counts its keepalive requests in flight as delivered: they outlive it.
   */
  _pageHidden(leaving: boolean): void {
    // Offline, a beacon is lost for sure: the outbox keeps the entries for the next start.
    const healthy = !this._failures && navigator.onLine !== false;
    let rest = navigator.onLine === false ? [] : this._queue.filter((e) => !this._inflight.has(e.id) && !this._beaconed.has(e.id));
    const sent: Entry[] = leaving && healthy ? this._queue.filter((e) => this._inflight.has(e.id)) : [];
    while (rest.length) {
      const [batch, body] = pack(rest, this._format, this._dropped);
      rest = rest.slice(batch.length);
      if (!body) {
        this._giveUp(batch, 'an event too large to send was dropped');
        continue;
      }
      if (!beacon(this._url, body, this._request)) break;
      this._dropped = 0;
      if (healthy) sent.push(...batch);
      else for (const e of batch) this._beaconed.add(e.id);
    }
    this._delivered(sent);
    // Now: the page may not live to the end of the task.
    this._outbox._commit(leaving);
  }

  /** Adds entries in time order (appending is the common case), then enforces the bounds. */
  _enqueue(list: Entry[]): void {
    let sort = false;
    for (const entry of list) {
      if (this._known.has(entry.id)) continue;
      const e = entry as Queued;
      e.seq = ++this._seq;
      sort = sort || (this._queue.length > 0 && e.at < this._queue[this._queue.length - 1].at);
      this._known.add(e.id);
      this._queue.push(e);
      this._chars += e.body.length;
    }
    if (sort) this._queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this._bound();
  }

  /**
   * Past the limits the oldest entries go, counted so that the next batch reports the loss. Cheap: a
   * splice at the front; their removal from the outbox joins the end-of-task transaction.
   */
  _bound(): void {
    let over = 0;
    let chars = this._chars;
    while (this._queue.length - over > MAX_QUEUE_EVENTS || chars > MAX_QUEUE_CHARS) chars -= this._queue[over++].body.length;
    if (over) {
      const gone = this._queue.splice(0, over);
      this._chars = chars;
      for (const e of gone) this._known.delete(e.id);
      this._lost(gone, this._full ? '' : `the outbox is full (${MAX_QUEUE_EVENTS} events): the oldest are dropped`);
    }
    this._full = over > 0;
  }

  /** Entries given up on: out of the queue, counted in the next batch's `dropped`. */
  _giveUp(list: Entry[], why: string): void {
    this._take(new Set(list.map((e) => e.id)));
    this._lost(list, why);
  }

  _lost(list: Entry[], why: string): void {
    if (why) warn(why);
    this._dropped += list.length;
    this._outbox._remove(list);
    this._settle();
  }

  /** Delivered: out of the queue here, out of the outbox, and out of the other tabs' queues. */
  _delivered(list: Entry[]): void {
    if (!list.length) return;
    const ids = list.map((e) => e.id);
    this._take(new Set(ids));
    this._tabs?._send({ k: 'sent', ids });
    this._outbox._remove(list);
  }

  /** Takes entries out of the queue (they are delivered or given up on). */
  _take(ids: Set<string>): void {
    this._queue = this._queue.filter((e) => !ids.has(e.id) || ((this._chars -= e.body.length), false));
    for (const id of ids) {
      this._known.delete(id);
      this._beaconed.delete(id);
    }
    this._settle();
  }

  _schedule(delay: number): void {
    if (this._timer || this._stopped) return;
    this._timer = setTimeout(
      () => {
        this._timer = 0;
        this._cycle();
      },
      Math.max(delay, this._retryAt - Date.now()),
    );
  }

  async _cycle(): Promise<void> {
    if (this._busy || this._stopped) return;
    if (navigator.onLine === false) return; // `online` brings us back
    if (Date.now() < this._retryAt) return this._schedule(0);
    this._busy = true;
    try {
      // [issue 11/15] Not a Web Lock: one held when a navigation starts keeps the page out of Firefox's bfcache.
      if (!this._outbox._store || !this._turn || (await this._turn._take())) await this._drain();
      else this._schedule(FLUSH_AFTER);
    } catch {
      // A database that failed: the next cycle tries again.
      this._schedule(FLUSH_AFTER);
    } finally {
      this._turn?._give();
      this._busy = false;
      this._settle();
    }
  }

  /** What other pages left in the outbox joins the queue; what another tab delivered leaves it. */
  async _read(): Promise<void> {
    const { entries, gone } = await this._outbox._read();
    if (gone.size) this._take(new Set(this._queue.filter((e) => gone.has(chunkName(e.chunk))).map((e) => e.id)));
    this._enqueue(entries);
  }

  /** Sends until the queue is empty or the collector fails. Runs in this tab's turn. */
  async _drain(): Promise<void> {
    // A stalled or broken database must not keep this page's own events from leaving: they go now, and
    // the outbox is read again at the next cycle.
    await this._read().catch(() => this._schedule(FLUSH_AFTER));
    let limit = MAX_BATCH_EVENTS;
    while (!this._stopped) {
      const now = Date.now();
      const old = this._queue.filter((e) => now - e.at > MAX_AGE);
      if (old.length) this._giveUp(old, `${old.length} events could not be delivered for a week; dropped`);
      const waiting = this._queue.filter((e) => !this._inflight.has(e.id));
      if (!waiting.length) return;
      const [batch, body] = pack(waiting.slice(0, limit), this._format, this._dropped);
      // One event that no request can carry is given up on, never left to block the others.
      if (!body) {
        this._giveUp(batch, 'an event too large to send was dropped');
        continue;
      }
      const dropped = this._dropped;
      this._dropped = 0;
      for (const e of batch) this._inflight.add(e.id);
      const { status, retryAfter, text } = await post(this._url, body, this._request);
      for (const e of batch) this._inflight.delete(e.id);
      if (status >= 200 && status < 300) {
        // (a limit learned from a 413 holds for the rest of this drain)
        this._failures = 0;
        this._retryAt = 0;
        this._delivered(batch);
        this._format.answer?.(text);
        continue;
      }
      this._dropped += dropped;
      if (status === 413 && batch.length > 1) {
        limit = Math.ceil(batch.length / 2);
      } else if (retryable(status)) {
        this._retryAt = Date.now() + retryDelay(++this._failures, retryAfter);
        this._schedule(0);
        return;
      } else {
        this._giveUp(batch, `the collector refused ${batch.length} events with HTTP ${status}; dropped`);
      }
    }
  }

  /** Resolves the flushes whose entries are all gone. */
  _settle(): void {
    if (!this._waiters.length) return;
    const first = this._queue.reduce((min, e) => Math.min(min, e.seq), Infinity);
    this._waiters = this._waiters.filter(([seq, resolve]) => (first > seq ? void resolve() : true));
  }
}
