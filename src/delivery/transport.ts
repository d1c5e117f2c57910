/**
 * The two ways a batch leaves the page. The native format's bodies are strings, which the browser sends
 * as `text/plain;charset=UTF-8`: a simple request, with no CORS preflight, so `sendBeacon` works
 * cross-origin. The pipelines' formats send JSON (a preflight; both the beacon and a keepalive fetch go
 * through one), with the collector's cookies where the format asks for them. The collector must answer
 * with Access-Control-Allow-Origin for a cross-origin page to read the status (and expose Retry-After).
 */
import type { RequestOptions } from '../core/formats/format';
import type { Reply } from '../core/send/send';
import { lifeMark } from '../ground/db';
import { guard } from '../ground/log';

const init = (body: string | ArrayBuffer, o: RequestOptions, encoding?: string, signal?: AbortSignal): RequestInit => ({
  method: 'POST',
  body,
  keepalive: true,
  signal,
  // A redirect is not followed: after a 301, 302 or 303 the browser would GET the new URL, and its 200 would count a
  // batch delivered that nobody received (https://fetch.spec.whatwg.org/#http-redirect-fetch). Its answer is an
  // opaque redirect: a failure.
  redirect: 'manual',
  credentials: o.credentials || 'same-origin',
  // (gzipped, the body is bytes, which carry no type of their own: the text's is said)
  headers:
    o.type || o.headers || encoding
      ? {
          ...o.headers,
          'Content-Type': o.type || 'text/plain;charset=UTF-8',
          ...(encoding && { 'Content-Encoding': encoding }),
        }
      : undefined,
});

/**
 * `compression: 'gzip'`: the body gzipped by the browser's own CompressionStream
 * (https://compression.spec.whatwg.org/), streamed to the end first (a keepalive request cannot have a stream as its
 * body: https://fetch.spec.whatwg.org/#dom-request); the text where that fails (an engine without CompressionStream).
 */
const gzipped = (body: string): Promise<[body: string | ArrayBuffer, encoding?: string]> =>
  new Promise<ArrayBuffer>((done) =>
    done(new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()),
  ).then(
    (bytes) => [bytes, 'gzip'],
    () => [body],
  );

/** Posts still being gzipped: each sends its text at once when called. */
const gzipping = new Set<() => void>();

/**
 * Sends at once, plain, every post still being gzipped: the page leaves or freezes, and a request in flight must
 * have left by then (it counts as delivered, core/send/send.ts `beaconed`), which an unfinished gzip would not have.
 */
export function sendNow(): void {
  for (const now of gzipping) now();
}

/**
 * A network error is taken this long after it comes: the page may be leaving (see `post`; seen 0-40 ms from pagehide).
 * A real one this close to a page's leaving is taken as the request in flight it was a moment before (delivery.md).
 */
const LEAVE_WAIT = 250;
/**
 * A reply that has not come by then is given up on, as a network error (the request may still land), and the request
 * aborted: a collector that holds its answers would otherwise hold the browser's connections to its host (six in
 * Chromium), and the retries would queue behind them (seen by scripts/chaos.mjs against a hanging collector).
 */
const ANSWER_WAIT = 30_000;
/** The replies awaited now: each one's give-up, and when its timer is due. */
const awaited = new Map<(answer?: Reply) => void, number>();

/**
 * Gives up on every reply awaited now, as network errors: called when the page is back from the
 * back/forward cache, since WebKit never settles a keepalive fetch that was in flight when the page entered
 * it (seen in e2e/bfcache.spec.ts "a page whose send is in flight when the navigation starts is restored
 * too"; no upstream bug found. A document in the cache is not fully active, and the W3C TAG asks APIs to
 * handle that: https://w3ctag.github.io/design-principles/#support-non-fully-active).
 */
export function abandonReplies(): void {
  for (const giveUp of awaited.keys()) giveUp(ABANDONED);
}

/**
 * Gives up now on the replies whose timer is due (a network error heard `LEAVE_WAIT` ago, no answer in
 * `ANSWER_WAIT`), as a page hides, leaves or freezes: a hidden page's timers wake at whole seconds (Chromium:
 * https://developer.chrome.com/blog/timer-throttling-in-chrome-88), and one that went before its timer woke handed a
 * request it knew had failed over as in flight (test/sim seeds 6150, 36258, 35783: a network error 720 ms old).
 */
export function takeDue(): void {
  for (const [giveUp, due] of awaited) if (Date.now() >= due) giveUp();
}

