import { nameUuid, type Ids } from '../src/core/ids';
import type { Timeouts } from '../src/core/rules';
import type { SessionState } from '../src/core/state';

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
    ...overrides,
  };
}
