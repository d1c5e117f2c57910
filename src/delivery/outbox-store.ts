/**
 * The outbox in IndexedDB, its own object store (`outbox.ts` decides what goes in and out). Entries are
 * stored in chunks of about one request each: one `put` per event costs ~90 µs of main thread in
 * Chromium, so a burst of 1,000 events is one transaction of a few records, and a delivered batch mostly
 * deletes whole chunks.
 */
import { promisifyRequest } from 'idb-keyval';
import { ITEM_BYTES, MAX_BATCH_EVENTS, MAX_BODY_BYTES } from '../core/batch';
import { entryChars, type Entry } from '../core/event';
import { finished, onSuccess, type StintDb } from '../db';

export interface OutboxStore {
  /** Writes entries (in chunks, one transaction); sets their `chunk`. */
  put(entries: Entry[]): Promise<void>;
  /** The keys of every chunk, whoever wrote it. */
  keys(): Promise<string[]>;
  /** The entries of these chunks. */
  get(chunks: string[]): Promise<Entry[]>;
  /** Deletes whole chunks, and these entries from the chunks that keep others. */
  remove(chunks: string[], entries: Entry[]): Promise<void>;
}

/**
 * A chunk as stored: its entries as one JSON text (cloning one string into IndexedDB costs a fraction of
 * cloning hundreds of small objects), each entry's own fields embedded as an object, and the contexts they share
 * stored once (`c` indexes `contexts`).
 */
interface Chunk {
  contexts: string[];
  /** `[{"id":…,"at":…,"appId":…,"c":…,"e":{"name":…,"properties":…,"eventIndex":…,"visibility":…}},…]` */
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
function entriesOf(value: unknown, key: string): Entry[] {
  const entries: Entry[] = [];
  try {
    const { list, contexts } = value as Chunk;
    for (const s of JSON.parse(list) as Stored[]) {
      const ctx = contexts[s.c];
      const e = s.e;
      if (typeof s.id == 'string' && e && typeof e.name == 'string' && ctx)
        entries.push({ id: s.id, at: s.at, appId: s.appId, name: e.name, props: JSON.stringify(e.properties || {}), index: e.eventIndex, hidden: e.visibility == 'background', ctx, chunk: key });
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
    return `{"id":${JSON.stringify(e.id)},"at":${e.at},"appId":${JSON.stringify(e.appId)},"c":${c},"e":{"name":${JSON.stringify(e.name)},"properties":${e.props},"eventIndex":${e.index},"visibility":"${e.hidden ? 'background' : 'foreground'}"}}`;
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

/** A new chunk's key: oldest first (keys sort as strings), then unique. */
const chunkKey = (at: number): string => `${String(Math.max(0, at)).padStart(15, '0')}:${Math.random()}`;

export function idbOutbox(db: StintDb): OutboxStore {
  return {
    put(list) {
      const chunks: [string, Entry[], Set<string>][] = [];
      let chars = Infinity;
      for (const e of list) {
        let last = chunks[chunks.length - 1];
        const size = entryChars(e) + ITEM_BYTES + (last?.[2].has(e.ctx) ? 0 : e.ctx.length + 1);
        if (chars + size > CHUNK_CHARS || last[1].length >= CHUNK_EVENTS) {
          // Never the event id: tabs that find the same session over write the same `session_end` id at
          // the same time, and a shared key would let one tab's chunk overwrite another's.
          chunks.push((last = [chunkKey(e.at), [], new Set()]));
          chars = 200;
        }
        e.chunk = last[0];
        last[1].push(e);
        last[2].add(e.ctx);
        chars += size;
      }
      return db.outbox('readwrite', (store) => {
        for (const [key, entries] of chunks) store.put(chunkOf(entries), key);
        return finished(store.transaction);
      });
    },
    keys: () => db.outbox('readonly', (store) => promisifyRequest(store.getAllKeys())).then((all) => all.map(String)),
    get: (chunks) =>
      db.outbox('readonly', (store) => Promise.all(chunks.map((name) => promisifyRequest(store.get(name))))).then((values) =>
        values.flatMap((value, i) => entriesOf(value, chunks[i])),
      ),
    remove: (chunks, list) =>
      db.outbox('readwrite', (store) => {
        for (const name of chunks) store.delete(name);
        // Read, filter and write back in the transaction: tabs removing from one chunk never undo each other.
        const byChunk = new Map<string, Set<string>>();
        for (const e of list) {
          if (!byChunk.has(e.chunk!)) byChunk.set(e.chunk!, new Set());
          byChunk.get(e.chunk!)!.add(e.id);
        }
        for (const [name, ids] of byChunk) {
          const read = store.get(name);
          onSuccess(read, () => {
            const rest = entriesOf(read.result, name).filter((e) => !ids.has(e.id));
            if (rest.length) store.put(chunkOf(rest), name);
            else store.delete(name);
          });
        }
        return finished(store.transaction);
      }),
  };
}
