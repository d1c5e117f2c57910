/**
 * The outbox in IndexedDB (`outbox.ts` decides what goes in and out). Entries are stored in chunks of about
 * one request each: one `put` per event costs ~90 µs of main thread in Chromium, so a burst of 1,000
 * events is one transaction of a few records, and a delivered batch mostly deletes whole chunks.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';
import { ITEM_BYTES, MAX_BATCH_EVENTS, MAX_BODY_BYTES } from './batch';

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
 * A chunk as stored: its entries as one JSON text (cloning one string into IndexedDB costs a fraction of
 * cloning hundreds of small objects), each entry's own JSON embedded as it is, and the contexts they
 * share stored once (`c` indexes `contexts`). An earlier version stored a plain array of whole entries,
 * which is still read.
 */
interface Chunk {
  contexts: string[];
  /** `[{"id":…,"at":…,"appId":…,"c":…,"e":<the entry's body>},…]` */
  list: string;
}

interface Stored {
  id: string;
  at: number;
  appId: string;
  c?: number;
  e?: unknown;
  /** (an earlier version's entry: its body as a string) */
  body?: string;
}

const line = (e: Entry, c: number | undefined) =>
  `{"id":"${e.id}","at":${e.at},"appId":${JSON.stringify(e.appId)}${c === undefined ? '' : `,"c":${c}`},"e":${e.body}}`;

/** The entries of a stored chunk, whichever version wrote it; anything unreadable is left out. */
function entriesOf(value: unknown, key: IDBValidKey): Entry[] {
  let list: Stored[] = [];
  let contexts: string[] = [];
  try {
    if (Array.isArray(value)) list = value;
    else if (value && typeof (value as Chunk).list == 'string') {
      list = JSON.parse((value as Chunk).list);
      contexts = (value as Chunk).contexts || [];
    }
  } catch {
    // A damaged chunk reads as empty, and goes.
  }
  const entries: Entry[] = [];
  for (const s of Array.isArray(list) ? list : []) {
    const body = s && (s.body ?? (s.e === undefined ? undefined : JSON.stringify(s.e)));
    if (typeof s?.id == 'string' && typeof body == 'string') entries.push({ id: s.id, at: s.at, appId: s.appId, body, ctx: s.c === undefined ? undefined : contexts[s.c], chunk: key });
  }
  return entries;
}

/** Writes `entries` (with their shared contexts) as a chunk's value. */
function chunkOf(entries: Entry[]): Chunk {
  const index = new Map<string, number>();
  const contexts: string[] = [];
  const lines = entries.map((e) => {
    let c = e.ctx === undefined ? undefined : index.get(e.ctx);
    if (e.ctx !== undefined && c === undefined) index.set(e.ctx, (c = contexts.push(e.ctx) - 1));
    return line(e, c);
  });
  return { contexts, list: `[${lines}]` };
}

/**
 * Characters per chunk, counted as `pack` counts a request's bytes (each event, plus what its request
 * adds around it, plus each context once), so that a chunk fits in one request: delivering it deletes it
 * whole, without reading it back. And events per chunk, as per request.
 */
const CHUNK_CHARS = MAX_BODY_BYTES - 1000;
const CHUNK_EVENTS = MAX_BATCH_EVENTS;

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
      const chunks: [IDBValidKey, Entry[], Set<string | undefined>][] = [];
      let chars = Infinity;
      for (const e of list) {
        let last = chunks[chunks.length - 1];
        const size = e.body.length + ITEM_BYTES + (last?.[2].has(e.ctx) ? 0 : (e.ctx?.length ?? 0) + 1);
        if (chars + size > CHUNK_CHARS || last[1].length >= CHUNK_EVENTS) {
          chunks.push((last = [chunkKey(e), [], new Set()]));
          chars = 200;
        }
        e.chunk = last[0];
        last[1].push(e);
        last[2].add(e.ctx);
        chars += size;
      }
      return db('readwrite', (store) => {
        for (const [key, entries] of chunks) store.put(chunkOf(entries), key);
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
            const rest = entriesOf(read.result, key).filter((e) => !ids.has(e.id));
            if (rest.length) store.put(chunkOf(rest), key);
            else store.delete(key);
          };
        }
        return promisifyRequest(store.transaction);
      }),
  };
}
