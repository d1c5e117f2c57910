/**
 * Events in the order they were tracked: by session, then by their index in it. The collector records
 * them in the order they arrived, and two requests in flight at once (a beacon at pagehide beside a
 * fetch still on its way) may arrive in either order: delivery is at-least-once, not in order.
 */
export function inTrackedOrder<E extends { session: object }>(events: E[]): E[] {
  const at = (e: E) => e.session as { sessionIndex: number; eventIndex: number };
  return [...events].sort((a, b) => at(a).sessionIndex - at(b).sessionIndex || at(a).eventIndex - at(b).eventIndex);
}
