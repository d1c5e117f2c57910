/**
 * The outbox in IndexedDB (`outbox.ts` decides what goes in and out). Entries are stored in chunks of about
 * one request each: one `put` per event costs ~90 µs of main thread in Chromium, so a burst of 1,000
 * events is one transaction of a few records, and a delivered batch mostly deletes whole chunks.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';

export interface Entry {
  id: string;
  /** tracked at (ms): the outbox is sent oldest first */
  at: number;
  appId: string;
  /** the event in the native JSON envelope */
  body: string;
  /** the key of the outbox chunk that holds it, once written */
  chunk?: IDBValidKey;
}

export interface OutboxStore {
  /** Writes entries (in chunks, one transaction); sets their `chunk`. */
  put(entries: Entry[]): Promise<void>;
  /** The keys of every chunk, whoever wrote it. */
  keys(): Promise<IDBValidKey[]>;
  /** The entries of these chunks. */
  get(chunks: IDBValidKey[]): Promise<Entry[]>;
  /** Deletes whole chunks, and these entries from the chunks that keep others. */
  remove(chunks: IDBValidKey[], entries: Entry[]): Promise<void>;
}

/** Characters per chunk, like bytes per request; and events per chunk. */
const CHUNK_CHARS = 59_000;
const CHUNK_EVENTS = 500;

/** Names a chunk by the random part of its key (arrays are compared by identity, names by value). */
export const chunkName = (key: IDBValidKey | undefined): string => (key ? '' + (key as unknown[])[2] : '');

/**
 * Chunk keys are arrays (IndexedDB sorts them after the session's string key): oldest first, then
 * random. Never the event id: tabs that find the same session over write the same `session_end` id
 * at the same time, and a shared key would let one tab's chunk overwrite another's.
 */
const chunkKey = (e: Entry): IDBValidKey => ['o', e.at, Math.random()];

export function idbOutbox(db: UseStore): OutboxStore {
  return {
    put(list) {
      const chunks: [IDBValidKey, Entry[]][] = [];
      let chars = Infinity;
      for (const e of list) {
        if (chars + e.body.length > CHUNK_CHARS || chunks[chunks.length - 1][1].length >= CHUNK_EVENTS) {
          chunks.push([chunkKey(e), []]);
          chars = 0;
        }
        const [key, entries] = chunks[chunks.length - 1];
        e.chunk = key;
        entries.push(e);
        chars += e.body.length;
      }
      return db('readwrite', (store) => {
        for (const [key, entries] of chunks) store.put(entries.map(({ id, at, appId, body }) => ({ id, at, appId, body })), key);
        return promisifyRequest(store.transaction);
      });
    },
    keys: () => db('readonly', (store) => promisifyRequest(store.getAllKeys())).then((keys) => keys.filter(Array.isArray)),
    get: (chunks) =>
      db('readonly', (store) => Promise.all(chunks.map((key) => promisifyRequest(store.get(key))))).then((lists) =>
        lists.flatMap((list, i) => (Array.isArray(list) ? list.filter((e) => e && typeof e.body == 'string').map((e) => ({ ...e, chunk: chunks[i] })) : [])),
      ),
    remove: (chunks, list) =>
      db('readwrite', (store) => {
        for (const key of chunks) store.delete(key);
        // Read, filter and write back in the transaction: tabs removing from one chunk never undo each other.
        const byChunk = new Map<string, [IDBValidKey, Set<string>]>();
        for (const e of list) {
          const name = chunkName(e.chunk);
          if (!byChunk.has(name)) byChunk.set(name, [e.chunk!, new Set()]);
          byChunk.get(name)![1].add(e.id);
        }
        for (const [key, ids] of byChunk.values()) {
          const read = store.get(key);
          read.onsuccess = () => {
            const rest = ((read.result as Entry[]) || []).filter((e) => !ids.has(e.id));
            if (rest.length) store.put(rest, key);
            else store.delete(key);
          };
        }
        return promisifyRequest(store.transaction);
      }),
  };
}
