/**
 * When consent was last withdrawn on the device (`stint:withdrawn`: the time alone, no identifier), for the pages a
 * withdrawal cannot reach by the tabs' channel: one in the back/forward cache, a frozen one (it left the channel). At
 * its restore or resume such a page reads it, and a withdrawal since its own grant ends its consent too, before
 * anything is recorded (core/step.ts `withdrawnAway`). Without it, a page restored after a withdrawal elsewhere wrote
 * its session back and sent it: test/sim regression.
 */
const KEY = 'stint:withdrawn';

export function markWithdrawn(at: number): void {
  try {
    localStorage.setItem(KEY, String(at));
  } catch {
    // Refused: the pages away hear nothing of it (their consent stays as it was until the site says otherwise).
  }
}

/** When consent was last withdrawn here (0: never, or unknown). */
export function readWithdrawn(): number {
  try {
    return Number(localStorage.getItem(KEY)) || 0;
  } catch {
    return 0;
  }
}
