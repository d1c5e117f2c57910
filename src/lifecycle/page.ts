/**
 * The one owner of the page's lifecycle signals: `visibilitychange`, `pagehide`, `pageshow`, `freeze` and `resume`.
 * Nothing else in Stint listens to them. There is no `unload` or `beforeunload` listener anywhere: they are unreliable
 * on mobile and keep the page out of the back/forward cache
 * (https://developer.chrome.com/docs/web-platform/deprecating-unload); "hidden" is the last moment a page can count on.
 * The shell turns each signal into an input for the core (shell/signals.ts), after what the browser needs at that
 * moment.
 */
import { guard } from '../ground/log';

/** What the shell does at each signal (each turned into an input for the core there). */
export interface PageSignals {
  /** the page may be going away: whatever Stint still waits for must not hold what it has (first, at each of those) */
  mayLeave(): void;
  /** visibilitychange: the page is hidden, or shown */
  hidden(hidden: boolean): void;
  /** pagehide; `persisted`: into the back/forward cache, where the page may come back, or be evicted silently */
  left(persisted: boolean): void;
  /** pageshow from the back/forward cache */
  restored(): void;
  /** freeze: what a hidden page does (saves, beacons), and nothing left pending */
  froze(): void;
  /** resume (the visibility follows) */
  resumed(): void;
}

/** Gives `on` each lifecycle signal; returns the function that stops. */
export function watchPage(on: PageSignals): () => void {
  // The HTML standard's "unload a document" fires pagehide before visibilitychange
  // (https://html.spec.whatwg.org/multipage/document-lifecycle.html#unloading-documents): once the page has
  // exited, the hidden that follows says nothing new.
  let exited = false;
  // (each guarded: nothing Stint does throws into the page's event dispatch)
  const onVisibility = () =>
    guard(() => {
      if (exited) return;
      const hidden = document.visibilityState === 'hidden';
      if (hidden) on.mayLeave();
      on.hidden(hidden);
    });
  const onPageHide = (e: PageTransitionEvent) =>
    guard(() => {
      exited = true;
      on.mayLeave();
      on.left(e.persisted);
    });
  const onPageShow = (e: PageTransitionEvent) =>
    guard(() => {
      if (!e.persisted) return;
      exited = false;
      on.restored();
    });
  // Chrome freezes background tabs (https://developer.chrome.com/docs/web-platform/page-lifecycle-api): a
  // frozen page runs almost nothing (its BroadcastChannel messages still run in Chromium 156, so it leaves the
  // tabs' channel: tracker.ts), and may be discarded without a pagehide. At `freeze` it does
  // what a hidden page does (saves, beacons), its database transactions committed (an IndexedDB write left to
  // auto-commit in a frozen tab blocks the other tabs' reads until it resumes), and its requests in flight count
  // as delivered, as a leaving page's do: they outlive the freeze, and another tab must not send them again. At
  // `resume`, another tab may have sent and written meanwhile: the sender claims the turn and reads the outbox
  // again before it sends, and the core reads the session again before it records anything (core/session/site.ts
  // `resume`).
  const onFreeze = () =>
    guard(() => {
      on.mayLeave();
      on.froze();
    });
  const onResume = () =>
    guard(() => {
      on.resumed();
      // (a page frozen while visible, which Chrome does not do itself, is visible again)
      onVisibility();
    });
  const listeners: [EventTarget, string, (e: never) => void][] = [
    [window, 'visibilitychange', onVisibility],
    [window, 'pagehide', onPageHide],
    [window, 'pageshow', onPageShow],
    [document, 'freeze', onFreeze],
    [document, 'resume', onResume],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener as EventListener, true);
  return () => {
    for (const [target, type, listener] of listeners) target.removeEventListener(type, listener as EventListener, true);
  };
}
