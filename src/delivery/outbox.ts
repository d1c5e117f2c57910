/**
 * The outbox follows the sender's queue: every entry is written to IndexedDB (`outbox-store.ts`) at
 * the end of the task that queued it, and removed at the end of the task that delivered it or gave it
 * up, one transaction each way. A chunk of which nothing is left goes whole, without being read back.
 *
 * A page that is leaving cannot count on a transaction to finish: the browser aborts it with the
 * document, and WebKit's back/forward cache leaves it pending (https://bugs.webkit.org/show_bug.cgi?id=315804;
 * what the spec leaves open: https://github.com/w3c/IndexedDB/issues/381). It marks what left instead,
 * synchronously (`sent-marks.ts`), and whoever reads those entries next removes them unsent.
 */
import type { Entry } from '../core/event';
import { warn } from '../log';
import { within } from './bounded';
import type { OutboxStore } from './outbox-store';
import { mark, readMarks, unmark } from './sent-marks';

/** How long a read of the outbox may take before sending goes on with what is in memory. */
const READ_WAIT = 3000;

export interface Outbox {
  /** Whether there is an outbox (storage allowed, and writable so far). */
  readonly kept: boolean;
  write(list: Entry[]): void;
  remove(list: Entry[]): void;
  /** Writes and removes what this task queued, now; a `leaving` page marks its removals instead. */
  commit(leaving: boolean): void;
  /**
   * What other pages left, each chunk read once (bounded: a stalled database is not waited for): the
   * entries to send, and the chunks this tab knew that are gone (another tab delivered them).
   */
  read(): Promise<{ entries: Entry[]; gone: Set<string> }>;
  /** Nothing more is written or removed (consent withdrawn: the database goes). */
  detach(): void;
}

/** `queued`: whether an entry is still queued (one delivered before it was written is never written). */
export function startOutbox(initial: OutboxStore | null, queued: (id: string) => boolean): Outbox {
  let store = initial;
  let unsaved: Entry[] = [];
  let removals: Entry[] = [];
  /** Entries not yet removed, per chunk this tab knows in full (written by it, or read). */
  const live = new Map<string, number>();
  /** Removed by a transaction that has not finished yet: a page that leaves now marks them too. */
  const removing = new Set<string>();
  /** Read with a sent mark: the mark goes once they are removed. */
  const marked = new Set<string>();
  let pending = false;

  /** Adds `by` to a known chunk's live entries; the count left, or undefined for a chunk not known in full. */
  const count = (chunk: string, by: number): number | undefined => {
    const n = live.get(chunk);
    if (n === undefined) {
      if (by > 0) live.set(chunk, by);
      return by > 0 ? by : undefined;
    }
    if (n + by > 0) return live.set(chunk, n + by), n + by;
    live.delete(chunk);
    return 0;
  };

  const endOfTask = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => commit(false));
  };

  const remove = (list: Entry[]) => {
    if (!store || !list.length) return;
    removals.push(...list);
    endOfTask();
  };

  const commit = (leaving: boolean) => {
    pending = false;
    const fresh = unsaved.filter((e) => queued(e.id));
    const gone = removals.filter((e) => e.chunk);
    unsaved = [];
    removals = [];
    if (!store) return;
    if (fresh.length) {
      store.put(fresh).then(
        () => {
          for (const e of fresh) count(e.chunk!, 1);
        },
        () => {
          // Quota or a broken database: the events stay queued in memory and are still sent.
          warn(40, 'outbox');
          store = null;
        },
      );
    }
    if (leaving) return mark([...removing, ...gone.map((e) => e.id)]);
    if (!gone.length) return;
    const whole = new Set<string>();
    const partial: Entry[] = [];
    for (const e of gone) {
      if (count(e.chunk!, -1) === 0) whole.add(e.chunk!);
      else partial.push(e);
    }
    const unmarked = new Set(gone.filter((e) => marked.delete(e.id)).map((e) => e.id));
    const ids = gone.map((e) => e.id);
    for (const id of ids) removing.add(id);
    const done = () => ids.forEach((id) => removing.delete(id));
    store.remove([...whole], partial.filter((e) => !whole.has(e.chunk!))).then(() => (done(), unmark(unmarked)), done);
  };

  return {
    get kept() {
      return !!store;
    },
    write(list) {
      if (!store) return;
      unsaved.push(...list);
      endOfTask();
    },
    remove,
    commit,
    async read() {
      const from = store;
      if (!from) return { entries: [], gone: new Set<string>() };
      const keys = await within(from.keys(), READ_WAIT);
      const names = new Set(keys);
      const gone = new Set([...live.keys()].filter((chunk) => !names.has(chunk)));
      for (const chunk of gone) live.delete(chunk);
      const unknown = keys.filter((key) => !live.has(key));
      if (!unknown.length) return { entries: [], gone };
      const read = await within(from.get(unknown), READ_WAIT);
      const marks = readMarks();
      for (const e of read) count(e.chunk!, 1);
      // A chunk with nothing readable in it (written by something else, or damaged) goes.
      const empty = unknown.filter((key) => !live.has(key));
      if (empty.length) from.remove(empty, []).catch(() => {});
      const sent = read.filter((e) => marks.has(e.id));
      for (const e of sent) marked.add(e.id);
      remove(sent);
      return { entries: read.filter((e) => !marks.has(e.id)), gone };
    },
    detach() {
      store = null;
    },
  };
}
