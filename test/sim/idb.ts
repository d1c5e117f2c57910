/**
 * IndexedDB as the simulator's pages share it: one origin's databases, their object stores (string keys, values
 * cloned), connections and transactions, with what Stint relies on and what breaks it:
 * - a transaction is active during the task that made it and its requests' callbacks, commits once it has nothing
 *   left to do (or at `commit()`), and its writes are seen by others only then;
 * - transactions whose scopes overlap run one after the other when either writes (in the order they were made);
 * - every answer comes later, by a latency drawn from the seed, and sometimes much later (a stall);
 * - a page that goes away (closed, navigated, crashed) leaves its unfinished transactions to the browser: those it
 *   had asked to commit land or not, as the seed says; the others abort (https://github.com/w3c/IndexedDB/issues/381);
 * - a database deleted (a consent withdrawal) closes every connection first (`versionchange`);
 * - a page in Chromium's back/forward cache whose transaction another page's waits behind is evicted;
 * - an open that creates or upgrades a database runs the spec's upgrade transaction
 *   (https://w3c.github.io/IndexedDB/#upgrade-a-database): `upgradeneeded` fires in a transaction of mode
 *   `versionchange`, the stores it creates and the new version exist once it commits, and `success` comes after; if it
 *   aborts (its page goes, its handler throws or calls `abort()`, the disk is full) the open fails with AbortError and
 *   the database keeps its old version and stores (one the open created is gone again). Opens and deletions of the
 *   database wait behind it (the spec's connection queue);
 * - a write now and then finds the disk full (`hooks.refuse`): its transaction aborts with QuotaExceededError.
 */
import type { Random } from './random';
import type { Loop, Owner } from './loop';
import { probe } from './probes';

/** What the simulator's IndexedDB needs of a page. */
export interface IdbPage extends Owner {
  id: string;
  /** the number of its task running now */
  taskNo?: number;
  /** a value in the page's realm (cloned) */
  clone<T>(value: T): T;
  /** an Error of the page's realm */
  error(name: string, message: string): Error;
  /** a crashed page's script has stopped, or the page is gone */
  alive(): boolean;
}

type Store = Map<string, unknown>;
interface Database {
  version: number;
  stores: Map<string, Store>;
  connections: Set<Connection>;
  /** transactions not finished, in the order they were made */
  transactions: Transaction[];
}

type Listener = (event: { type: string; target: unknown }) => void;

/** What IDBRequest, IDBTransaction and IDBDatabase share: handlers by property and by addEventListener. */
function target() {
  const listeners: Record<string, Listener[]> = {};
  const self = {
    addEventListener(type: string, listener: Listener) {
      (listeners[type] ||= []).push(listener);
    },
    removeEventListener(type: string, listener: Listener) {
      listeners[type] = (listeners[type] || []).filter((l) => l !== listener);
    },
    /** fires `type` at the handler property (`on<type>`), then the listeners */
    fire(type: string) {
      const event = { type, target: self };
      const handler = (self as unknown as Record<string, unknown>)['on' + type];
      if (typeof handler === 'function') handler.call(self, event);
      for (const listener of (listeners[type] || []).slice()) listener.call(self, event);
    },
  };
  return self;
}

interface Request {
  result: unknown;
  error: Error | null;
  readyState: 'pending' | 'done';
  transaction: unknown;
  source: unknown;
  fire(type: string): void;
}

/** An open's upgrade transaction: what the open asked, what the database had, and the stores created so far. */
interface Upgrade {
  request: ReturnType<typeof target> & Record<string, unknown>;
  version: number;
  /** the database's version before it (0: the open created the database) */
  previous: number;
  created: Set<string>;
  /** `upgradeneeded` has been fired (until then the transaction waits for its page) */
  fired: boolean;
  /** the next open or deletion of the database may run */
  done: () => void;
}

