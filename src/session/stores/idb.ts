/** The session in Stint's IndexedDB database (where cookies are blocked): its `session` object store, one key. */
import { promisifyRequest } from 'idb-keyval';
import { finished, SESSION_KEY, type StintDb } from '../../ground/db';

export function idbSessionStore(db: StintDb) {
  return {
    name: 'INDEXED_DB',
    get: () => db.session('readonly', (store) => promisifyRequest(store.get(SESSION_KEY))),
    set: (value: string) =>
      db.session('readwrite', (store) => (store.put(value, SESSION_KEY), finished(store.transaction))),
    delete: () => db.session('readwrite', (store) => (store.delete(SESSION_KEY), finished(store.transaction))),
  };
}
