/**
 * The outbox as the checks follow it (docs/delivery.md, "The outbox"): each event's write, the transaction of its own
 * page that put it (made in which task, committed, aborted by the page's going, aborted otherwise), and what the
 * outbox held of it, committed, from when to when, and how it left (removed, or erased with the database by a
 * withdrawal). The checks of losses (check-loss.ts) excuse by these facts, not by what a page might have done.
 */
import type { TxRecord } from './idb';
import type { Site, Tracked } from './site';

/** When the outbox held an event: from a commit to the commit that removed it, or the database's deletion. */
interface Span {
  from: number;
  to: number | null;
  how?: 'removed' | 'deleted';
}

export interface WriteView {
  /** the transaction of the event's own page that first asked to put it in the outbox (null: none was made) */
  writeOf(t: Tracked): TxRecord | null;
  /** the first transaction that asked to put `id` in the outbox: an event Stint recorded of its own, its page's */
  writerOf(id: string): TxRecord | null;
  /** the outbox held the event, committed, at `at` */
  inOutbox(id: string, at: number): boolean;
  /** the outbox ever held it */
  stored(id: string): boolean;
  /** when the database's deletion (a withdrawal) erased it from the outbox, or null */
  erasedAt(id: string): number | null;
  /** the outbox chunks that held it */
  chunksOf(id: string): string[];
  /** a write of `page`'s outbox that failed (aborted, not by the page's going) by `at`: its outbox is memory since */
  failedBy(page: string, at: number): TxRecord | null;
  /** `page` made a transaction of its sender (the outbox, the turn) in a task after `t`'s, before `until` */
  senderAfter(page: string, t: { at: number; task: number }, until: number): TxRecord | null;
  /** a transaction of `page` made at or after `from` that removes from (or rewrites) one of `chunks` */
  removalOf(page: string, from: number, chunks: string[]): TxRecord | null;
  /** each outbox write as it lands (site.onCommit) */
  commit(db: string, store: string, key: string, value: unknown): void;
}

const OUTBOX = 'outbox';
const idsIn = (value: unknown): string[] => {
  try {
    return (JSON.parse((value as { list: string }).list) as { id: string }[]).map((e) => e.id);
  } catch {
    // (not a chunk Stint wrote)
    return [];
  }
};

export function writeView(site: Site): WriteView {
  const { idb, loop } = site;
  const spans = new Map<string, Span[]>();
  const chunkIds = new Map<string, Set<string>>();
  const chunksOfId = new Map<string, Set<string>>();
  let deletions = 0;
  const open = (id: string, key: string) => {
    const list = spans.get(id) || [];
    spans.set(id, list);
    if (!list.some((s) => s.to === null)) list.push({ from: loop.now(), to: null });
    const keys = chunksOfId.get(id) || new Set();
    chunksOfId.set(id, keys);
    keys.add(key);
  };
  const close = (id: string, how: Span['how'], at = loop.now()) => {
    for (const s of spans.get(id) || []) if (s.to === null) Object.assign(s, { to: at, how });
  };
  /** The database's deletions since the last look: everything it held goes (the next database starts empty). */
  const deleted = () => {
    for (; deletions < idb.deletions.length; deletions++) {
      const d = idb.deletions[deletions];
      if (d.name !== 'stint') continue;
      for (const ids of chunkIds.values()) for (const id of ids) close(id, 'deleted', d.at);
      chunkIds.clear();
    }
  };
  /** Each transaction's outbox puts, as ids, by transaction (a transaction may ask for more later: read again). */
  const putIds = (tx: TxRecord) => tx.puts.filter((p) => p.store === OUTBOX).flatMap((p) => idsIn(p.value));
  const byPage = (page: string) => idb.transactions.filter((tx) => tx.page === page && tx.db === 'stint');
  const span = (id: string) => (deleted(), spans.get(id) || []);
  const firstPut = (key: string) =>
    idb.transactions.find((tx) => tx.db === 'stint' && tx.puts.some((p) => p.store === OUTBOX && p.key === key));

  return {
    writeOf: (t) =>
      byPage(t.page).find(
        (tx) => (tx.made > t.at || (tx.made === t.at && (tx.task ?? 0) >= t.task)) && putIds(tx).includes(t.id),
      ) ?? null,
    writerOf: (id) => idb.transactions.find((tx) => tx.db === 'stint' && putIds(tx).includes(id)) ?? null,
    inOutbox: (id, at) => span(id).some((s) => s.from <= at && (s.to === null || s.to > at)),
    stored: (id) => span(id).length > 0,
    erasedAt: (id) => span(id).find((s) => s.how === 'deleted')?.to ?? null,
    chunksOf: (id) => [...(chunksOfId.get(id) || [])],
    failedBy: (page, at) =>
      byPage(page).find(
        (tx) => tx.fate === 'aborted' && tx.cause !== 'gone' && tx.end! <= at && putIds(tx).length > 0,
      ) ?? null,
    senderAfter: (page, t, until) =>
      byPage(page).find(
        (tx) =>
          (tx.made > t.at || (tx.made === t.at && (tx.task ?? 0) > t.task)) &&
          tx.made < until &&
          tx.scope.some((s) => s === OUTBOX || s === 'turn'),
      ) ?? null,
    removalOf: (page, from, chunks) =>
      byPage(page).find(
        (tx) =>
          tx.made >= from &&
          (tx.deletes.some((d) => d.store === OUTBOX && chunks.includes(d.key)) ||
            // (or read to be written back: aborted before it wrote, seed 21194)
            tx.reads.some((r) => r.store === OUTBOX && chunks.includes(r.key)) ||
            // (a chunk written back without what left: not the put that wrote it first)
            tx.puts.some((p) => p.store === OUTBOX && chunks.includes(p.key) && firstPut(p.key) !== tx)),
      ) ?? null,
    commit(db, store, key, value) {
      deleted();
      if (db !== 'stint' || store !== OUTBOX) return;
      const before = chunkIds.get(key) || new Set<string>();
      const after = new Set(value === undefined ? [] : idsIn(value));
      for (const id of before) if (!after.has(id)) close(id, 'removed');
      for (const id of after) if (!before.has(id)) open(id, key);
      if (after.size) chunkIds.set(key, after);
      else chunkIds.delete(key);
    },
  };
}
