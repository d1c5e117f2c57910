/**
 * The persistent outbox: every event is written to IndexedDB when it is tracked (one transaction
 * per task, never one per event) and removed only when the collector has answered 2xx for it.
 */
import { delMany, entries, setMany, type UseStore } from 'idb-keyval';

export interface Entry {
  id: string;
  /** tracked at (ms): the outbox is sent oldest first */
  at: number;
  appId: string;
  /** the event in the native JSON envelope */
  body: string;
  /** UTF-8 bytes of `body` */
  size: number;
}

export interface OutboxStore {
  put(entries: Entry[]): Promise<void>;
  remove(entries: Entry[]): Promise<void>;
  all(): Promise<Entry[]>;
}

/** Outbox keys are arrays, which IndexedDB sorts after the string key of the session state. */
const keyOf = (e: Entry): IDBValidKey => ['o', e.at, e.id];

export function idbOutbox(db: UseStore): OutboxStore {
  return {
    put: (list) => setMany(list.map((e) => [keyOf(e), e]), db),
    remove: (list) => delMany(list.map(keyOf), db),
    all: () =>
      entries<IDBValidKey, Entry>(db).then((rows) =>
        rows.filter(([key, e]) => Array.isArray(key) && e && typeof e.body === 'string').map(([, e]) => e),
      ),
  };
}

/** UTF-8 length without allocating for the common, ASCII-only case. */
export function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? new TextEncoder().encode(text).length : text.length;
}
