/**
 * The one owner of the page's lifecycle signals: `visibilitychange`, `pagehide` and `pageshow`. Nothing
 * else in Stint listens to them. There is no `unload` or `beforeunload` listener anywhere: they are
 * unreliable on mobile and keep the page out of the back/forward cache
 * (https://developer.chrome.com/docs/web-platform/deprecating-unload); "hidden" is the last moment a page
 * can count on. Each signal becomes an input for the core, after what the browser needs at that moment.
 */
import { guard } from '../api';
import type { Dispatch } from '../core/model';
import { pagehide, restore, visibility } from '../core/site';
import { abandonReplies } from '../delivery/transport';
import { readPlace } from '../input';
import { setLeaving } from '../session/stores/db';

/**
 * Gives the core (`signal`) the input of each lifecycle signal, calling `mayLeave` first when the page may
 * be going away (whatever Stint still waits for must not hold what it has); returns the function that stops.
 */
export function watchPage(signal: Dispatch, mayLeave: () => void): () => void {
  // The HTML standard's "unload a document" fires pagehide before visibilitychange
  // (https://html.spec.whatwg.org/multipage/document-lifecycle.html#unloading-documents): once the page has
  // exited, the hidden that follows says nothing new.
  let exited = false;
  // (each guarded: nothing Stint does throws into the page's event dispatch)
  const onVisibility = () =>
    guard(() => {
      if (exited) return;
      const hidden = document.visibilityState === 'hidden';
      if (hidden) mayLeave();
      signal([visibility, Date.now(), hidden]);
    });
  const onPageHide = (e: PageTransitionEvent) =>
    guard(() => {
      exited = true;
      mayLeave();
      // Nothing left pending that could block the next page (see db.ts).
      setLeaving(true);
      // `persisted`: into the back/forward cache, where the page may come back, or be evicted silently.
      signal([pagehide, Date.now(), e.persisted]);
    });
  const onPageShow = (e: PageTransitionEvent) =>
    guard(() => {
      if (!e.persisted) return;
      exited = false;
      // Back from the back/forward cache: nothing it started before is waited for (see db.ts and transport.ts).
      setLeaving(false);
      abandonReplies();
      signal([restore, Date.now(), readPlace()]);
    });
  addEventListener('visibilitychange', onVisibility, true);
  addEventListener('pagehide', onPageHide, true);
  addEventListener('pageshow', onPageShow, true);
  return () => {
    removeEventListener('visibilitychange', onVisibility, true);
    removeEventListener('pagehide', onPageHide, true);
    removeEventListener('pageshow', onPageShow, true);
  };
}