/**
 * A keepalive fetch: it outlives the page, and while the page lives its answer says what to do next. `mine`: the
 * give-ups of the caller's replies (a sender that stops gives up on them: its next start sends those entries again).
 * `heard`: the answer, in the task it comes in (one given up on as the page goes must count before its beacons do).
 */
export function post(
  url: string,
  body: string,
  options: RequestOptions,
  mine: Set<() => void>,
  heard?: (answer: Reply) => void,
): Promise<Reply> {
  return new Promise((resolve) => {
    const settle = (answer: Reply) => {
      // (once: a network error's timer may wake after the page took it as due)
      if (!awaited.delete(giveUp)) return;
      clearTimeout(timer);
      gzipping.delete(now);
      mine.delete(giveUp);
      heard?.(answer);
      resolve(answer);
    };
    const giveUp = (answer = FAILED) => settle(answer);
    const control = typeof AbortController == 'function' ? new AbortController() : null;
    const timer = setTimeout(() => (giveUp(), control?.abort()), ANSWER_WAIT);
    awaited.set(giveUp, Date.now() + ANSWER_WAIT);
    mine.add(giveUp);
    let request: Promise<Response> | undefined;
    const send = (sent: string | ArrayBuffer, encoding?: string) =>
      (request ||= fetch(url, init(sent, options, encoding, control?.signal)));
    const now = () => send(body);
    if (options.gzip) gzipping.add(now);
    (options.gzip ? gzipped(body) : Promise.resolve<[string]>([body]))
      .then(([sent, encoding]) => (gzipping.delete(now), send(sent, encoding)))
      .then(async (response) => {
        if (response.type === 'opaqueredirect') return MOVED;
        // A keepalive body counts against the 64 KiB in flight until its response is read to the end (the fetch
        // record's done flag: https://fetch.spec.whatwg.org/#http-network-or-cache-fetch; WebKit made it so in
        // https://bugs.webkit.org/show_bug.cgi?id=269464, and Chromium keeps it so).
        const text = await response.text();
        return {
          status: response.status,
          retryAfter: response.headers.get('Retry-After'),
          text,
        };
      })
      // A network error may be the page's own navigation: Chromium rejects a keepalive fetch in flight as the next
      // document commits, just before or after pagehide, while the request goes on and lands (e2e/guarantees.spec.ts
      // "nothing is sent twice when a page closes or navigates", whose judged failure sent its pages' beacons again).
      // Heard a moment later it is news only from a page that is still here: one that left hears it as none. Online, it
      // may be the configuration (a refused connection, CORS: core/send/batch.ts `unreached`); offline, it is not.
      .then(settle, () => {
        if (awaited.has(giveUp)) awaited.set(giveUp, Math.min(awaited.get(giveUp)!, Date.now() + LEAVE_WAIT));
        setTimeout(() => giveUp(lifeMark() < 0 ? ABANDONED : wentOffline() ? FAILED : REFUSED), LEAVE_WAIT);
      });
  });
}

/** A network error, an answer that did not come in time, or one given up on. */
const FAILED: Reply = { status: 0, retryAfter: null, text: '' };
const MOVED: Reply = { ...FAILED, moved: true };
const REFUSED: Reply = { ...FAILED, refused: true };
const ABANDONED: Reply = { ...FAILED, abandoned: true };

/**
 * For a page that is going away: `sendBeacon`, or a keepalive fetch where the beacon is missing or
 * refused. True when the browser took the batch; there will be no answer. A request with headers goes by
 * keepalive fetch (a beacon cannot carry them), which the browser takes in the same way. Never gzipped: that takes
 * time, which a page that leaves does not give.
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

/**
 * The browser went offline, and still is: Chromium holds a frozen page's or a cached page's `offline` and `online`
 * events and gives them both at its resume, when `navigator.onLine` is true again (scripts/chaos.mjs saw it, and the
 * site's last outcome became a failure that came seconds after the spell: the beacons that followed were sent again).
 * The spell is over by then: what it cut short, the requests' own failures say.
 */
export const wentOffline = (): boolean => navigator.onLine === false;

/** The network's `online` and `offline` events (a stale `offline`: none), each guarded; returns what stops them. */
export function watchNetwork(online: () => void, offline: () => void): () => void {
  const [on, off] = [() => guard(online), () => guard(() => wentOffline() && offline())];
  (addEventListener('online', on), addEventListener('offline', off));
  return () => (removeEventListener('online', on), removeEventListener('offline', off));
}
