/**
 * Every wait has a bound. Browser storage can stall without failing: in WebKit an IndexedDB
 * transaction started by a page that went into the back/forward cache stays pending, and every
 * later transaction on that database waits behind it until the page is evicted (tens of seconds:
 * https://bugs.webkit.org/show_bug.cgi?id=315804).
 */

/** `promise`, or a rejection once `ms` have passed without an answer. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
