/**
 * Stint's IndexedDB database, `stint` (never idb-keyval's default `keyval-store`, which belongs to the host
 * page), with one object store per purpose: `session` (the session, where cookies are blocked), `outbox`
 * (unsent events, in chunks) and `turn` (whose turn it is to send).
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';

const NAME = 'stint';
const VERSION = 2;
export const SESSION_KEY = 'state';

/** Each object store of the database, used through idb-keyval's helpers. */
export interface StintDb {
  session: UseStore;
  outbox: UseStore;
  turn: UseStore;
  /** Closes the connection once the transactions already asked for have begun; every later use fails (shutdown). */
  close(): void;
  /** A withdrawal: closes it at once, the uses already asked for too (their write would follow the erase). */
  drop(): void;
}

type StoreName = Exclude<keyof StintDb, 'close' | 'drop'>;

/** Transactions of Stint's database that may still be running. */
const running = new Set<IDBTransaction>();
/** From pagehide on, every transaction is committed as soon as its requests are made. */
let leaving = false;
/** How many times the page has left (pagehide or freeze). */
let departures = 0;

const commit = (transaction: IDBTransaction) => {
  try {
    transaction.commit?.();
  } catch {
    // Finished already.
  }
};

/**
 * The page leaves (pagehide), or is back (pageshow from the back/forward cache). WebKit keeps a transaction
 * that is still running when its page enters the back/forward cache pending while the page is cached, and
 * every later transaction on the database, the next page's too, waits behind it (25 s and more: WebKit bug
 * https://bugs.webkit.org/show_bug.cgi?id=315804, and what the spec leaves open:
 * https://github.com/w3c/IndexedDB/issues/381). An explicit `commit()` lets the database finish it without
 * the page. From pagehide on, each transaction is committed once its callback has made its requests
 * (follow-up requests made in a request's callback then fail: the work is redone later). It also makes a
 * write issued by a page that unloads more likely to land.
 */
export function setLeaving(isLeaving: boolean): void {
  leaving = isLeaving;
  if (isLeaving) departures++;
  if (isLeaving) for (const transaction of running) commit(transaction);
  running.clear();
}

/**
 * A mark of the page's life now: a write asked for then, that fails, was cut short by the page's leaving (keeper.ts)
 * when the page was leaving (pagehide or freeze, until it is back), or when it is not the mark now: the page left
 * since (the failure of a write cut as the page entered the back/forward cache is told once it is back: test/sim
 * regression).
 */
export const lifeMark = (): number => (leaving ? -1 : departures);

/**
 * `then` as a callback of `request` that never throws into the page: a write it makes that fails at once
 * (`QuotaExceededError` from a full disk) aborts the transaction instead, so that whoever waits for the
 * transaction (or the database's open) sees a failure, as for any other.
 */
const guarded = (request: IDBRequest, then: () => void) => () => {
  try {
    then();
  } catch {
    try {
      // (in its request's callback the transaction is active: it can be aborted)
      request.transaction!.abort();
    } catch {
      // Aborted already.
    }
  }
};

/**
 * Resolves when the transaction commits, rejects when it aborts: its own outcome, not its requests' error events
 * (idb-keyval's `promisifyRequest` rejects at the first). WebKit fires an error (InvalidStateError, "Script
 * execution context has stopped") at a write the page made at pagehide, when the page comes back from the
 * back/forward cache, and the transaction still commits: the write is no failure.
 */
export const finished = (transaction: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    transaction.addEventListener('complete', () => resolve());
    transaction.addEventListener('abort', () => reject(transaction.error));
  });

/** `then`, when `request` succeeds (guarded). */
export const onSuccess = (request: IDBRequest, then: () => void): void =>
  void (request.onsuccess = guarded(request, then));

/**
 * The database, or null where IndexedDB is missing or forbidden (sandboxed iframes, some private modes
 * throw on the mere access). Opened at first use. A consent withdrawal deletes it, and a newer version of
 * Stint may upgrade it: on `versionchange` the connection closes (so that neither is blocked) and this
 * handle refuses every later call, so that no late write of this page creates the database again. A later
 * grant opens a new handle.
 */
export function stintDb(): StintDb | null {
  try {
    if (!indexedDB) return null;
  } catch {
    return null;
  }
  let deleted = false;
  let closed = false;
  let connection: Promise<IDBDatabase> | undefined;
  const open = () => {
    // (a handle closed before its first use opens nothing: a refusal in the task that started the page deleted the
    // database, and an open asked after that would make it again. test/sim regression)
    if (closed) throw new Error('closed');
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = guarded(request, () => {
      const db = request.result;
      for (const name of ['session', 'outbox', 'turn']) db.createObjectStore(name);
    });
    return promisifyRequest(request).then((db) => {
      db.onversionchange = () => {
        deleted = true;
        db.close();
      };
      // A browser may close a connection on its own (the spec's forced close: cleared site data, and iOS Safari
      // in the background, https://github.com/jakearchibald/idb-keyval/pull/175): the next use opens another.
      // https://w3c.github.io/IndexedDB/#closing-connection
      db.onclose = () => (connection = undefined);
      return db;
    });
  };
  const use =
    (name: StoreName): UseStore =>
    (mode, callback) =>
      // (indexedDB.open can throw, a SecurityError in some sandboxes: a rejection, like every other failure)
      (connection ||= Promise.resolve().then(open)).then((db) => {
        if (deleted) throw new Error('deleted');
        const transaction = db.transaction(name, mode);
        const done = callback(transaction.objectStore(name));
        if (leaving) commit(transaction);
        else {
          running.add(transaction);
          const forget = () => running.delete(transaction);
          transaction.addEventListener('complete', forget);
          transaction.addEventListener('abort', forget);
        }
        return done;
      });
  return {
    session: use('session'),
    outbox: use('outbox'),
    turn: use('turn'),
    close() {
      closed = true;
      // (after the uses already asked for: their transactions begin first, and the connection closes once they end)
      connection?.then(
        (db) => db.close(),
        () => {},
      );
      (connection = Promise.reject(new Error('closed'))).catch(() => {});
    },
    // (test/sim seed 1325: a write asked before a withdrawal, its open stalled, began after it and stored the events
    // the withdrawal had erased, until the deletion that waited behind it)
    drop() {
      deleted = true;
      this.close();
    },
  };
}

/**
 * Deletes Stint's database; resolves once it is gone, or could not be. Open connections (ours and
 * other tabs') close on `versionchange`; a connection that does not is given two seconds.
 */
export function deleteStintDb(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    const done = () => (clearTimeout(timer), resolve());
    try {
      const request = indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = done;
    } catch {
      done();
    }
  });
}
