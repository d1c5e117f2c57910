/**
 * The collector's tests' tools: a collector on a fresh database in a temporary folder (removed after), on 127.0.0.1
 * and a port of its own; a POST; and a fingerprint of everything stored, to prove that a refused batch changed nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveCollector, startCollector } from '../src/index.mjs';

export type Served = Awaited<ReturnType<typeof serveCollector>>;
export type Collector = Awaited<ReturnType<typeof startCollector>>;
type Options = NonNullable<Parameters<typeof serveCollector>[0]>;

/** A temporary folder, and the function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stint-collector-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The collector on its own server, port 0, on a fresh database; `close` also removes the database. */
export async function serveTemp(options: Options = {}): Promise<Served & { db: string }> {
  const { dir, remove } = tempDir();
  const db = join(dir, 'stint.duckdb');
  const served = await serveCollector({ port: 0, db, ...options });
  return {
    ...served,
    db,
    close: async () => {
      await served.close();
      remove();
    },
  };
}

/** A POST of `body` (an object is sent as its JSON, as Stint sends its batches: text/plain). */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    body: (typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * What the store holds, as one value: each table's count and a checksum of all its rows (their hashes, XORed: the
 * order of the rows does not matter, every value of every column does).
 */
export async function fingerprint(store: Collector['store']): Promise<Record<string, unknown>> {
  const tables = ['batches', 'contexts', 'event_rows'];
  const parts = tables.map((t) => `(SELECT count(*) FROM ${t}) AS "${t}", (SELECT bit_xor(hash(r)) FROM ${t} r)::VARCHAR AS "${t} hash"`);
  const [row] = await store.query(`SELECT ${parts.join(', ')}`);
  return row;
}

/** How many events the store holds with these ids. */
export async function countStored(store: Collector['store'], ids: string[]): Promise<number> {
  const sql = "SELECT count(*) AS n FROM event_rows WHERE event_id IN (SELECT unnest(string_split($1, ','))::UUID)";
  const [{ n }] = await store.query(sql, [ids.join(',')]);
  return n as number;
}
