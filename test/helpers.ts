import { nameUuid, type Ids } from '../src/core/ids';
import type { Timeouts } from '../src/core/session/rules';
import type { SessionState } from '../src/core/session/state';

export const MIN = 60_000;
export const T: Timeouts = { foregroundTimeout: 30 * MIN, backgroundTimeout: 5 * MIN, maxSessionDuration: 0 };

/** Fixed ids: random ones count up, derived ones are the real derivation (it is pure). */
export function fixedIds(): Ids {
  let n = 0;
  return {
    fresh: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    derive: nameUuid,
  };
}

export const eventId = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function state(overrides: Partial<SessionState> = {}): SessionState {
  return {
    userId: '11111111-1111-4111-8111-111111111111',
    sessionId: '22222222-2222-4222-8222-222222222222',
    sessionIndex: 1,
    previousSessionId: null,
    firstEventId: eventId(1),
    firstEventAt: 1000,
    eventIndex: 1,
    startedAt: 1000,
    lastEventAt: 1000,
    siteBackground: false,
    backgroundReported: null,
    ended: null,
    attributes: {},
    attributesAt: 1000,
    utm: null,
    lastPage: '/',
    businessUserId: null,
    profileId: null,
    appVersion: null,
    closed: false,
    rev: 1,
    engaged: null,
    copiedAt: null,
    ...overrides,
  };
}

/** An outbox in memory, as IndexedDB keeps it (delivery/outbox-store.ts): chunks of entries by key. */
export function memoryOutbox(): import('../src/delivery/outbox-store').OutboxStore & { chunks: Map<string, import('../src/core/event').Entry[]> } {
  const chunks = new Map<string, import('../src/core/event').Entry[]>();
  return {
    chunks,
    put: async (list) => void list.forEach(([key, entries]) => chunks.set(key, entries.map((e) => ({ ...e })))),
    keys: async () => [...chunks.keys()].sort(),
    get: async (keys) => keys.map((key) => [key, (chunks.get(key) || []).map((e) => ({ ...e }))]),
    remove: async (list) => {
      for (const [key, ids, whole] of list) {
        const rest = whole ? [] : (chunks.get(key) || []).filter((e) => !ids.includes(e.id));
        if (rest.length) chunks.set(key, rest);
        else chunks.delete(key);
      }
    },
  };
}
