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
import { readPlace, uuids } from '../input';
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
  const onVisibility = () => {
    if (exited) return;
    const hidden = document.visibilityState === 'hidden';
    if (hidden) mayLeave();
    signal(visibility, Date.now(), hidden);
  };
  const onPageHide = (e: PageTransitionEvent) => {
    exited = true;
    mayLeave();
    // Nothing left pending that could block the next page (see db.ts).
    setLeaving(true);
    // `persisted`: into the back/forward cache, where the page may come back, or be evicted silently.
    signal(pagehide, Date.now(), e.persisted);
  };
  const onPageShow = (e: PageTransitionEvent) => {
    if (!e.persisted) return;
    exited = false;
    // Back from the back/forward cache: nothing it started before is waited for (see db.ts and transport.ts).
    setLeaving(false);
    abandonReplies();
    signal(restore, Date.now(), uuids.random(), uuids.random(), readPlace());
  };
  // (each guarded: nothing Stint does throws into the page's event dispatch)
  const listeners: [string, (e: PageTransitionEvent) => void][] = [
    ['visibilitychange', onVisibility],
    ['pagehide', onPageHide],
    ['pageshow', onPageShow],
  ].map(([type, on]) => [type as string, (e: PageTransitionEvent) => guard(() => (on as (e: PageTransitionEvent) => void)(e))]);
  for (const [type, listener] of listeners) addEventListener(type, listener as EventListener, true);
  return () => {
    for (const [type, listener] of listeners) removeEventListener(type, listener as EventListener, true);
  };
}
