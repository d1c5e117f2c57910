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
  /** the event's own fields, as JSON (a whole version-1 event, when left by an earlier version) */
  body: string;
  /** what it shares with the events around it, as JSON (one string for all of them): see `eventJson` */
  ctx?: string;
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

/**
 * A chunk as stored: its entries, with the contexts they share stored once (`c` is an index into
 * `contexts`). An earlier version stored a plain array of whole entries, which is still read.
 */
interface Chunk {
  contexts: string[];
  entries: { id: string; at: number; appId: string; body: string; c?: number }[];
}

/** The entries of a stored chunk, whichever version wrote it; anything unreadable is left out. */
function entriesOf(value: unknown, key: IDBValidKey): Entry[] {
  const chunk = value as Chunk;
  const list: Entry[] = Array.isArray(value) ? value : chunk && Array.isArray(chunk.entries) ? chunk.entries : [];
  const contexts = Array.isArray(value) ? [] : chunk?.contexts || [];
  return list
    .filter((e) => e && typeof e.id == 'string' && typeof e.body == 'string')
    .map(({ id, at, appId, body, c }: Entry & { c?: number }) => ({ id, at, appId, body, ctx: c === undefined ? undefined : contexts[c], chunk: key }));
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
      const chunks: [IDBValidKey, Chunk, Map<string, number>][] = [];
      let chars = Infinity;
      for (const e of list) {
        let last = chunks[chunks.length - 1];
        if (chars + e.body.length > CHUNK_CHARS || last[1].entries.length >= CHUNK_EVENTS) {
          chunks.push((last = [chunkKey(e), { contexts: [], entries: [] }, new Map()]));
          chars = 0;
        }
        const [key, chunk, index] = last;
        let c = e.ctx === undefined ? undefined : index.get(e.ctx);
        if (e.ctx !== undefined && c === undefined) {
          index.set(e.ctx, (c = chunk.contexts.push(e.ctx) - 1));
          chars += e.ctx.length;
        }
        e.chunk = key;
        chunk.entries.push({ id: e.id, at: e.at, appId: e.appId, body: e.body, c });
        chars += e.body.length;
      }
      return db('readwrite', (store) => {
        for (const [key, chunk] of chunks) store.put(chunk, key);
        return promisifyRequest(store.transaction);
      });
    },
    keys: () => db('readonly', (store) => promisifyRequest(store.getAllKeys())).then((keys) => keys.filter(Array.isArray)),
    get: (chunks) =>
      db('readonly', (store) => Promise.all(chunks.map((key) => promisifyRequest(store.get(key))))).then((values) =>
        values.flatMap((value, i) => entriesOf(value, chunks[i])),
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
            const value = read.result as Chunk | Entry[] | undefined;
            const all = Array.isArray(value) ? value : value?.entries || [];
            const rest = all.filter((e) => !ids.has(e.id));
            if (!rest.length) store.delete(key);
            else store.put(Array.isArray(value) ? rest : { ...value, entries: rest }, key);
          };
        }
        return promisifyRequest(store.transaction);
      }),
  };
}