interface Transaction {
  page: IdbPage;
  db: Database;
  connection: Connection;
  scope: string[];
  mode: 'readonly' | 'readwrite' | 'versionchange';
  /** requests not answered yet, in order */
  pending: { run: () => unknown; request: Request }[];
  /** writes not yet seen by others: key -> value (undefined: deleted), per store */
  writes: Map<string, Map<string, unknown>>;
  state: 'waiting' | 'running' | 'committing' | 'done';
  active: boolean;
  commitAsked: boolean;
  /** a request's answer is on its way */
  busy: boolean;
  /** its page is gone, and it had asked to commit: the browser finishes it alone */
  orphan: boolean;
  /** a request ran, and the page's callback has not yet had its answer (it may make more requests) */
  awaiting: boolean;
  /** it ended in an abort (its requests' answers not yet heard are errors) */
  aborted?: boolean;
  /** when it was made */
  made: number;
  object: ReturnType<typeof target> & Record<string, unknown>;
  id: number;
  /** an open's upgrade (mode versionchange) */
  upgrade?: Upgrade;
  /** what the checks follow of it */
  record: TxRecord;
}

/** A transaction as the checks follow it (check-write.ts): whose, what it asked to put, and how it ended. */
export interface TxRecord {
  id: number;
  page: string;
  /** the page's task that made it */
  task: number | undefined;
  db: string;
  scope: string[];
  made: number;
  /** the puts and deletes its page asked for, in order (asked: not all of them may have run) */
  puts: { store: string; key: string; value: unknown }[];
  deletes: { store: string; key: string }[];
  /** the keys a read-write transaction read (a removal reads a chunk before it writes it back: outbox-store.ts) */
  reads: { store: string; key: string }[];
  /** when it committed or aborted (none yet: it has not ended) */
  end?: number;
  fate?: 'committed' | 'aborted';
  /** why it aborted: its page went (`gone`), WebKit's cache dropped it (`cache`), its page aborted it or threw */
  cause?: 'gone' | 'cache' | 'abort' | 'error' | 'quota';
}

interface Connection {
  page: IdbPage;
  db: Database;
  name: string;
  closed: boolean;
  closePending: boolean;
  object: ReturnType<typeof target> & Record<string, unknown>;
  /** when its page asked to open it, and when it opened (its page heard `success`) */
  asked: number;
  opened: number;
  /** its open's upgrade transaction, while it runs */
  upgrade: Transaction | null;
}

export interface IdbWorld {
  /** `window.indexedDB` for a page */
  factory(page: IdbPage): unknown;
  /** the task of `page` ended: its transactions are no longer active, and those with nothing to do commit */
  endOfTask(page: IdbPage): void;
  /**
   * `page` is gone (closed, navigated away, crashed, discarded): its unfinished transactions land if it had asked them
   * to commit and the seed says so (`lands`), else abort; its connections close
   */
  gone(page: IdbPage, lands: (what: string) => boolean): void;
  /** `page` enters WebKit's back/forward cache: its unfinished transactions are dropped (it holds its connections) */
  abandon(page: IdbPage): void;
  /** `page` enters Chromium's back/forward cache: evicted if a transaction of another page waits behind its own */
  cached(page: IdbPage): void;
  /** what the databases hold (committed), for the invariants and the log */
  read(name: string, store: string): Map<string, unknown> | null;
  databases(): string[];
  /** the store's answers wait this long more (a stall), from now until `until` */
  stall(until: number): void;
  /** a deletion of the database is asked and not done (it waits for connections to close) */
  deleting(name: string): boolean;
  /** transactions that took longer than two seconds from their making to their end: page, store, when made, ended */
  slow: { page: string; store: string; at: number; end: number }[];
  /** transactions the disk refused (QuotaExceededError; `open`: an upgrade, the open failed): page, store, when */
  refused: { page: string; store: string; at: number }[];
  /** every transaction made, in order (the checks follow the outbox's writes: check-write.ts) */
  transactions: TxRecord[];
  /** each database deleted, and when */
  deletions: { name: string; at: number }[];
}

