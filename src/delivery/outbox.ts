/**
 * The outbox follows the sender's queue: every entry is written to IndexedDB (`outbox-store.ts`) at
 * the end of the task that queued it, and removed at the end of the task that delivered it or gave it
 * up, one transaction each way. A chunk of which nothing is left goes whole, without being read back.
 *
 * A page that is leaving cannot count on a transaction to finish: the browser aborts it with the
 * document, and WebKit's back/forward cache leaves it pending. It marks what left instead,
 * synchronously (`sent-marks.ts`), and whoever reads those entries next removes them unsent.
 */
import { within } from '../bounded';
import { warn } from '../log';
import { chunkName, type Entry, type OutboxStore } from './outbox-store';
import { mark, readMarks, unmark } from './sent-marks';

/** How long a read of the outbox may take before sending goes on with what is in memory. */
const READ_WAIT = 3000;

export class Outbox {
  _unsaved: Entry[] = [];
  _removals: Entry[] = [];
  /** Entries not yet removed, per chunk this tab knows in full (written by it, or read). */
  _live = new Map<string, number>();
  /** Removed by a transaction that has not finished yet: a page that leaves now marks them too. */
  _removing = new Set<string>();
  /** Read with a sent mark: the mark goes once they are removed. */
  _marked = new Set<string>();
  _pending = false;

  constructor(
    public _store: OutboxStore | null,
    /** Whether an entry is still queued (one delivered before it was written is never written). */
    readonly _queued: (id: string) => boolean,
  ) {}

  _write(entry: Entry): void {
    if (!this._store) return;
    this._unsaved.push(entry);
    this._endOfTask();
  }

  _remove(list: Entry[]): void {
    if (!this._store || !list.length) return;
    this._removals.push(...list);
    this._endOfTask();
  }

  _endOfTask(): void {
    if (this._pending) return;
    this._pending = true;
    queueMicrotask(() => this._commit(false));
  }

  /** Writes and removes what this task queued; a `leaving` page marks its removals instead. */
  _commit(leaving: boolean): void {
    this._pending = false;
    const store = this._store;
    const fresh = this._unsaved.filter((e) => this._queued(e.id));
    const removals = this._removals.filter((e) => e.chunk);
    this._unsaved = [];
    this._removals = [];
    if (!store) return;
    if (fresh.length) {
      store.put(fresh).then(
        () => {
          for (const e of fresh) this._count(chunkName(e.chunk), 1);
        },
        () => {
          // Quota or a broken database: the events stay queued in memory and are still sent.
          warn('the outbox cannot be written; unsent events will not survive this page');
          this._store = null;
        },
      );
    }
    if (leaving) return mark([...this._removing, ...removals.map((e) => e.id)]);
    if (!removals.length) return;
    const whole = new Map<string, IDBValidKey>();
    const partial: Entry[] = [];
    for (const e of removals) {
      const name = chunkName(e.chunk);
      if (this._count(name, -1) === 0) whole.set(name, e.chunk!);
      else partial.push(e);
    }
    const marked = new Set(removals.filter((e) => this._marked.delete(e.id)).map((e) => e.id));
    const ids = removals.map((e) => e.id);
    for (const id of ids) this._removing.add(id);
    const done = () => ids.forEach((id) => this._removing.delete(id));
    store.remove([...whole.values()], partial.filter((e) => !whole.has(chunkName(e.chunk)))).then(() => (done(), unmark(marked)), done);
  }

  /** Adds `by` to a known chunk's live entries; the count left, or undefined for a chunk not known in full. */
  _count(name: string, by: number): number | undefined {
    const live = this._live.get(name);
    if (live === undefined) {
      if (by > 0) this._live.set(name, by);
      return by > 0 ? by : undefined;
    }
    if (live + by > 0) return this._live.set(name, live + by), live + by;
    this._live.delete(name);
    return 0;
  }

  /**
   * What other pages left, each chunk read once (bounded: a stalled database is not waited for): the
   * entries to send, and the chunks this tab knew that are gone (another tab delivered them). Entries
   * another page marked as sent are removed instead.
   */
  async _read(): Promise<{ entries: Entry[]; gone: Set<string> }> {
    const store = this._store;
    if (!store) return { entries: [], gone: new Set() };
    const keys = await within(store.keys(), READ_WAIT);
    const names = new Set(keys.map(chunkName));
    const gone = new Set([...this._live.keys()].filter((name) => !names.has(name)));
    for (const name of gone) this._live.delete(name);
    const unknown = keys.filter((key) => !this._live.has(chunkName(key)));
    if (!unknown.length) return { entries: [], gone };
    const read = await within(store.get(unknown), READ_WAIT);
    const marks = readMarks();
    for (const e of read) this._count(chunkName(e.chunk), 1);
    // A chunk with nothing readable in it (written by something else, or damaged) goes.
    const empty = unknown.filter((key) => !this._live.has(chunkName(key)));
    if (empty.length) store.remove(empty, []).catch(() => {});
    const sent = read.filter((e) => marks.has(e.id));
    for (const e of sent) this._marked.add(e.id);
    this._remove(sent);
    return { entries: read.filter((e) => !marks.has(e.id)), gone };
  }
}
