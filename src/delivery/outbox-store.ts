/**
 * The outbox in IndexedDB, its own object store. What goes in and out, and in which chunk, is delivery's decision
 * (core/send/send-model.ts `chunked`, `remove`): chunks of about one request each, so that a burst of 1,000 events is
 * one transaction of a few records (one `put` per event costs ~90 µs of main thread in Chromium), and a delivered batch
 * mostly deletes whole chunks.
 */
import { promisifyRequest } from 'idb-keyval';
import type { Entry } from '../core/event';
import type { Chunks, Removal } from '../core/send/send-model';
import { finished, onSuccess, type StintDb } from '../ground/db';

export interface OutboxStore {
  /** Writes these chunks, each whole (one transaction). */
  put(chunks: Chunks): Promise<void>;
  /** The keys of every chunk, whoever wrote it. */
  keys(): Promise<string[]>;
  /** These chunks, each with what could be read of it. */
  get(keys: string[]): Promise<Chunks>;
  /** Deletes whole chunks, and these entries from the chunks that keep others (one transaction). */
  remove(list: Removal[]): Promise<void>;
}

/**
 * A chunk as stored: its entries as one JSON text (cloning one string into IndexedDB costs a fraction of
 * cloning hundreds of small objects), each entry's own fields embedded as an object, and the contexts they share
 * stored once (`c` indexes `contexts`).
 */
interface Chunk {
  contexts: string[];
  /**
   * `[{"id":…,"at":…,"appId":…,"c":…,`
   * `"e":{"name":…,"properties":…,"eventIndex":…,"visibility":…}},…]`
   */
  list: string;
}

interface Stored {
  id: string;
  at: number;
  appId: string;
  c: number;
  e: { name: string; properties: object; eventIndex: number; visibility: string };
}

/** The entries of a stored chunk; anything unreadable (written by something else, or damaged) is left out. */
function entriesOf(value: unknown): Entry[] {
  const entries: Entry[] = [];
  try {
    const { list, contexts } = value as Chunk;
    for (const s of JSON.parse(list) as Stored[]) {
      const ctx = contexts[s.c];
      const e = s.e;
      if (typeof s.id == 'string' && e && typeof e.name == 'string' && ctx)
        entries.push({
          id: s.id,
          at: s.at,
          appId: s.appId,
          name: e.name,
          props: JSON.stringify(e.properties || {}),
          index: e.eventIndex,
          hidden: e.visibility == 'background',
          ctx,
        });
    }
  } catch {
    // A damaged chunk reads as what could be read of it; one with nothing readable goes.
  }
  return entries;
}

/** Writes `entries` (with their shared contexts) as a chunk's value. */
function chunkOf(entries: Entry[]): Chunk {
  const index = new Map<string, number>();
  const contexts: string[] = [];
  const lines = entries.map((e) => {
    let c = index.get(e.ctx);
    if (c === undefined) index.set(e.ctx, (c = contexts.push(e.ctx) - 1));
    const visibility = e.hidden ? 'background' : 'foreground';
    const own = `"name":${JSON.stringify(e.name)},"properties":${e.props},"eventIndex":${e.index}`;
    const event = `{${own},"visibility":"${visibility}"}`;
    return `{"id":${JSON.stringify(e.id)},"at":${e.at},"appId":${JSON.stringify(e.appId)},"c":${c},"e":${event}}`;
  });
  return { contexts, list: `[${lines}]` };
}

export function idbOutbox(db: StintDb): OutboxStore {
  return {
    put: (chunks) =>
      db.outbox('readwrite', (store) => {
        for (const [key, entries] of chunks) store.put(chunkOf(entries), key);
        return finished(store.transaction);
      }),
    keys: () => db.outbox('readonly', (store) => promisifyRequest(store.getAllKeys())).then((all) => all.map(String)),
    get: (keys) =>
      db
        .outbox('readonly', (store) => Promise.all(keys.map((key) => promisifyRequest(store.get(key)))))
        .then((values) => values.map((value, i): Chunks[number] => [keys[i], entriesOf(value)])),
    remove: (list) =>
      db.outbox('readwrite', (store) => {
        for (const [key, ids, whole] of list) {
          if (whole) {
            store.delete(key);
            continue;
          }
          // One read and one write per chunk, at its first removal, for all of them: two reads of one chunk would each
          // write back what the other took out (test/sim seed 31484: a delivered event put back, and sent again).
          if (list.find(([k]) => k == key)![1] != ids) continue;
          // Read, filter and write back in the transaction: tabs removing from one chunk never undo each other.
          const read = store.get(key);
          // (a Set: a batch of 500 removed from a chunk of 1,000 is 500,000 comparisons as an array, 15 ms of the
          // main thread in `npm run bench`'s 1,000 events)
          const gone = new Set(list.flatMap(([k, more]) => (k == key ? more : [])));
          onSuccess(read, () => {
            const rest = entriesOf(read.result).filter((e) => !gone.has(e.id));
            if (rest.length) store.put(chunkOf(rest), key);
            else store.delete(key);
          });
        }
        return finished(store.transaction);
      }),
  };
}
