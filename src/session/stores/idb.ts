/**
 * IndexedDB through idb-keyval, in Stint's own database (never the default `keyval-store`, which
 * belongs to the host page). One object store holds the session under `state` and the outbox
 * under array keys.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { SessionStore } from '../../types';

const DB_NAME = 'stint';
const STORE = 'kv';
const STATE_KEY = 'state';

/** Transactions of Stint's database that may still be running. */
const running = new Set<IDBTransaction>();
/** From pagehide on, every transaction is committed as soon as its requests are made. */
let leaving = false;

const commit = (transaction: IDBTransaction) => {
  try {
    transaction.commit?.();
  } catch {
    // Finished already.
  }
};

/**
 * The page leaves (pagehide), or is back (pageshow from the back/forward cache). A transaction still
 * running when a page enters the back/forward cache stays pending while it is cached, and every later
 * transaction on the database, the next page's too, waits behind it (WebKit: until the cached page is
 * evicted, 25 s and more). An explicit `commit()` lets the database finish it without the page. From
 * pagehide on, each transaction is committed once its callback has made its requests (follow-up
 * requests made in a request's callback then fail: the work is redone later). It also makes a write
 * issued by a page that unloads more likely to land.
 */
export function setLeaving(isLeaving: boolean): void {
  leaving = isLeaving;
  if (isLeaving) for (const transaction of running) commit(transaction);
  running.clear();
}

/**
 * The database, or null where IndexedDB is missing or forbidden (sandboxed iframes, some private
 * modes throw on the mere access). Only a consent withdrawal deletes it: then the connection closes
 * (so the deletion is not blocked) and this handle refuses every later call, so that no late write
 * of this page creates the database again. A later grant opens a new handle.
 */
export function stintDb(): UseStore | null {
  try {
    if (!indexedDB) return null;
  } catch {
    return null;
  }
  const store = createStore(DB_NAME, STORE);
  let closed = false;
  return (mode, use) => {
    try {
      if (closed) throw new Error('stint: database deleted');
      return store(mode, (objects) => {
        const transaction = objects.transaction;
        const db = transaction.db;
        db.onversionchange = () => {
          closed = true;
          db.close();
        };
        const done = use(objects);
        if (leaving) commit(transaction);
        else {
          running.add(transaction);
          const forget = () => running.delete(transaction);
          transaction.addEventListener('complete', forget);
          transaction.addEventListener('abort', forget);
        }
        return done;
      });
    } catch (e) {
      // indexedDB.open can throw (SecurityError in some sandboxes): a rejection, like every other failure.
      return Promise.reject(e);
    }
  };
}

/**
 * Deletes Stint's database; resolves once it is gone, or could not be. Open connections (ours and
 * other tabs') close on `versionchange`; a connection that does not is given two seconds.
 */
export function deleteStintDb(): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, 2000);
    try {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = () => resolve();
    } catch {
      resolve();
    }
  });
}

export function idbSessionStore(db: UseStore): SessionStore {
  const write = (value?: string) =>
    db('readwrite', (store) => {
      if (value === undefined) store.delete(STATE_KEY);
      else store.put(value, STATE_KEY);
      return promisifyRequest(store.transaction);
    });
  return {
    name: 'INDEXED_DB',
    get: () => db('readonly', (store) => promisifyRequest(store.get(STATE_KEY))),
    set: write,
    delete: () => write(),
  };
}
