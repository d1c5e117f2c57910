/**
 * The two ways a batch leaves the page. Bodies are strings, which the browser sends as
 * `text/plain;charset=UTF-8`: a simple request, with no CORS preflight, so `sendBeacon` works
 * cross-origin. The collector must answer with Access-Control-Allow-Origin for a cross-origin
 * page to read the status (and expose Retry-After).
 */

export interface Answer {
  /** HTTP status, or 0 when the request failed (network error, offline, CORS refusal). */
  status: number;
  /** ms to wait, from a Retry-After header */
  retryAfter: number | null;
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const ms = /^\d+$/.test(header.trim()) ? +header * 1000 : Date.parse(header) - now;
  return isFinite(ms) ? Math.max(0, ms) : null;
}

/** A keepalive fetch: it outlives the page, and while the page lives its answer says what to do next. */
export async function post(url: string, body: string): Promise<Answer> {
  try {
    const response = await fetch(url, { method: 'POST', body, keepalive: true });
    // Chromium counts a keepalive body against its 64 KB quota until the response is read to the end.
    await response.text();
    return { status: response.status, retryAfter: parseRetryAfter(response.headers.get('Retry-After'), Date.now()) };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/**
 * For a page that is going away: `sendBeacon`, or a keepalive fetch where the beacon is missing or
 * refused. True when the browser took the batch; there will be no answer.
 */
export function beacon(url: string, body: string): boolean {
  try {
    if (navigator.sendBeacon?.(url, body)) return true;
  } catch {
    // Some browsers throw on a body past their beacon limit: same as a refusal.
  }
  try {
    fetch(url, { method: 'POST', body, keepalive: true }).catch(() => {});
  } catch {
    // Nothing more can be done for this batch now; it stays in the outbox.
  }
  return false;
}
