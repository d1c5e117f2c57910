/**
 * One transaction for a group of batches: their events, the contexts those events were sent with, and the batches
 * themselves, committed together or not at all.
 */
import { batchRow, INSERT_BATCHES, INSERT_CONTEXTS, INSERT_EVENTS, INSERT_NEW_EVENTS } from './schema.mjs';

/** @typedef {import('./schema.mjs').Batch} Batch */
/**
 * Per batch: its events stored, and their contexts.
 * @typedef {Map<string, { count: number, contexts: Set<number> }>} Stored
 */

/** DuckDB's refusal of a key stored already (a constraint error names the primary key). */
const DUPLICATE_KEY = /duplicate key|primary key/i;

/**
 * The writer's transactions on `connection`, whose statements it prepares once (planning a statement that reads rows'
 * JSON costs more than running it on a small group).
 * @param {import('@duckdb/node-api').DuckDBConnection} connection
 * @returns {Promise<{ commit: (batches: Batch[]) => Promise<number[]>, close: () => void }>}
 */
export async function createCommit(connection) {
  const statements = {};
  for (const [name, sql] of Object.entries({ INSERT_EVENTS, INSERT_NEW_EVENTS, INSERT_CONTEXTS, INSERT_BATCHES })) {
    statements[name] = await connection.prepare(sql);
  }
  /** Runs a prepared statement on lines of JSON. */
  const run = (name, lines) => {
    statements[name].bind([lines.join('\n')]);
    return statements[name].runAndReadAll();
  };

  /**
   * Inserts the events of `batches`. None is stored already in the normal course (a batch is sent once), and the plain
   * INSERT_EVENTS stores them all; when one is (the primary key refuses the statement, and the transaction is void), or
   * the group holds one twice, INSERT_NEW_EVENTS stores those that are new, and says which.
   * @returns {Promise<Stored | null>} null: all of them
   */
  async function insertEvents(batches) {
    const ids = new Set();
    const twice = batches.some((b) => b.ids.some((id) => ids.size === ids.add(id).size));
    if (!twice) {
      try {
        await run('INSERT_EVENTS', batches.map((b) => b.events));
        return null;
      } catch (e) {
        if (!DUPLICATE_KEY.test(e?.message)) throw e;
        await connection.run('ROLLBACK');
        await connection.run('BEGIN TRANSACTION');
      }
    }
    /** @type {Stored} */
    const stored = new Map();
    for (const [batch, context] of (await run('INSERT_NEW_EVENTS', batches.map((b) => b.events))).getRows()) {
      if (!stored.has(batch)) stored.set(batch, { count: 0, contexts: new Set() });
      stored.get(batch).count++;
      stored.get(batch).contexts.add(context);
    }
    return stored;
  }

  /** Commits `batches`: each one's count of events stored (the rest were stored already), or it throws, rolled back. */
  async function commit(batches) {
    await connection.run('BEGIN TRANSACTION');
    try {
      const stored = await insertEvents(batches);
      const count = (b) => (stored ? stored.get(b.id)?.count || 0 : b.count);
      // A batch whose every event was stored already is a resend: it adds nothing, its `dropped` included; a context
      // that none of the new events was sent with is not kept either.
      const kept = batches.filter((b) => count(b) > 0);
      const sentWith = (b) => (c) => !stored || stored.get(b.id).contexts.has(c.context);
      const contexts = kept.flatMap((b) => b.contexts.filter(sentWith(b)));
      if (kept.length) {
        await run('INSERT_CONTEXTS', contexts.map((c) => c.line));
        await run('INSERT_BATCHES', kept.map((b) => JSON.stringify(batchRow(b, count(b)))));
      }
      await connection.run('COMMIT');
      return batches.map(count);
    } catch (e) {
      await connection.run('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  return { commit, close: () => Object.values(statements).forEach((statement) => statement.destroySync()) };
}