/** `committed`: each write as it lands (a value, or undefined: deleted), for the invariants. */
export function startIdb(
  loop: Loop,
  random: Random,
  log: (line: string) => void,
  committed: (db: string, store: string, key: string, value: unknown) => void = () => {},
  hooks: {
    cached(page: IdbPage): boolean;
    evict(page: IdbPage, why: string): void;
    /** a page asked to write `value` (a put, not yet committed) */
    put?(page: IdbPage, store: string, value: unknown): void;
    /** a page asked for a write (a put or a delete) */
    wrote?(page: IdbPage): void;
    /** the disk refuses this transaction's writes, or the database's creation (QuotaExceededError) */
    refuse?(what: 'write' | 'create'): boolean;
  } = { cached: () => false, evict: () => {} },
): IdbWorld {
  const dbs = new Map<string, Database>();
  let stalledUntil = 0;
  let txIds = 0;
  /** An answer's latency: mostly a few ms, now and then tens, rarely a stall of seconds. */
  const latency = () => {
    const base = random.chance(0.9) ? random.between(0, 4) : random.chance(0.9) ? random.between(5, 60) : random.between(200, 2500);
    return Math.max(base, stalledUntil - loop.now());
  };
  const pageTasks = new Map<IdbPage, Set<Transaction>>();

  /** Starts each waiting transaction that no earlier unfinished one blocks. */
  const schedule = (db: Database) => {
    // (in one pass: a store that an earlier unfinished transaction writes blocks every later one on it, one that it
    // reads blocks the later writes. Comparing each with every earlier one made seed 26719 run for hours: four tabs
    // tracked every few ms while IndexedDB stalled, and thousands of transactions queued)
    const writing = new Set<string>();
    const reading = new Set<string>();
    /** the unfinished transactions of pages in the back/forward cache met so far, and those pages that block another */
    const cached: Transaction[] = [];
    const blocking = new Set<IdbPage>();
    for (const tx of db.transactions) {
      const blocked = tx.scope.some((s) => writing.has(s) || (tx.mode !== 'readonly' && reading.has(s)));
      if (tx.state === 'waiting' && !blocked) {
        tx.state = 'running';
        advance(tx);
      } else if (tx.state === 'waiting')
        for (const c of cached) if (c.page !== tx.page && conflict(c, tx)) blocking.add(c.page);
      for (const s of tx.scope) (tx.mode === 'readonly' ? reading : writing).add(s);
      if (hooks.cached(tx.page) && tx.page.state !== 'gone') cached.push(tx);
    }
    // A page in the back/forward cache whose transaction another page's waits behind is evicted (Chromium's rule:
    // DisallowInactiveClientReason kTransactionIsOngoingAndBlockingOthers). Not done, a cached page that had not heard
    // its read's answer held the outbox's store for good: every later read and write of it waited (seed 45050)
    for (const page of blocking)
      if (hooks.cached(page) && page.state !== 'gone') {
        probe('idb: a cached page evicted: its transaction blocked another page');
        hooks.evict(page, "evicted: its transaction blocked another page's");
      }
  };
  /** Two transactions of overlapping scopes, one of which writes: the later waits for the earlier. */
  const conflict = (a: Transaction, b: Transaction) =>
    (a.mode !== 'readonly' || b.mode !== 'readonly') && a.scope.some((s) => b.scope.includes(s));

  const valueOf = (tx: Transaction, store: string, key: string) => {
    const written = tx.writes.get(store);
    if (written?.has(key)) return written.get(key);
    return tx.db.stores.get(store)?.get(key);
  };
  const keysOf = (tx: Transaction, store: string) => {
    const keys = new Set(tx.db.stores.get(store)?.keys() || []);
    for (const [key, value] of tx.writes.get(store) || []) value === undefined ? keys.delete(key) : keys.add(key);
    return [...keys].sort();
  };

  /**
   * Runs the next request of a running transaction in the browser (a task of nobody's), then tells the page (a task of
   * the page's, where its callback may make more requests); commits one that has nothing left and is not active. A
   * transaction asked to commit, or whose page is gone, goes on without waiting for the page's callbacks.
   */
  const advance = (tx: Transaction) => {
    if (tx.state !== 'running' || tx.busy) return;
    const next = tx.pending.shift();
    if (!next) {
      if (!tx.active) commit(tx);
      return;
    }
    tx.busy = true;
    loop.at(latency(), null, `idb ${tx.id} runs`, () => {
      if (tx.state !== 'running') return;
      const result = next.run();
      const waits = !tx.commitAsked && !tx.orphan;
      if (!waits) tx.busy = false;
      tx.awaiting = waits;
      if (!tx.orphan)
        loop.at(0, tx.page, `idb ${tx.id} answers`, () => {
          if (waits) tx.busy = tx.awaiting = false;
          // (a transaction asked to commit may commit before its page hears the answer, a page in the back/forward
          // cache or frozen hears it later: its request's success comes first all the same, then `complete`. Found in
          // development: a page cached while its session was read never heard the store, and saved nothing there)
          if (tx.aborted) return;
          next.request.readyState = 'done';
          next.request.result = tx.page.clone(result);
          if (waits) tx.active = true;
          try {
            next.request.fire('success');
          } catch {
            // (an exception in a success callback aborts the transaction, as the spec says)
            return abort(tx, 'AbortError', 'error');
          }
          // (the callback's task ends in endOfTask, which advances)
        });
      if (!waits) advance(tx);
    });
  };

  const finish = (tx: Transaction) => {
    tx.state = 'done';
    tx.db.transactions = tx.db.transactions.filter((t) => t !== tx);
    pageTasks.get(tx.page)?.delete(tx);
    schedule(tx.db);
    closeIfIdle(tx.connection);
  };

  const commit = (tx: Transaction) => {
    if (tx.state !== 'running') return;
    tx.state = 'committing';
    loop.at(latency(), null, `idb ${tx.id} commits`, () => {
      if (refused(tx)) return abort(tx, 'QuotaExceededError', 'quota');
      const { upgrade } = tx;
      if (upgrade) {
        for (const store of upgrade.created) tx.db.stores.set(store, new Map());
        tx.db.version = upgrade.version;
        tx.connection.upgrade = null;
        // (the open took this long: a stall of its upgrade's commit, as one of its queue, counts from the ask)
        const { asked } = tx.connection;
        if (loop.now() - asked > 1000) world.slow.push({ page: tx.page.id, store: 'open', at: asked, end: loop.now() });
      }
      Object.assign(tx.record, { end: loop.now(), fate: 'committed' });
      for (const [store, writes] of tx.writes) {
        const target = tx.db.stores.get(store)!;
        for (const [key, value] of writes) {
          if (value === undefined) target.delete(key);
          else target.set(key, value);
          committed(tx.connection.name, store, key, value);
        }
      }
      const changes = [...tx.writes.values()].flatMap((w) => [...w].map(([k, v]) => `${v === undefined ? '-' : '+'}${k.slice(-12)}`));
      log(`idb ${tx.id} committed (${tx.page.id}, ${tx.mode} ${tx.scope}${changes.length ? ': ' + changes.join(' ') : ''})`);
      // (a transaction made as its connection opened waited since the open was asked: the page's wait began then, as
      // Stint's claim of the send turn, whose 2 s bound comes first at exactly 2 s, delivery/turn.ts)
      const from = tx.made === tx.connection.opened ? tx.connection.asked : tx.made;
      if (loop.now() - from >= 2000) {
        world.slow.push({ page: tx.page.id, store: tx.scope[0], at: from, end: loop.now() });
        probe('idb: a transaction stalled past 2 s');
      }
      finish(tx);
      loop.at(0, tx.page, `idb ${tx.id} complete`, () => {
        tx.object.fire('complete');
        // (the open's success comes after its upgrade transaction's complete)
        if (upgrade) opened(tx.connection, upgrade.request);
      });
      upgrade?.done();
    });
  };

  /** The disk refuses a transaction that writes, or one that creates the database, now and then (QuotaExceededError). */
  const refused = (tx: Transaction) => {
    const creates = tx.upgrade?.previous === 0;
    const writes = [...tx.writes.values()].some((w) => [...w.values()].some((v) => v !== undefined));
    if (!creates && !(tx.mode === 'readwrite' && writes)) return false;
    if (!hooks.refuse?.(creates ? 'create' : 'write')) return false;
    probe(creates ? 'idb: a database not created: the disk is full' : 'idb: a write refused: the disk is full');
    world.refused.push({ page: tx.page.id, store: tx.upgrade ? 'open' : tx.scope[0], at: loop.now() });
    return true;
  };

  /** The page has its connection: the open's request succeeds. */
  const opened = (connection: Connection, request: Upgrade['request']) => {
    connection.opened = loop.now();
    request.transaction = null;
    request.result = connection.object;
    request.readyState = 'done';
    request.fire('success');
  };

  const abort = (tx: Transaction, name: string, cause: TxRecord['cause']) => {
    if (tx.state === 'done') return;
    Object.assign(tx.record, { end: loop.now(), fate: 'aborted', cause });
    const error = tx.page.error(name, 'The transaction was aborted');
    tx.object.error = error;
    const pending = tx.pending.splice(0);
    tx.aborted = true;
    log(`idb ${tx.id} aborted (${tx.page.id}, ${name})`);
    const { upgrade, connection } = tx;
    if (upgrade) {
      // (the database keeps its old version and stores; one the open created is gone again; the connection closes)
      probe('idb: an upgrade aborted');
      connection.upgrade = null;
      connection.object.version = upgrade.previous;
      connection.closePending = true;
      if (!upgrade.previous && dbs.get(connection.name) === tx.db) dbs.delete(connection.name);
    }
    finish(tx);
    upgrade?.done();
    loop.at(0, tx.page, `idb ${tx.id} abort`, () => {
      for (const { request } of pending) {
        request.readyState = 'done';
        request.error = error;
        request.fire('error');
      }
      tx.object.fire('abort');
      if (!upgrade) return;
      // (the open fails with AbortError, whatever aborted its upgrade)
      Object.assign(upgrade.request, { transaction: null, result: undefined, readyState: 'done' });
      upgrade.request.error = tx.page.error('AbortError', 'The upgrade transaction was aborted');
      upgrade.request.fire('error');
    });
  };

  const closeIfIdle = (connection: Connection) => {
    if (!connection.closePending || connection.closed) return;
    if (connection.db.transactions.some((tx) => tx.connection === connection)) return;
    connection.closed = true;
    connection.db.connections.delete(connection);
    pending.forEach((run) => run());
  };
  /** A crashed page does nothing more: its calls throw. */
  const stopped = (page: IdbPage) => {
    if (!page.alive() && page.state !== 'gone') throw page.error('Error', 'the page has crashed');
  };
  /** By database, the opens and deletions asked and not done, in order: each runs when the one before is done. */
  const queues = new Map<string, ((done: () => void) => void)[]>();
  /** Deletions asked and not done, by database. */
  const deletes = new Map<string, number>();
  const enqueue = (name: string, run: (done: () => void) => void) => {
    const queue = queues.get(name) || [];
    queues.set(name, queue);
    const next = () => {
      queue.shift();
      if (queue.length) queue[0](next);
    };
    if (queue.push(run) === 1) run(next);
  };
  const pending = new Set<() => void>();
  /** By database, the connection whose open upgrades it now. */
  const upgrading = new Map<string, Connection>();
  /**
   * Someone waits behind the database's upgrade: a page in the back/forward cache that holds it is evicted (Chromium's
   * rule for a cached page whose IndexedDB lock blocks another page's request; a frozen page keeps it until it runs).
   */
  const unblock = (name: string) => {
    const holder = upgrading.get(name);
    if (!holder || !hooks.cached(holder.page)) return;
    probe('idb: a cached page evicted: its upgrade blocked another page');
    hooks.evict(holder.page, "evicted: its upgrade blocked another page's open");
  };

  function objectStore(tx: Transaction, name: string) {
    const request = (run: () => unknown): Request => {
      stopped(tx.page);
      if (tx.state === 'done' || tx.state === 'committing' || !tx.active || tx.commitAsked)
        throw tx.page.error('TransactionInactiveError', 'The transaction is not active');
      const r = Object.assign(target(), {
        result: undefined,
        error: null,
        readyState: 'pending' as const,
        transaction: tx.object,
        source: null,
      }) as unknown as Request;
      tx.pending.push({ run, request: r });
      return r;
    };
    const write = (key: string, value: unknown) => {
      if (tx.mode === 'readonly') throw tx.page.error('ReadOnlyError', 'The transaction is read-only');
      const writes = tx.writes.get(name) || new Map();
      tx.writes.set(name, writes);
      writes.set(String(key), value);
    };
    return {
      name,
      transaction: tx.object,
      put: (value: unknown, key: string) => {
        const copy = JSON.parse(JSON.stringify(value));
        hooks.put?.(tx.page, name, copy);
        hooks.wrote?.(tx.page);
        const asked = request(() => (write(key, copy), key));
        tx.record.puts.push({ store: name, key: String(key), value: copy });
        return asked;
      },
      delete: (key: string) => {
        hooks.wrote?.(tx.page);
        const asked = request(() => (write(key, undefined), undefined));
        tx.record.deletes.push({ store: name, key: String(key) });
        return asked;
      },
      get: (key: string) => {
        if (tx.mode === 'readwrite') tx.record.reads.push({ store: name, key: String(key) });
        return request(() => valueOf(tx, name, String(key)));
      },
      getAll: () => request(() => keysOf(tx, name).map((key) => valueOf(tx, name, key))),
      getAllKeys: () => request(() => keysOf(tx, name)),
    };
  }

  function connect(page: IdbPage, name: string, db: Database, asked: number): Connection {
    const object = target() as Connection['object'];
    const connection: Connection = { page, db, name, closed: false, closePending: false, object, asked, opened: loop.now(), upgrade: null };
    db.connections.add(connection);
    /** the stores created by the upgrade running now, not yet the database's */
    const creating = () => connection.upgrade?.upgrade?.created;
    Object.assign(object, {
      name,
      version: db.version,
      objectStoreNames: { contains: (store: string) => db.stores.has(store) || !!creating()?.has(store) },
      createObjectStore(store: string) {
        stopped(page);
        const tx = connection.upgrade;
        if (!tx) throw page.error('InvalidStateError', 'Not in a version change transaction');
        if (!tx.active) throw page.error('TransactionInactiveError', 'The transaction is not active');
        if (db.stores.has(store) || creating()!.has(store)) throw page.error('ConstraintError', 'The store exists');
        creating()!.add(store);
      },
      transaction(scope: string | string[], mode: 'readonly' | 'readwrite' = 'readonly') {
        stopped(page);
        if (connection.closePending || connection.closed || connection.upgrade)
          throw page.error('InvalidStateError', 'The database connection is closing, or upgrading');
        const stores = ([] as string[]).concat(scope);
        if (stores.some((s) => !db.stores.has(s))) throw page.error('NotFoundError', 'No such object store');
        return transaction(page, connection, stores, mode).object;
      },
      close() {
        connection.closePending = true;
        closeIfIdle(connection);
      },
    });
    return connection;
  }

  function transaction(page: IdbPage, connection: Connection, scope: string[], mode: Transaction['mode']) {
    const tx = made(page, connection, scope, mode);
    connection.db.transactions.push(tx);
    schedule(connection.db);
    return tx;
  }

  /** A transaction of `page`, not yet scheduled. */
  function made(page: IdbPage, connection: Connection, scope: string[], mode: Transaction['mode']) {
    const id = ++txIds;
    const record: TxRecord = { id, page: page.id, task: page.taskNo, db: connection.name, scope, made: loop.now(), puts: [], deletes: [], reads: [] };
    world.transactions.push(record);
    const tx: Transaction = {
      page,
      db: connection.db,
      connection,
      scope,
      mode,
      pending: [],
      writes: new Map(),
      state: 'waiting',
      active: true,
      commitAsked: false,
      busy: false,
      orphan: false,
      awaiting: false,
      made: loop.now(),
      object: target() as Transaction['object'],
      id,
      record,
    };
    Object.assign(tx.object, {
      mode,
      error: null,
      db: connection.object,
      objectStore: (store: string) => {
        if (!scope.includes(store)) throw page.error('NotFoundError', 'Not in the transaction');
        return objectStore(tx, store);
      },
      commit() {
        stopped(page);
        if (tx.state === 'done' || tx.state === 'committing')
          throw page.error('InvalidStateError', 'The transaction is finished');
        tx.commitAsked = true;
        tx.active = false;
        advance(tx);
      },
      abort() {
        if (tx.state === 'done' || tx.state === 'committing')
          throw page.error('InvalidStateError', 'The transaction is finished');
        if (tx.upgrade) probe("idb: an upgrade aborted by its page's handler");
        abort(tx, 'AbortError', 'abort');
      },
    });
    const mine = pageTasks.get(page) || new Set();
    pageTasks.set(page, mine);
    mine.add(tx);
    return tx;
  }

  /**
   * An open's upgrade: a versionchange transaction, which waits for its page to hear `upgradeneeded` (a page frozen or
   * in the back/forward cache meanwhile holds the database's queue until it runs or goes), is active in that task, and
   * commits once it has nothing left to do. Until it ends the database's next open or deletion waits (`upgrade.done`).
   */
  function upgrade(connection: Connection, upgrade: Upgrade) {
    const tx = made(connection.page, connection, [], 'versionchange');
    if (connection.page.state === 'paused') probe('idb: an upgrade waited for its page');
    const done = upgrade.done;
    upgrading.set(connection.name, connection);
    upgrade.done = () => (upgrading.delete(connection.name), done());
    tx.upgrade = upgrade;
    tx.active = false;
    connection.upgrade = tx;
    const { request } = upgrade;
    loop.at(0, connection.page, `idb ${tx.id} upgradeneeded`, () => {
      if (tx.state !== 'waiting') return;
      upgrade.fired = true;
      tx.state = 'running';
      tx.active = true;
      connection.db.transactions.push(tx);
      Object.assign(connection.object, { version: upgrade.version });
      Object.assign(request, { result: connection.object, transaction: tx.object, readyState: 'done' });
      log(`idb ${tx.id} upgrades ${connection.name} to ${upgrade.version} (${tx.page.id})`);
      try {
        request.fire('upgradeneeded');
      } catch {
        // (an exception in the handler aborts the upgrade, as the spec says)
        probe("idb: an upgrade aborted by its page's handler");
        abort(tx, 'AbortError', 'error');
      }
      // (the task's end makes it inactive, and it commits: endOfTask)
    });
    if (queues.get(connection.name)!.length > 1) unblock(connection.name);
  }

  const world: IdbWorld = {
    factory(page) {
      return {
        open(name: string, version = 1) {
          const request = Object.assign(target(), {
            result: undefined as unknown,
            error: null as Error | null,
            readyState: 'pending',
            transaction: null,
            source: null,
          });
          const asked = loop.now();
          const wait = latency();
          if (upgrading.has(name)) probe('idb: an open waited behind an upgrade');
          unblock(name);
          // (the spec's connection queue: opens and deletions of a database in the order they were asked)
          enqueue(name, (done) =>
            loop.at(wait, null, `idb open ${name}`, () => {
              // (slow counts from the ask: behind a slow open in the queue, this one waited as long)
              if (loop.now() - asked > 1000) world.slow.push({ page: page.id, store: 'open', at: asked, end: loop.now() });
              // (a page that went meanwhile holds nothing, and creates nothing)
              if (!page.alive()) return done();
              let db = dbs.get(name);
              const previous = db?.version ?? 0;
              if (!db) dbs.set(name, (db = { version: 0, stores: new Map(), connections: new Set(), transactions: [] }));
              const connection = connect(page, name, db, asked);
              if (previous < version) return upgrade(connection, { request, version, previous, created: new Set(), fired: false, done });
              // (its success comes before anything asked after it: a deletion's versionchange finds its handler set)
              loop.at(0, page, `idb open ${name}`, () => opened(connection, request));
              done();
            }),
          );
          return request;
        },
        deleteDatabase(name: string) {
          const request = Object.assign(target(), { result: undefined, error: null, readyState: 'pending' });
          deletes.set(name, (deletes.get(name) || 0) + 1);
          unblock(name);
          enqueue(name, (done) => {
            const db = dbs.get(name);
            // (it waits for every connection open now, each told `versionchange`)
            const open = new Set(db?.connections || []);
            let removed = false;
            const remove = () => {
              if (removed || [...open].some((c) => !c.closed)) return;
              removed = true;
              pending.delete(remove);
              if (dbs.get(name) === db) dbs.delete(name);
              world.deletions.push({ name, at: loop.now() });
              log(`idb ${name} deleted`);
              deletes.set(name, deletes.get(name)! - 1);
              if (!deletes.get(name)) deletes.delete(name);
              done();
              loop.at(latency(), page, `idb delete ${name}`, () => {
                request.readyState = 'done';
                request.fire('success');
              });
            };
            pending.add(remove);
            // A page in the back/forward cache that holds a connection is evicted (Chromium's and Firefox's rule: a
            // cached page must not block another's versionchange); a frozen page hears it.
            for (const connection of open)
              if (hooks.cached(connection.page)) {
                probe('idb: a cached page evicted by a deletion');
                hooks.evict(connection.page, 'evicted: it held a database another page deletes');
              } else
                loop.at(0, connection.page, 'idb versionchange', () => {
                  const handler = connection.object.onversionchange;
                  if (typeof handler === 'function') handler.call(connection.object, { type: 'versionchange' });
                }, true);
            loop.at(1, null, 'idb delete', remove);
          });
          return request;
        },
        databases: () => Promise.resolve([...dbs.keys()].map((name) => ({ name, version: dbs.get(name)!.version }))),
      };
    },
    endOfTask(page) {
      for (const tx of pageTasks.get(page) || []) {
        // (an upgrade waits for the task that fires its upgradeneeded)
        if (tx.upgrade && !tx.upgrade.fired) continue;
        tx.active = false;
        advance(tx);
      }
    },
    gone(page, lands) {
      for (const tx of [...(pageTasks.get(page) || [])]) {
        if (tx.state === 'committing' || tx.state === 'done') continue;
        if (tx.upgrade) probe('idb: an upgrade aborted as its page went');
        if (tx.commitAsked && lands(`idb ${tx.id}`)) {
          // The browser has every request: it runs them and commits; nobody hears the answers.
          tx.orphan = true;
          tx.active = false;
          // (a request whose answer the page was to hear: nobody will; one still running goes on by itself)
          if (tx.awaiting) tx.busy = tx.awaiting = false;
          advance(tx);
        } else abort(tx, 'AbortError', 'gone');
      }
      for (const db of dbs.values())
        for (const connection of db.connections)
          if (connection.page === page) ((connection.closePending = true), closeIfIdle(connection));
    },
    abandon(page) {
      for (const tx of [...(pageTasks.get(page) || [])])
        if (tx.state !== 'committing' && tx.state !== 'done') {
          if (tx.upgrade) probe('idb: an upgrade aborted as its page went');
          abort(tx, 'AbortError', 'cache');
        }
    },
    cached(page) {
      for (const db of dbs.values()) if (db.transactions.some((tx) => tx.page === page)) schedule(db);
    },
    read: (name, store) => dbs.get(name)?.stores.get(store) || null,
    databases: () => [...dbs.keys()],
    stall(until) {
      stalledUntil = Math.max(stalledUntil, until);
    },
    slow: [],
    refused: [],
    transactions: [],
    deletions: [],
    deleting: (name) => deletes.has(name),
  };
  return world;
}
