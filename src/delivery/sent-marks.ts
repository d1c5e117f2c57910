/**
 * What a page that goes away knows it sent, kept where the next page can read it. When a page is
 * closed or navigated away, the browser aborts its unfinished IndexedDB transactions: the removal of
 * the entries it just beaconed (or whose request was still in flight) from the outbox never happens,
 * and the next page would send them again. localStorage is written synchronously, so what the page
 * knows at `pagehide` is kept: the ids of those entries, which the next sender removes from the
 * outbox instead of sending. Bounded; where localStorage is refused, the next page may send them
 * again (the collector drops them by `eventId`).
 */
const KEY = 'stint:sent';
/** Ids kept at most: far more than the 64 KB a leaving page may have in flight. */
const MAX_MARKS = 2000;

export function readMarks(): Set<string> {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || '[]');
    return new Set(Array.isArray(value) ? value.filter((id) => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

function write(ids: string[]): void {
  try {
    if (ids.length) localStorage.setItem(KEY, JSON.stringify(ids.slice(-MAX_MARKS)));
    else localStorage.removeItem(KEY);
  } catch {
    // Refused (sandboxed, private mode, full): the next page may send these again.
  }
}

/** Marks `ids` as sent, beside what other pages marked. */
export function mark(ids: string[]): void {
  if (ids.length) write([...readMarks(), ...ids]);
}

/** The outbox no longer holds `ids`: their marks go, and only theirs (other pages may have marked more since). */
export function unmark(ids: Set<string>): void {
  if (ids.size) write([...readMarks()].filter((id) => !ids.has(id)));
}

/** Consent withdrawn: nothing of Stint stays on the device. */
export function eraseMarks(): void {
  write([]);
}
