/**
 * Route changes of a single-page app, for `autoPageViews`: `history.pushState` and `replaceState`
 * (wrapped), back and forward, and a link to a fragment (`popstate`: the HTML standard fires it for every
 * same-document navigation, "update document for history step application":
 * https://html.spec.whatwg.org/multipage/browsing-the-web.html#update-document-for-history-step-application).
 * When a change is reported is decided by src/core/route/route.ts; this shell turns the browser's signals into its
 * inputs (a URL change, the app's first change to the document, a task after the frame, the bound's timer)
 * and carries out what it asks.
 *
 * Routers patch `history` too (Next.js's app router replaces `history.pushState` and `replaceState` with
 * its own functions that call the ones it found). Stint wraps the function where it is found, calls it and
 * returns its answer: a patch made before Stint is called by Stint's wrapper, a patch made after calls
 * it. On stop the wrapper is taken out if nothing wrapped it since; otherwise it stays in that chain and
 * only passes the call on.
 */
import { guard } from '../ground/log';
import { routeStart, routeStep, type RouteEffect, type RouteInput } from '../core/route/route';

/** The Navigation API's `navigate` event, what is read of it (not in TypeScript's DOM types yet). */
type NavigateEvent = Event & { navigationType: string; destination: { url: string; sameDocument: boolean } };

/**
 * Calls `onRoute` with the previous URL after each route change since the URL `since` (a watch loaded after the
 * tracker started, as the script tag's part is, reports a change made meanwhile), and the route's URL when it is no
 * longer the page's (`to`); returns the function that stops.
 */
export function watchHistory(
  hash: boolean,
  onRoute: (from: string, to?: string) => void,
  since = location.href,
): () => void {
  let wait = routeStart(since, hash);
  let on = true;
  /** The bound's timer, the task asked for (after a frame, or a poll's), the watch of the document. */
  let bound: ReturnType<typeof setTimeout> | undefined;
  let task: ReturnType<typeof setTimeout> | undefined;
  let watch: MutationObserver | undefined;

  const signal = (type: RouteInput[0], url = location.href) => {
    if (!on) return;
    const [next, effect] = routeStep(wait, [type, Date.now(), url, document.title]);
    wait = next;
    if (effect) (perform[effect[0]] as (...values: unknown[]) => void)(...effect.slice(1));
  };
  const arm = (delay: number) => {
    clearTimeout(bound);
    bound = setTimeout(() => signal('bound'), delay);
  };
  /** A `frame` signal in the next task, instead of the one asked for before. */
  const poll = () => {
    clearTimeout(task);
    task = setTimeout(() => signal('frame'));
  };
  const end = () => {
    clearTimeout(bound);
    clearTimeout(task);
    watch?.disconnect();
  };
  /** What the core's effects are here (src/core/route/route.ts `RouteEffect`). */
  const perform: { [E in RouteEffect as E[0]]: (...values: E extends [string, ...infer V] ? V : never) => void } = {
    watch(delay: number, from?: string, to?: string) {
      if (from) onRoute(from, to);
      end();
      // (its first change only)
      const mine = (watch = new MutationObserver(() => {
        mine.disconnect();
        signal('drawn');
      }));
      mine.observe(document, { subtree: true, childList: true, characterData: true });
      arm(delay);
      // (not cancelled: two URLs before a frame get one task, each poll replacing the last, and a frame after the
      // wait ended gives a signal the core ignores)
      requestAnimationFrame(poll);
    },
    arm,
    poll,
    settle(from?: string) {
      end();
      if (from) onRoute(from);
    },
  };

  const unwrap = [wrap('pushState', signal), wrap('replaceState', signal), hearTraversals(signal)];
  if (location.href !== since) signal('traverse');
  return () => {
    on = false;
    end();
    for (const undo of unwrap) undo();
  };
}

/**
 * Wraps `history[name]` where the function is found (History.prototype, or the history object itself once a router
 * replaced it there), calling `signal` after it. Returns the undo: the wrapper is taken out if nothing wrapped it
 * since.
 */
function wrap(name: 'pushState' | 'replaceState', signal: (type: 'url') => void) {
  let holder: History = history;
  while (!Object.prototype.hasOwnProperty.call(holder, name)) holder = Object.getPrototypeOf(holder);
  const inner = holder[name];
  const ours = function (this: History, ...args: Parameters<History['pushState']>) {
    const answer = inner.apply(this, args);
    guard(() => signal('url'));
    return answer;
  };
  try {
    holder[name] = ours;
  } catch {
    // A frozen history: back and forward are still seen.
  }
  return () => {
    if (holder[name] === ours) holder[name] = inner;
  };
}

/**
 * Back and forward, heard before the app's router, whenever either began to listen: Vue Router renders the route and
 * sets its title (afterEach) in its own popstate listener, and a watch that heard the URL after it (npm's chunk, the
 * tag's part: both start later) took the new title for the old one, saw no change to the document, and waited for its
 * one-second bound; a forward within it started the wait again, and neither was reported (issue 49). The Navigation
 * API's `navigate` comes before any popstate
 * (https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-navigate-event; Chromium, Firefox); elsewhere a
 * capturing popstate listener, which WebKit and Firefox run before the others at the window
 * (https://github.com/whatwg/dom/pull/686: Chromium runs the window's in the order they were added). Returns the stop.
 */
function hearTraversals(signal: (type: 'traverse', url?: string) => void) {
  const onPop = () => guard(() => signal('traverse'));
  const onNavigate = (e: NavigateEvent) =>
    guard(() => e.navigationType === 'traverse' && e.destination.sameDocument && signal('traverse', e.destination.url));
  const navigation = (window as { navigation?: EventTarget }).navigation;
  navigation?.addEventListener('navigate', onNavigate as EventListener);
  addEventListener('popstate', onPop, true);
  return () => {
    navigation?.removeEventListener('navigate', onNavigate as EventListener);
    removeEventListener('popstate', onPop, true);
  };
}
