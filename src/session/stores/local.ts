/**
 * The cookie's mirror, in localStorage: when the cookie is gone (cleared, capped at 7 days by Safari:
 * https://webkit.org/blog/8613/intelligent-tracking-prevention-2-1/, evicted) the session and the device id
 * come back from it. localStorage answers synchronously, so a
 * start never waits for it (an IndexedDB mirror made every first visit wait tens of ms for the database
 * to open); behind the cookie it is written at most every few seconds, and whenever the page is hidden or leaves;
 * behind IndexedDB, at every save (keeper.ts).
 */
import type { SessionStore } from '../../ground/types';

const KEY = 'stint:mirror';

/** The mirror, or null where localStorage is refused (sandboxed frames, some private modes). */
export function localMirror(): SessionStore | null {
  try {
    localStorage.getItem(KEY);
  } catch {
    return null;
  }
  return {
    name: 'LOCAL_STORAGE',
    get: () => localStorage.getItem(KEY),
    set: (value) => localStorage.setItem(KEY, value),
    delete: () => localStorage.removeItem(KEY),
  };
}

/** Consent withdrawn: the mirror goes with everything else. */
export function eraseMirror(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing was stored there
  }
}
