/**
 * The persistent outbox: every event is written to IndexedDB at the end of the task that tracked it,
 * and removed only when the collector has answered 2xx for it. Entries are stored in chunks (one
 * record per ~request's worth of events) because one `put` per event costs ~90 µs of main thread
 * in Chromium: a burst of 1,000 events is one transaction of a few records, not 1,000.
 */
import { entries, promisifyRequest, setMany, type UseStore } from 'idb-keyval';

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
  put(entries: Entry[]): Promise<void>;
  remove(entries: Entry[]): Promise<void>;
  all(): Promise<Entry[]>;
}

/** Entries per chunk, and characters: about one request's worth, so a delivered batch mostly deletes whole chunks. */
const CHUNK_EVENTS = 100;
const CHUNK_CHARS = 60_000;

/**
 * Chunk keys are arrays (sorted after the session's string key): oldest first, then random. Never
 * the event id: tabs that find the same session over write the same `session_end` id at the same
 * time, and a shared key would let one tab's chunk overwrite another's.
 */
const chunkKey = (e: Entry): IDBValidKey => ['o', e.at, Math.random()];

const stored = ({ id, at, appId, body }: Entry) => ({ id, at, appId, body });

export function idbOutbox(db: UseStore): OutboxStore {
  return {
    put(list) {
      const chunks: [IDBValidKey, Entry[]][] = [];
      let chars = Infinity;
      for (const e of list) {
        const last = chunks[chunks.length - 1];
        if (chars + e.body.length > CHUNK_CHARS || last[1].length >= CHUNK_EVENTS) {
          chunks.push([chunkKey(e), []]);
          chars = 0;
        }
        const chunk = chunks[chunks.length - 1];
        e.chunk = chunk[0];
        chunk[1].push(e);
        chars += e.body.length;
      }
      return setMany(chunks.map(([key, list]) => [key, list.map(stored)]), db);
    },
    remove(list) {
      const byChunk = new Map<string, [IDBValidKey, Set<string>]>();
      for (const e of list) {
        if (!e.chunk) continue;
        const name = JSON.stringify(e.chunk);
        if (!byChunk.has(name)) byChunk.set(name, [e.chunk, new Set()]);
        byChunk.get(name)![1].add(e.id);
      }
      if (!byChunk.size) return Promise.resolve();
      // Read, filter and write back in one transaction: tabs removing from the same chunk never undo each other.
      return db('readwrite', (store) => {
        for (const [key, ids] of byChunk.values()) {
          const read = store.get(key);
          read.onsuccess = () => {
            const rest = ((read.result as Entry[]) || []).filter((e) => !ids.has(e.id));
            if (rest.length) store.put(rest, key);
            else store.delete(key);
          };
        }
        return promisifyRequest(store.transaction);
      });
    },
    all: () =>
      entries<IDBValidKey, Entry[]>(db).then((rows) => {
        const found: Entry[] = [];
        for (const [key, list] of rows) {
          if (!Array.isArray(key) || !Array.isArray(list)) continue;
          for (const e of list) if (e && typeof e.body === 'string') found.push({ ...e, chunk: key });
        }
        return found;
      }),
  };
}

/** UTF-8 length without allocating for the common, ASCII-only case. */
export function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? new TextEncoder().encode(text).length : text.length;
}
