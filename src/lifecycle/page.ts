/**
 * The one owner of the page's lifecycle signals: `visibilitychange`, `pagehide` and `pageshow`.
 * Nothing else in Stint listens to them. There is no `unload` or `beforeunload` listener anywhere:
 * they are unreliable on mobile and keep the page out of the back/forward cache
 * (https://developer.chrome.com/docs/web-platform/deprecating-unload); "hidden" is the last moment
 * a page can count on.
 */

export type PageSignal =
  /** the page became hidden (tab switch, minimised, or about to go away) */
  | 'hidden'
  | 'visible'
  /** `pagehide` for good: navigation away, tab closed */
  | 'exit'
  /** `pagehide` into the back/forward cache: the page may come back, or be evicted silently */
  | 'freeze'
  /** `pageshow` from the back/forward cache */
  | 'restore';

/** Calls `listener` with each lifecycle signal; returns the function that stops listening. */
export function watchPage(listener: (signal: PageSignal) => void): () => void {
  // Chromium fires pagehide before visibilitychange when a page is unloaded (the HTML "unload a
  // document" steps); once the page has exited, the hidden that follows says nothing new.
  let exited = false;
  const onVisibility = () => {
    if (!exited) listener(document.visibilityState === 'hidden' ? 'hidden' : 'visible');
  };
  const onPageHide = (e: PageTransitionEvent) => {
    exited = true;
    listener(e.persisted ? 'freeze' : 'exit');
  };
  const onPageShow = (e: PageTransitionEvent) => {
    if (!e.persisted) return;
    exited = false;
    listener('restore');
  };
  addEventListener('visibilitychange', onVisibility, true);
  addEventListener('pagehide', onPageHide, true);
  addEventListener('pageshow', onPageShow, true);
  return () => {
    removeEventListener('visibilitychange', onVisibility, true);
    removeEventListener('pagehide', onPageHide, true);
    removeEventListener('pageshow', onPageShow, true);
  };
}
