/**
 * The site's foreground and background, built on this page's signals (`lifecycle/page`) and the other
 * tabs (`tabs`). Two concepts, two names: this page is *hidden* or not; the *site* is in the
 * background when no tab of it is visible. A change of the site's state is an `application_background`
 * or `application_foreground` event (or, with lifecycle events off, a silent step of the session
 * rules); a page that exits is an `application_exit`; a page that is hidden or leaves sends and saves
 * what it has at once, since it may never come back. A page that enters the back/forward cache leaves
 * nothing pending that could block the next one (`setLeaving`), and one restored from it waits for
 * nothing it started before (`abandonAnswers`).
 */
import { abandonAnswers } from '../delivery/transport';
import { setLeaving } from '../session/stores/idb';
import type { Tabs } from '../tabs';
import type { PageSignal } from './page';

/** What the site needs of the tracker it belongs to. */
export interface SiteHost {
  _now(): number;
  /** The site's state as the session last recorded it (any tab may have changed it), if a session is kept. */
  _recordedBackground(): boolean | undefined;
  /** The site moved to the background or came back at `at`: an event when `event`, else a silent step. */
  _siteChanged(at: number, siteBackground: boolean, event: boolean): void;
  /** This page leaves for good (navigation away, tab closed): the `application_exit` event. */
  _exit(at: number, siteBackground: boolean): void;
  /** The page may be going away: whatever Stint still waits for must not hold what it has. */
  _mayLeave(): void;
  /** This page may never come back: send and save what it has now; `closed` after pagehide. */
  _sendNow(closed: boolean): void;
  /** Back from the back/forward cache. */
  _restored(): void;
}

export class Site {
  /** This page hidden, by the Page Visibility API or by `setBackground`. */
  _pageHidden: boolean;
  /** The site's state as this tab last recorded it, for when no session is kept yet. */
  _recorded: boolean;

  constructor(
    readonly _tabs: Tabs,
    readonly _host: SiteHost,
    /** Whether changes are reported as `application_*` events. */
    readonly _events: boolean,
  ) {
    this._recorded = this._pageHidden = document.visibilityState === 'hidden';
    _tabs._open(this._pageHidden);
  }

  _siteBackground(): boolean {
    return this._tabs._siteBackground();
  }

  /** The site's state as last recorded: by the session, else by this tab. */
  _knownBackground(): boolean {
    return this._host._recordedBackground() ?? this._recorded;
  }

  /** Records a change of the site's state (or, `silent`, applies it to the session without an event). */
  _change(at: number, siteBackground: boolean, silent?: boolean): void {
    this._recorded = siteBackground;
    this._host._siteChanged(at, siteBackground, this._events && !silent);
  }

  /** This page became hidden or visible (the Page Visibility API, or `setBackground`). */
  _setPageHidden(pageHidden: boolean): void {
    const at = this._host._now();
    this._pageHidden = pageHidden;
    this._tabs._setPageHidden(pageHidden);
    const siteBackground = this._siteBackground();
    if (this._knownBackground() !== siteBackground) this._change(at, siteBackground);
    if (!pageHidden) return;
    this._host._sendNow(false);
    // Another tab said it is visible: unless it crashed meanwhile, the site is still in the foreground.
    if (!siteBackground) {
      this._tabs._prune().then((forgot) => {
        if (forgot && this._siteBackground() && this._knownBackground() === false) this._change(this._host._now(), true);
      });
    }
  }

  _onPage(signal: PageSignal): void {
    if (signal !== 'visible' && signal !== 'restore') this._host._mayLeave();
    if (signal === 'hidden' || signal === 'visible') return this._setPageHidden(signal === 'hidden');
    const at = this._host._now();
    if (signal === 'restore') {
      // Back from the back/forward cache: this page comes back to the foreground, as a fresh page view.
      setLeaving(false);
      abandonAnswers();
      this._pageHidden = false;
      this._tabs._open(false);
      if (this._knownBackground()) this._change(at, false);
      return this._host._restored();
    }
    // pagehide: this page leaves the site's tabs; what is left goes out now, the exit event with it.
    setLeaving(true);
    this._pageHidden = true;
    this._tabs._close();
    const siteBackground = this._siteBackground();
    if (signal === 'exit' && this._events) this._host._exit(at, siteBackground);
    else if (this._knownBackground() !== siteBackground) this._change(at, siteBackground);
    this._host._sendNow(true);
  }
}
