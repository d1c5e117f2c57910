/**
 * Route changes of a single-page app, for `autoPageViews`: `history.pushState` and `replaceState`
 * (wrapped), back and forward, and a link to a fragment (`popstate`: the HTML standard fires it for every
 * same-document navigation, "update document for history step application":
 * https://html.spec.whatwg.org/multipage/browsing-the-web.html#update-document-for-history-step-application).
 * A change is reported once the app has had the chance to render the route and set its title: in a task
 * after the next frame once the title is not the last route's, and at most `SETTLE` ms after the app changed
 * the document, since a hidden page gets no frames (browsers skip the rendering of hidden documents, and
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
 * push, then a replace). Only a change of path or query counts, or of the hash as well when `hash`.
 *
 * Routers patch `history` too (Next.js's app router replaces `history.pushState` and `replaceState` with
 * its own functions that call the ones it found). Stint wraps the function where it is found, calls it and
 * returns its answer: a patch made before Stint is called by Stint's wrapper, a patch made after calls
 * it. On stop the wrapper is taken out if nothing wrapped it since; otherwise it stays in that chain and
 * only passes the call on.
 */
import { guard } from '../api';

/** How long a route change waits for the next frame and the app's title at most once the app changed the document (a hidden page has no frames). */
const SETTLE = 100;
/** How long a route change waits at most for the app to change the document, or for a title when it removed the last route's. */
const UNTITLED = 1000;

/** Calls `onRoute` with the previous URL after each route change; returns the function that stops. */
export function watchHistory(hash: boolean, onRoute: (from: string) => void): () => void {
  const key = (url: string) => (hash ? url : url.split('#')[0]);
  /** The URL of the last route reported, and the URL at the latest change. */
  let last = location.href;
  let seen = last;
  let on = true;
  let pending = 0;
  /** What the app changes in the document after the latest change of URL: watched until its first change (one per change of URL). */
  let watch: MutationObserver | undefined;

  /** Reports the route the app is on, if it is a new one; ends the wait (and its polling: `pending` is 0). */
  const settle = () => {
    clearTimeout(pending);
    watch?.disconnect();
    pending = 0;
    const from = last;
    if (!on || key(from) === key(location.href)) return;
    last = location.href;
    onRoute(from);
  };
  const changed = () => {
    // A replace of the same URL (a router saving its state, the scroll position) changes nothing.
    if (!on || location.href === seen) return;
    seen = location.href;
    // The wait starts again at each new URL, so the route reported is the one the app rendered last. After the
    // frame, a task at a time until the app has changed the title; the bounds (SETTLE, UNTITLED) for the rest.
    watch?.disconnect();
    const title = document.title;
    const since = Date.now();
    let drawn = false;
    // (at the bound: the route as it is, once the app changed the document and left a title, or there was none)
    const expire = () => ((drawn && (document.title || !title)) || Date.now() - since >= UNTITLED ? settle() : wait());
    const wait = () => {
      clearTimeout(pending);
      pending = setTimeout(expire, SETTLE);
    };
    const mine = (watch = new MutationObserver(() => {
      mine.disconnect();
      drawn = true;
      // (the bound starts again: the app renders now, and sets its title in this task or soon after)
      if (pending) wait();
    }));
    mine.observe(document, { subtree: true, childList: true, characterData: true });
    wait();
    const titled = () => pending && watch === mine && (document.title && document.title !== title ? settle() : setTimeout(titled));
    requestAnimationFrame(() => setTimeout(titled));
  };

  const wrap = (name: 'pushState' | 'replaceState') => {
    // Where the function is found: History.prototype, or the history object itself once a router replaced it there.
    let holder: History = history;
    while (!Object.prototype.hasOwnProperty.call(holder, name)) holder = Object.getPrototypeOf(holder);
    const inner = holder[name];
    const ours = function (this: History, ...args: Parameters<History['pushState']>) {
      const answer = inner.apply(this, args);
      guard(changed);
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
  const onPop = () => guard(changed);
  addEventListener('popstate', onPop);
  return () => {
    on = false;
    settle();
    removeEventListener('popstate', onPop);
    for (const undo of unwrap) undo();
  };
}
