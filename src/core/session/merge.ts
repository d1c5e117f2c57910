/**
 * The session two tabs (or a tab and the store) hold, merged: a join, so that tabs agree whatever order they heard in.
 */
import type { SessionState } from './state';

/**
 * Orders two values of one field: none first, then by number, boolean or text; lists by their items, a record by its
 * JSON.
 */
function order(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a == null || b == null) return a == null ? -1 : 1;
  if (Array.isArray(a)) {
    for (let i = 0, c; i < a.length; i++) if ((c = order(a[i], (b as unknown[])[i]))) return c;
    return 0;
  }
  if (typeof a == 'object') return order(JSON.stringify(a), JSON.stringify(b));
  return (a as number) < (b as number) ? -1 : 1;
}

/**
 * Merges what another tab (or the store) holds into what this tab holds: a join (commutative, associative, idempotent:
 * test/core/merge.test.ts), so that tabs that heard the same states, in any order and any number of times, hold the
 * same session, and one that hears nothing new knows it (answers.ts `stored`). Another session: the later one, whole
 * (its index, then its id). The same session: each group of fields by its own rule, every tie decided by the values:
 * the count and the activity go forward, the start and the first event back; what the site is like (its background,
 * the visitor, the page that last wrote) comes from the later write (`rev`), the attributes from their later change.
 */
export function merge(mine: SessionState | null, theirs: SessionState): SessionState {
  if (!mine) return theirs;
  // (the side whose `key` comes later; either, where they are the same)
  const pick = (key: (s: SessionState) => unknown) => (order(key(mine), key(theirs)) < 0 ? theirs : mine);
  if (mine.sessionIndex !== theirs.sessionIndex || mine.sessionId !== theirs.sessionId)
    return pick((s) => [s.sessionIndex, s.sessionId]);
  const first = pick((s) => [-(s.firstEventAt ?? Infinity), s.firstEventId]);
  const active = pick((s) => [s.lastEventAt, s.lastPage]);
  const attrs = pick((s) => [s.attributesAt, s.attributes]);
  // (the fields a session never changes, the same in practice, go with the rest of the later write)
  const write = pick((s) => [s.rev, s.siteBackground, s.backgroundReported, s.closed, s.appVersion, s.businessUserId]);
  const fixed = pick((s) => [s.userId, s.previousSessionId]);
  return {
    ...write,
    userId: fixed.userId,
    previousSessionId: fixed.previousSessionId,
    firstEventId: first.firstEventId,
    firstEventAt: first.firstEventAt,
    eventIndex: Math.max(mine.eventIndex, theirs.eventIndex),
    startedAt: Math.min(mine.startedAt, theirs.startedAt),
    lastEventAt: active.lastEventAt,
    lastPage: active.lastPage,
    attributes: attrs.attributes,
    attributesAt: attrs.attributesAt,
    ended: pick((s) => s.ended).ended,
    utm: pick((s) => s.utm).utm,
    profileId: pick((s) => s.profileId).profileId,
    // (the stretches each tab merged cannot be told apart: the count that went further)
    engaged: pick((s) => s.engaged).engaged,
    // (the device's: the later renewal of the server's copy, by either tab)
    copiedAt: pick((s) => s.copiedAt).copiedAt,
  };
}
