/**
 * `npx stint-collector query "<sql>"`: SQL on the database file, read-only, printed as a table, for a machine without
 * the DuckDB CLI. DuckDB lets one process write a file and none other open it meanwhile: while stint-collector runs on
 * the file, query it in its own process (`store.query`), or stop it first (it commits what is under way).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';

/**
 * The rows `sql` answers on `file`, opened read-only.
 * @param {string} file
 * @param {string} sql
 * @returns {Promise<Record<string, unknown>[]>}
 */
export async function queryFile(file, sql) {
  if (!existsSync(file)) throw new Error(`no database at ${file} (--db)`);
  let instance;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (e) {
    if (!/lock/i.test(e?.message)) throw e;
    throw new Error(`${file} is open in another process (a stint-collector running on it?): stop it first`);
  }
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A value as the table shows it. */
const shown = (value) => (value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/**
 * Rows as an aligned text table: a header, then one line per row.
 * @param {Record<string, unknown>[]} rows
 */
export function formatTable(rows) {
  if (!rows.length) return '(no rows)';
  const columns = Object.keys(rows[0]);
  const cells = [columns, ...rows.map((row) => columns.map((column) => shown(row[column])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
