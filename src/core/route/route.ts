/**
 * When a single-page app's route change is reported (`autoPageViews`; src/lifecycle/history.ts gives the
 * signals): once the app has had the chance to render the route and set its title. That is in a task after
 * the next frame once the title is not the last route's, and at most `SETTLE` ms after the app changed the
 * document, since a hidden page gets no frames (browsers skip the rendering of hidden documents, and
 * requestAnimationFrame with it: https://html.spec.whatwg.org/multipage/webappapis.html#update-the-rendering)
 * and a route may keep the title. (React renders a route after the frame that follows the URL change, and
 * its effects run in a task after that: React Router's title, set in an effect, came a task after the frame,
 * seen in e2e/recipes.spec.ts.) The bound counts from the app's first change to the document after the URL's
 * (a MutationObserver), not from the URL's: React's scheduler posts the render as a MessageChannel message,
 * which WebKit carries through its network process (https://github.com/WebKit/WebKit/pull/5705), and under
 * load it came more than 100 ms after the URL (e2e/history.spec.ts, webkit-tag, in CI). An app that changes
 * nothing is waited for up to `UNTITLED` ms.
 * A document with no title is not yet the route's: Next.js's App Router streams a route's metadata after its content
 * (its <title> inside a Suspense boundary, `Next.Metadata`), so between them the old <title> is gone and the new one
 * not there yet; seen in e2e/recipes.spec.ts under load. A title that went empty is waited for up to `UNTITLED` ms.
 * A new URL meanwhile starts the wait again: changes made in one go are one route change (a redirect: a
 * push, then a replace). But a step back or forward (a traversal) is the person's, never a redirect: one that the app
 * has rendered is reported when the next URL comes before its frame (back, then forward at once).
 * Only a change of path or query counts, or of the hash as well when `hash`.
 * Proven in test/core/route.test.ts, a table of the shell's signals and their times.
 */

/**
 * How long a route change waits for the next frame and the app's title at most once the app changed the document (a
 * hidden page has no frames).
 */
export const SETTLE = 100;
/**
 * How long a route change waits at most for the app to change the document, or for a title when it removed the last
 * route's.
 */
export const UNTITLED = 1000;

/** Where the app's routes stand. */
export interface RouteWait {
  /** a change of the hash alone is a route change too (`history+hash`) */
  readonly withHash: boolean;
  /** the URL of the last route reported */
  readonly last: string;
  /** the URL at the latest change */
  readonly seen: string;
  /** when it came, while its route is waited for (null: none is) */
  readonly since: number | null;
  /** the document's title then (the last route's) */
  readonly oldTitle: string;
  /** the app has changed the document since */
  readonly redrawn: boolean;
  /** the route waited for was reached by a step back or forward */
  readonly traversal: boolean;
}

/**
 * A signal of the shell, when it came (epoch ms), and the page then (its URL, the document's title).
 * `url`: a pushState or a replaceState; `traverse`: a step back or forward (or a link to a fragment: popstate), heard
 * before the app's router (its URL the one it leads to); `drawn`: the app's first change to the document since the
 * URL's; `frame`: a task after the frame asked for, or the task a poll asked for; `bound`: the armed bound.
 */
export type RouteInput = readonly [
  type: 'url' | 'traverse' | 'drawn' | 'frame' | 'bound',
  at: number,
  url: string,
  title: string,
];

/** What the shell must do. */
export type RouteEffect =
  /**
   * a route change is waited for: a `drawn` input at the app's first change to the document from now, a `bound`
   * input in `delay` ms, a `frame` input in a task after the next frame (each instead of the one asked for before);
   * first, with `from`: report the route change from that URL to `to` (a traversal's route, left before its frame)
   */
  | [type: 'watch', delay: number, from?: string, to?: string]
  /** a `bound` input in `delay` ms, instead of the one armed */
  | [type: 'arm', delay: number]
  /** a `frame` input in the next task */
  | [type: 'poll']
  /**
   * the wait is over: nothing armed, observed or asked for any more; `from`: report a route change from that URL (to
   * the input's)
   */
  | [type: 'settle', from?: string];

/** The wait after a signal, and what the shell must do (none: nothing). */
export type RouteNext = [wait: RouteWait, effect?: RouteEffect];

/** No route waited for yet, the page at `url`. */
export const routeStart = (url: string, hash: boolean): RouteWait => ({
  withHash: hash,
  last: url,
  seen: url,
  since: null,
  oldTitle: '',
  redrawn: false,
  traversal: false,
});

/** What a signal of the shell does to the wait. */
export function routeStep(wait: RouteWait, [type, at, url, title]: RouteInput): RouteNext {
  const key = (u: string) => (wait.withHash ? u : u.split('#')[0]);
  if (type === 'url' || type === 'traverse') {
    // A replace of the same URL (a router saving its state, the scroll position) changes nothing.
    // The wait starts again at each new URL, so the route reported is the one the app rendered last. After the
    // frame, a task at a time until the app has changed the title; the bounds (SETTLE, UNTITLED) for the rest.
    if (url === wait.seen) return [wait];
    const next = { ...wait, seen: url, since: at, oldTitle: title, redrawn: false, traversal: type === 'traverse' };
    // (a traversal's route the app rendered, left before its frame: reported now, from where it was)
    if (wait.since === null || !wait.traversal || !wait.redrawn || key(wait.seen) === key(wait.last))
      return [next, ['watch', SETTLE]];
    return [{ ...next, last: wait.seen }, ['watch', SETTLE, wait.last, wait.seen]];
  }
  if (wait.since === null) return [wait];
  // (the bound starts again: the app renders now, and sets its title in this task or soon after)
  if (type === 'drawn') return [{ ...wait, redrawn: true }, ['arm', SETTLE]];
  const settled =
    type === 'frame'
      ? title && title !== wait.oldTitle
      : // (at the bound: the route as it is, once the app changed the document and left a title, or there was none)
        (wait.redrawn && (title || !wait.oldTitle)) || at - wait.since >= UNTITLED;
  if (!settled) return [wait, type === 'frame' ? ['poll'] : ['arm', SETTLE]];
  const ended = { ...wait, since: null };
  return key(url) === key(wait.last) ? [ended, ['settle']] : [{ ...ended, last: url }, ['settle', wait.last]];
}
