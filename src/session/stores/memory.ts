import type { SessionStore } from '../../ground/types';

/** The last resort, where cookies and IndexedDB are both refused: the session lives as long as the page. */
export function memoryStore(): SessionStore {
  let value: string | null = null;
  return {
    name: 'MEMORY',
    get: () => value,
    set: (v) => void (value = v),
    delete: () => void (value = null),
  };
}
