/**
 * The outbox's IndexedDB adapter (src/delivery/outbox-store.ts) over an object store that runs its requests as the
 * spec says: in the order they were made, each one's success callback before the next request runs, and a request made
 * in a callback after every one made before it (https://w3c.github.io/IndexedDB/#transaction-lifecycle).
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from '../src/core/event';
import type { StintDb } from '../src/ground/db';
import { idbOutbox } from '../src/delivery/outbox-store';

function fakeDb() {
  const data = new Map<string, unknown>();
  const use = (_mode: IDBTransactionMode, callback: (store: IDBObjectStore) => unknown) => {
    const complete: (() => void)[] = [];
    const transaction = { addEventListener: (type: string, f: () => void) => type == 'complete' && complete.push(f), error: null };
    const queue: (() => void)[] = [];
    const request = (run: () => unknown) => {
      const r: { transaction: unknown; result?: unknown; onsuccess?: () => void } = { transaction };
      queue.push(() => ((r.result = run()), r.onsuccess?.()));
      return r;
    };
    const store = {
      transaction,
      get: (key: string) => request(() => data.get(key)),
      put: (value: unknown, key: string) => request(() => void data.set(key, value)),
      delete: (key: string) => request(() => void data.delete(key)),
      getAllKeys: () => request(() => [...data.keys()]),
    };
    const result = callback(store as unknown as IDBObjectStore);
    void Promise.resolve().then(() => {
      // (bounded: each request makes at most one more)
      for (let i = 0; queue.length && i < 1000; i++) queue.shift()!();
      for (const f of complete) f();
    });
    return result;
  };
  const db = { session: use, outbox: use, turn: use, close() {} } as unknown as StintDb;
  return { data, db };
}

const entry = (id: string): Entry => ({ id, at: 1, appId: 'a', name: 'e', props: '{}', index: 1, hidden: false, ctx: '{}' });

describe('the outbox in IndexedDB', () => {
  it('two removals from one chunk in one transaction both hold: the chunk is read and written once', async () => {
    // (test/sim seed 31484: a chunk held another tab's handed-over event and this tab's own; each removal read the chunk
    // as it was, and the last write put a delivered event back, which was sent again)
    const { db } = fakeDb();
    const outbox = idbOutbox(db);
    await outbox.put([['k', [entry('mine'), entry('theirs'), entry('later')]]]);
    await outbox.remove([
      ['k', ['mine'], false],
      ['k', ['theirs'], false],
    ]);
    expect((await outbox.get(['k']))[0][1].map((e) => e.id)).toEqual(['later']);
  });

  it('a chunk emptied by its removals is deleted, and a whole one goes without a read', async () => {
    const { db, data } = fakeDb();
    const outbox = idbOutbox(db);
    await outbox.put([
      ['k', [entry('a'), entry('b')]],
      ['w', [entry('c')]],
    ]);
    await outbox.remove([
      ['k', ['a'], false],
      ['w', ['c'], true],
      ['k', ['b'], false],
    ]);
    expect([...data.keys()]).toEqual([]);
  });
});
