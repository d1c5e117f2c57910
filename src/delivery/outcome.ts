/**
 * The last delivery outcome of the site's pages, in localStorage (`stint:outcome`: `1 <ms> <n>` a 2xx, `0 <ms> <n>` a
 * failure or the browser going offline, the n-th shared), so that a page that has sent nothing yet knows whether
 * delivery works before it counts a beacon as delivered (core/send/send.ts `works`). Written with consent only (where
 * there is an outbox), erased at a withdrawal; where localStorage is refused, a page judges by what it learned itself.
 */
import type { Outcome } from '../core/send/send-model';

const KEY = 'stint:outcome';

/** The site's last outcome, with its number in the order they were shared (`seq`), or null. */
export function readOutcome(): Outcome | null {
  try {
    const [ok, at, seq] = (localStorage.getItem(KEY) || '').split(' ');
    return at && (ok === '1' || ok === '0') && Number.isFinite(+at) ? [ok === '1', +at, +seq || 0] : null;
  } catch {
    return null;
  }
}

/** Shares an outcome as the site's last; returns its number in the order they were shared. */
export function shareOutcome([ok, at]: Outcome): number {
  const seq = (readOutcome()?.[2] ?? 0) + 1;
  try {
    localStorage.setItem(KEY, `${ok ? 1 : 0} ${at} ${seq}`);
  } catch {
    // Refused (sandboxed, private mode, full): each page judges by what it learned itself.
  }
  return seq;
}

/** Consent withdrawn: nothing of Stint stays on the device. */
export function eraseOutcome(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing was stored there
  }
}
