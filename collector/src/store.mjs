/**
 * The store: one DuckDB file, and one writer. Requests hand their batch to `write`, which resolves once the
 * transaction holding it has committed (DuckDB writes its log at the commit, so a batch answered 204 survives a kill -9
 * of the process); a single loop drains the queue, many requests' batches in each transaction (a group commit: one
 * commit's cost shared by all of them). The queue is bounded: past `maxQueue` events waiting, `write` answers busy at
 * once, and the request is answered 503 with Retry-After rather than held while the writer falls further behind.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createCommit } from './commit.mjs';
import { SCHEMA } from './schema.mjs';

/** @typedef {import('./schema.mjs').Batch} Batch */

/**
 * @typedef {object} StoreOptions
 * @property {string} [file] the database file (':memory:' for none)
 * @property {number} [maxQueue] events waiting for the writer, at most
 * @property {number} [maxGroup] events in one transaction, at most (a batch is never split)
 */

/**
 * @typedef {object} Store
 * @property {(batch: Batch) => Promise<number> | null} write the events it stored (the rest were stored already), once
 *   committed; null when the queue is full
 * @property {(sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>} query its rows: whole numbers
 *   as numbers (as strings past 2^53), times as Dates, JSON as its text
 * @property {() => { queued: number, committed: number, batches: number, retryAfter: number }} state events waiting,
 *   events stored and batches committed since the start, and the seconds a 503 asks a sender to wait
 * @property {() => Promise<void>} close what is queued is written first
 */

/**
 * DuckDB's threads: the writer runs one small statement at a time, and a second thread of DuckDB's only competes with
 * Node's for the cores (collector/bench.mjs on 2 cores: 20,000 to 24,000 events a second with 1, 18,000 to 19,000
 * with DuckDB's default of one per core). A query that scans much is better run on a file of its own, or after a stop.
 */
const THREADS = 1;

/** Retry-After, in seconds: at least 1, at most a minute. */
const RETRY_AFTER_MAX = 60;

/**
 * Opens (or creates) the database and starts its writer.
 * @param {StoreOptions} [options]
 * @returns {Promise<Store>}
 */
export async function openStore({ file = 'stint.duckdb', maxQueue = 20_000, maxGroup = 5_000 } = {}) {
  const instance = await DuckDBInstance.create(file, { threads: String(THREADS) });
  const writer = await instance.connect();
  for (const sql of SCHEMA) await writer.run(sql);
  const { commit, close: closeCommit } = await createCommit(writer);
  /** Reads go through their own connection, so that a slow query never sits between the writer and its commit. */
  const reader = await instance.connect();
  /** @type {{ batch: Batch, done: (stored: number) => void, fail: (e: unknown) => void }[]} */
  const queue = [];
  let queued = 0;
  const totals = { committed: 0, batches: 0, rate: 0 };
  let writing = null;
  let closed = false;

  /** The writer: takes what waits, up to `maxGroup` events, commits it, and goes on while anything waits. */
  async function drain() {
    while (queue.length) {
      let events = 0;
      let n = 0;
      const fits = () => n === 0 || events + queue[n].batch.count <= maxGroup;
      while (n < queue.length && fits()) events += queue[n++].batch.count;
      await commitGroup(commit, queue.splice(0, n), totals);
      queued -= events;
    }
    writing = null;
  }

  return {
    write(batch) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      if (queued > 0 && queued + batch.count > maxQueue) return null;
      queued += batch.count;
      const stored = new Promise((done, fail) => queue.push({ batch, done, fail }));
      // (from the next microtask: the batches handed over in this tick are one group)
      writing ||= Promise.resolve().then(drain);
      return stored;
    },
    async query(sql, values) {
      return (await reader.runAndReadAll(sql, values)).getRowObjectsJS().map(plain);
    },
    state: () => ({
      queued,
      committed: totals.committed,
      batches: totals.batches,
      retryAfter: totals.rate ? Math.min(RETRY_AFTER_MAX, Math.max(1, Math.ceil(queued / totals.rate))) : 1,
    }),
    async close() {
      if (closed) return;
      closed = true;
      await writing;
      closeCommit();
      reader.closeSync();
      writer.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * Commits a group; when that fails, each of its batches alone, so that one the database refuses (which the reading
 * should have refused first) fails its own request only, which Stint will send again. Adds to `totals` the events it
 * stored (each `eventId` once) and the batches it committed, since the start, and sets the rate, in events a second,
 * as this group went: how long the queue takes to drain (Retry-After).
 * @param {(batches: Batch[]) => Promise<number[]>} commit
 * @param {{ batch: Batch, done: (stored: number) => void, fail: (e: unknown) => void }[]} group
 * @param {{ committed: number, batches: number, rate: number }} totals
 */
async function commitGroup(commit, group, totals) {
  const started = performance.now();
  const settle = (w, n) => {
    totals.committed += n;
    totals.batches++;
    w.done(n);
  };
  try {
    const counts = await commit(group.map((w) => w.batch));
    group.forEach((w, i) => settle(w, counts[i]));
  } catch (e) {
    if (group.length === 1) group[0].fail(e);
    else for (const w of group) await commit([w.batch]).then(([n]) => settle(w, n), w.fail);
  }
  const events = group.reduce((n, w) => n + w.batch.count, 0);
  totals.rate = events / Math.max(0.001, (performance.now() - started) / 1000);
}

/** A row with its BIGINTs (counts, indices, ms) as numbers, which they are short of 2^53. */
function plain(row) {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'bigint') row[key] = Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  }
  return row;
}
