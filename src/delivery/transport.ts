/**
 * The two ways a batch leaves the page. The native format's bodies are strings, which the browser sends
 * as `text/plain;charset=UTF-8`: a simple request, with no CORS preflight, so `sendBeacon` works
 * cross-origin. The pipelines' formats send JSON (a preflight; both the beacon and a keepalive fetch go
 * through one), with the collector's cookies where the format asks for them. The collector must answer
 * with Access-Control-Allow-Origin for a cross-origin page to read the status (and expose Retry-After).
 */
import { within } from '../bounded';

export interface Answer {
  /** HTTP status, or 0 when the request failed (network error, offline, CORS refusal). */
  status: number;
  /** ms to wait, from a Retry-After header */
  retryAfter: number | null;
  /** the answer's body (a format may read it) */
  text: string;
}

/** How a format's requests go. */
export interface RequestOptions {
  /** Content-Type of the body; default text/plain;charset=UTF-8 (no CORS preflight). */
  type?: string;
  /** The collector's cookies: `include` (its network user id comes back), `omit` (none; a beacon sends them still). */
  credentials?: 'include' | 'omit';
  /** Headers a beacon cannot carry: a keepalive fetch carries them instead. */
  headers?: Record<string, string>;
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const ms = /^\d+$/.test(header.trim()) ? +header * 1000 : Date.parse(header) - now;
  return isFinite(ms) ? Math.max(0, ms) : null;
}

const init = (body: string, o: RequestOptions): RequestInit => ({
  method: 'POST',
  body,
  keepalive: true,
  credentials: o.credentials || 'same-origin',
  headers: o.type || o.headers ? { ...o.headers, ...(o.type ? { 'Content-Type': o.type } : {}) } : undefined,
});

/** [issue 11] An answer that has not come by then is given up on, as a network error (the request may still land). */
const ANSWER_WAIT = 30_000;
/** [issue 11] The answers awaited now. */
const awaited = new Set<() => void>();

/**
 * [issue 11] Gives up on every answer awaited now, as network errors: called when the page is back from the
 * back/forward cache, since WebKit never settles a keepalive fetch that was in flight when the page entered it.
 */
export function abandonAnswers(): void {
  for (const giveUp of awaited) giveUp();
}

/** A keepalive fetch: it outlives the page, and while the page lives its answer says what to do next. */
export function post(url: string, body: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const settle = (answer: Answer) => (awaited.delete(giveUp), resolve(answer));
    const giveUp = () => settle(FAILED);
    awaited.add(giveUp);
    within(
      fetch(url, init(body, options)).then(async (response) => {
        // Chromium counts a keepalive body against its 64 KB quota until the response is read to the end.
        const text = await response.text();
        return { status: response.status, retryAfter: parseRetryAfter(response.headers.get('Retry-After'), Date.now()), text };
      }),
      ANSWER_WAIT,
    ).then(settle, giveUp);
  });
}

/** A network error, an answer that did not come in time, or one given up on. */
const FAILED: Answer = { status: 0, retryAfter: null, text: '' };

/**
 * For a page that is going away: `sendBeacon`, or a keepalive fetch where the beacon is missing or
 * refused. True when the browser took the batch; there will be no answer. A request with headers goes by
 * keepalive fetch (a beacon cannot carry them), which the browser takes in the same way.
 */
export function beacon(url: string, body: string, options: RequestOptions = {}): boolean {
  if (!options.headers) {
    try {
      if (navigator.sendBeacon?.(url, options.type ? new Blob([body], { type: options.type }) : body)) return true;
    } catch {
      // Some browsers throw on a body past their beacon limit: same as a refusal.
    }
  }
  try {
    fetch(url, init(body, options)).catch(() => {});
    return !!options.headers;
  } catch {
    // Nothing more can be done for this batch now; it stays in the outbox.
    return false;
  }
}
