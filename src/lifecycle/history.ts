/**
 * Route changes of a single-page app, for `autoPageViews`: `history.pushState` and `replaceState`
 * (wrapped), back and forward, and a link to a fragment (`popstate`: the HTML standard fires it for every
 * same-document navigation, "update document for history step application":
 * https://html.spec.whatwg.org/multipage/browsing-the-web.html#update-document-for-history-step-application).
 * When a change is reported is decided by src/core/route.ts; this shell turns the browser's signals into its
 * inputs (a URL change, the app's first change to the document, a task after the frame, the bound's timer)
 * and carries out what it asks.
 *
 * Routers patch `history` too (Next.js's app router replaces `history.pushState` and `replaceState` with
 * its own functions that call the ones it found). Stint wraps the function where it is found, calls it and
 * returns its answer: a patch made before Stint is called by Stint's wrapper, a patch made after calls
 * it. On stop the wrapper is taken out if nothing wrapped it since; otherwise it stays in that chain and
 * only passes the call on.
 */
import { guard } from '../log';
import { routeStart, routeStep, type RouteEffect, type RouteInput } from '../core/route';

/**
 * Calls `onRoute` with the previous URL after each route change since the URL `since` (a watch loaded after the
 * tracker started, as the script tag's part is, reports a change made meanwhile); returns the function that stops.
 */
export function watchHistory(hash: boolean, onRoute: (from: string) => void, since = location.href): () => void {
  let wait = routeStart(since, hash);
  let on = true;
  /** The bound's timer, the task asked for (after a frame, or a poll's), the watch of the document. */
  let bound: ReturnType<typeof setTimeout> | undefined;
  let task: ReturnType<typeof setTimeout> | undefined;
  let watch: MutationObserver | undefined;

  const signal = (type: RouteInput[0]) => {
    if (!on) return;
    const [next, effect] = routeStep(wait, [type, Date.now(), location.href, document.title]);
    wait = next;
    if (effect) (perform[effect[0]] as (value: unknown) => void)(effect[1]);
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
  /** What the core's effects are here (src/core/route.ts `RouteEffect`). */
  const perform: { [E in RouteEffect as E[0]]: (value: E[1]) => void } = {
    watch(delay: number) {
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

  const wrap = (name: 'pushState' | 'replaceState') => {
    // Where the function is found: History.prototype, or the history object itself once a router replaced it there.
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
  };

  const unwrap = [wrap('pushState'), wrap('replaceState')];
  const onPop = () => guard(() => signal('url'));
  addEventListener('popstate', onPop);
  if (location.href !== since) onPop();
  return () => {
    on = false;
    end();
    removeEventListener('popstate', onPop);
    for (const undo of unwrap) undo();
  };
}
