/**
 * The outbox follows delivery's decisions (core/send/send.ts): the chunks it writes at the end of the task that queued
 * them, and what leaves at the end of the task that delivered it or gave it up, one transaction each way; the write's
 * outcome is told back (`written`). What is removed before it was written is not written.
 *
 * A page that is leaving cannot count on a transaction to finish: the browser aborts it with the document, and
 * WebKit's back/forward cache leaves it pending (https://bugs.webkit.org/show_bug.cgi?id=315804; what the spec leaves
 * open: https://github.com/w3c/IndexedDB/issues/381). It marks what left instead, synchronously (`sent-marks.ts`), and
 * whoever reads those entries next removes them unsent.
 */
import type { Chunks, Removal, Verdicts } from '../core/send/send-model';
import { within } from './bounded';
import type { OutboxStore } from './outbox-store';
import { judgeLast, mark, readHandedOver, readMarks, unmark } from './sent-marks';

/** How long a read of the outbox may take before sending goes on with what is in memory. */
const READ_WAIT = 3000;

export interface Outbox {
  write(chunks: Chunks): void;
  remove(list: Removal[]): void;
  /** Writes and removes what this task asked for, now; a `leaving` page marks its removals instead. */
  commit(leaving: boolean): void;
  /**
   * What other pages left, but the chunks `known` (bounded: a stalled database is not waited for): the chunks to send,
   * the keys of every chunk there (those known that are gone, another tab delivered), and what leaving pages handed
   * over awaiting a verdict (sent-marks.ts).
   */
  read(known: string[]): Promise<{ chunks: Chunks; keys: string[]; handed: Verdicts['left']; marked: string[] }>;
  /** Nothing more is written or removed (consent withdrawn: the database goes). */
  detach(): void;
}

/**
 * What other pages left in the outbox, but the chunks `known` (see `Outbox.read`): what a leaving page sent (its marks)
 * is removed unsent, and what leaving pages handed over awaiting a verdict is judged by the site's last outcome where
 * no page did (one died judging it).
 */
async function readOthers(from: OutboxStore, known: string[]) {
  const keys = new Set(await within(from.keys(), READ_WAIT));
  const unknown = [...keys].filter((key) => !known.includes(key));
  const read = unknown.length ? await within(from.get(unknown), READ_WAIT) : [];
  judgeLast();
  const marks = readMarks();
  // What a leaving page sent (its marks) goes unsent; a chunk with nothing readable in it goes too.
  const sent: Removal[] = read.flatMap(([key, entries]): Removal[] => {
    const ids = entries.filter((e) => marks.has(e.id)).map((e) => e.id);
    return ids.length || !entries.length ? [[key, ids, ids.length === entries.length]] : [];
  });
  if (sent.length)
    from.remove(sent).then(
      () => unmark(new Set(sent.flatMap(([, ids]) => ids))),
      () => {},
    );
  const chunks = read
    .map(([key, entries]): Chunks[number] => [key, entries.filter((e) => !marks.has(e.id))])
    .filter(([, e]) => e.length);
  return { chunks, keys: [...keys], handed: readHandedOver(), marked: [...marks] };
}

/** `written`: how the outbox's writes of these chunks went (false: it failed, and writes nothing more). */
export function startOutbox(initial: OutboxStore | null, written: (keys: string[], ok: boolean) => void): Outbox {
  let store = initial;
  /** Writes stop at the first that fails; what was written is still read and removed (core/send/send.ts `written`). */
  let writable = true;
  let writes: Chunks = [];
  let removals: Removal[] = [];
  /** Removed by a transaction that has not finished yet: a page that leaves now marks them too. */
  const removing = new Set<string>();
  let pending = false;

  const endOfTask = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => commit(false));
  };

  const commit = (leaving: boolean) => {
    pending = false;
    const gone = new Map(removals.map(([chunk, ids, whole]) => [chunk, whole || new Set(ids)] as const));
    // (what was removed in the task that queued it is not written)
    const fresh = writes.flatMap(([key, entries]): Chunks => {
      const left = gone.get(key);
      const kept = left === true ? [] : entries.filter((e) => !left?.has(e.id));
      return kept.length ? [[key, kept]] : [];
    });
    const list = removals;
    writes = [];
    removals = [];
    if (!store) return;
    const keys = fresh.map(([key]) => key);
    if (fresh.length && writable)
      store.put(fresh).then(
        () => written(keys, true),
        () => ((writable = false), written(keys, false)),
      );
    const ids = list.flatMap(([, ids]) => ids);
    if (leaving) return mark([...removing, ...ids]);
    if (!list.length) return;
    for (const id of ids) removing.add(id);
    const done = () => ids.forEach((id) => removing.delete(id));
    // (a removal the disk refused, full: its entries are marked sent, as a leaving page's are, so that whoever reads
    // them next removes them unsent; test/sim seed 39524, a 2xx's removal refused and the events sent again later.
    // Not once consent is withdrawn: the database went, and nothing is stored: seed 13387)
    store.remove(list).then(
      () => (done(), unmark(new Set(ids))),
      () => (done(), store && mark(ids)),
    );
  };

  return {
    write(chunks) {
      if (!store || !writable) return;
      writes.push(...chunks);
      endOfTask();
    },
    remove(list) {
      if (!store) return;
      removals.push(...list);
      endOfTask();
    },
    commit,
    read: async (known) => (store ? readOthers(store, known) : { chunks: [], keys: [], handed: [], marked: [] }),
    detach() {
      store = null;
    },
  };
}
