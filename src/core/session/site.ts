/**
 * The site's foreground and background, and the page's life. Two concepts, two names: this page is
 * *hidden* or not; the *site* is in the background when no tab of it is visible. A change of the site's
 * state is an `application_background` or `application_foreground` event (or, with lifecycle events off,
 * a silent step of the session rules); a page that exits is an `application_exit`; a page that is hidden
 * or leaves saves and sends what it has at once, since it may never come back.
 */
import { snapshot } from '../context';
import { freshId } from '../ids';
import type { InputOf, Model } from '../model';
import type { Effect } from '../effect';
import { change, EMPTY, engaging, enter, knownBackground, lifecycle, release, run, siteBackground } from '../record';
import { keep } from './outcome';
import { landed } from '../answers';
import { partOf } from '../parts';
import { encodeState } from './state';

const SAVE_NOW: Effect = ['save', true];
/** How long a roll call waits for answers: a live tab answers in a few ms, a crashed one never (tabs.ts). */
export const ROLL_CALL = 1000;
const RETRY: Effect = ['retry'];

/**
 * This page became hidden or visible (the Page Visibility API, or `setBackground`). A page that is hidden may be
 * discarded (Chrome, with no pagehide) and reloaded when it is shown: the tab's id is left for such a reload when it
 * is hidden, as pagehide leaves it (`hideTab`; not after pagehide, whose item it would replace), and again when it is
 * frozen.
 */
export function visibility(m: Model, fx: Effect[], [, at, hidden]: InputOf<'visibility'>): void {
  // (a landing page hidden before the links part came goes on without its link: it may never come back)
  if (hidden) (landed(m, fx, true), engaging(m)?.report(m, fx, at));
  m.pageHidden = hidden;
  engaging(m)?.act(m, fx, at);
  fx.push(hidden ? ['announce', false, m.visibleTabs] : ['announce', true]);
  const background = siteBackground(m);
  // (while a restore or a resume reads the store again, the session this page knows is older than the one its held
  // calls run in: the change is judged when it runs. test/sim regression: a page hidden 42 ms after its restore lost
  // its background, and a gap in the background was judged by the foreground timeout)
  if (m.hold && m.storageState === 'open') run(m, fx, { type: 'visibility', at, background });
  else if (knownBackground(m) !== background) change(m, fx, at, background);
  if (!hidden) return void fx.push(RETRY);
  sendNow(m, fx, at, false);
  // (hidden again: a freeze, after which Chrome may discard the tab and reload it: the item follows what the page did
  // while hidden. test/sim regression: the reload took the session as the hide left it, and repeated an eventIndex)
  if (!m.left) leave(m, fx, 'hideTab');
  // Another tab said it is visible: unless it crashed meanwhile, the site is still in the foreground.
  if (!background) (m.asked = [at, m.visibleTabs]), fx.push(['rollCall', m.visibleTabs]);
}

/** Another tab of the site said whether it is visible. */
export function tab(m: Model, fx: Effect[], [, at, tab, visible, records]: InputOf<'tab'>): void {
  const was = siteBackground(m);
  if (m.asked) m.asked = [m.asked[0], m.asked[1].filter((t) => t !== tab)];
  const others = m.visibleTabs.filter((t) => t !== tab);
  m.visibleTabs = visible ? [...others, tab] : others;
  // While this page holds its calls (consent pending, storage opening), the change the message brings is held too, at
  // its time: the tab that made it may record nothing, pending as well (test/sim seed 31172: the last tab shown closed
  // unrecorded, and the session, granted 70 s later, was judged by the foreground's timeout).
  if (m.hold && was !== siteBackground(m)) return void run(m, fx, { type: 'visibility', at, background: !was });
  // An anonymous page's session is its own, which no other tab's write moves: the hide of the last tab shown, heard,
  // takes the site to the background in it (test/sim seed 16140: a gap of 32 s judged by the foreground's timeout).
  // And a tab hidden or gone that took this one for shown recorded none: of the tabs it names, each hidden before it
  // heard the others, the greatest id records it (`records`, src/session/tabs.ts; test/sim seed 44427: two tabs hidden
  // 30 ms apart, each hide heard 48 ms late, and 44 s in the background judged by the foreground's timeout).
  if ((records || m.consentMode === 'anonymous') && siteBackground(m) && knownBackground(m) === false)
    change(m, fx, at, true);
}

/** Visible tabs that did not answer a roll call crashed: forgotten, and the site may be in the background now. */
export function tabsGone(m: Model, fx: Effect[], [, at, gone]: InputOf<'tabsGone'>): void {
  const before = m.visibleTabs.length;
  m.visibleTabs = m.visibleTabs.filter((t) => !gone.includes(t));
  if (m.visibleTabs.length < before && siteBackground(m) && knownBackground(m) === false) change(m, fx, at, true);
}

/**
 * `pagehide`, into the back/forward cache (`persisted`) or for good: this page leaves the site's tabs; what is
 * left goes out now, the exit event with it.
 */
export function pagehide(m: Model, fx: Effect[], [, at, persisted]: InputOf<'pagehide'>): void {
  landed(m, fx, true);
  // A restore still waiting for the store's answer (IndexedDB can stall: db.ts): what it holds runs now, with what
  // this page knows, and is sent below, rather than wait in a page that may never come back.
  if (m.hold && m.storageState === 'open') release(m, fx);
  engaging(m)?.report(m, fx, at);
  m.pageHidden = m.left = true;
  // The site's state as this page leaves: in the background unless another tab said it is shown. That is recorded
  // with the exit, unreported (the tab's next page of the site is no trip to the background). A shown tab hears it and
  // records its return, but its write may reach the store before the exit's (a cookie write lags): the store must not
  // say background while a tab is shown (test/sim seed 4787: a tab shown 53 s after another closed, then ended for
  // background_timeout). From now on this page hears no other tab.
  // A roll call past its bound counts, though its timer has not run (a hidden page's waits for the next whole second in
  // Chromium): the tabs it asked that did not answer crashed (test/sim seed 40255: a tab closed 1.1 s after it was
  // hidden recorded the site shown by a tab crashed 2 minutes before, and the next session named foreground_timeout).
  const gone = m.asked && at - m.asked[0] >= ROLL_CALL ? m.asked[1] : [];
  const shown = m.visibleTabs.filter((t) => !gone.includes(t));
  const background = !shown.length;
  m.visibleTabs = [];
  m.asked = null;
  if (!persisted && m.settings.lifecycleEvents) lifecycle(m, fx, at, 'application_exit', undefined, background);
  else if (knownBackground(m) !== background) change(m, fx, at, background, true);
  sendNow(m, fx, at, true);
  // (after the save, which tells the tabs the session as this page leaves it: a page restored from the cache before
  // this pagehide ran, as Chromium may, hears it; test/sim regression "a restored page before the other left")
  fx.push(['leaveTabs', shown]);
  // The tab's next page gets the session as this page leaves it, for when its store does not answer in time (WebKit
  // can stall IndexedDB behind a cached page's transaction: db.ts): the tab's sessionStorage answers at once.
  leave(m, fx, 'leaveTab');
}

/**
 * The tab's next page (a reload, the next page of the site) goes on with this tab's id, and knows the tab was
 * reported: only with consent, and once this page has reported it.
 */
function leave(m: Model, fx: Effect[], how: 'leaveTab' | 'hideTab'): void {
  if (m.consentMode === 'granted' && !m.newTab) fx.push([how, m.session ? encodeState(m.session) : '']);
}

/**
 * `pageshow` from the back/forward cache: this page comes back to the foreground, as a fresh page view (at
 * `place`, with these ids) if it records them, whose referrer is the page of the tab the visitor came back from
 * (`from`, when known). The other pages of the site went on meanwhile: the store is read again (`reread`) before
 * anything is recorded, and what comes until then is held.
 */
export function restore(m: Model, fx: Effect[], [, at, place, from]: InputOf<'restore'>): void {
  m.pageHidden = m.left = false;
  engaging(m)?.act(m, fx, at);
  fx.push(['joinTabs', true], ['leaveTab', null], RETRY);
  readFirst(m, fx);
  run(m, fx, { type: 'restored', at });
  if (m.viewed !== null) page(m, fx, ['page', at, '{}', place, from ?? undefined]);
}

/**
 * The page runs again after a freeze (Chromium freezes background tabs). The site's other tabs went on meanwhile,
 * unheard: this page had left their channel, and where the session is in IndexedDB (read asynchronously) their
 * messages are all that tells a page what they did. So the store is read again before anything is recorded, as at
 * a restore (e2e/freeze.spec.ts "a frozen tab, the session in IndexedDB").
 */
export const resume = (m: Model, fx: Effect[]): void => readFirst(m, fx);

/** The store is read again (`reread`) before anything is recorded: what comes until it answers is held. */
function readFirst(m: Model, fx: Effect[]): void {
  if (m.storageState === 'open' && !m.hold && m.consentMode === 'granted') {
    m.hold = EMPTY;
    fx.push(['reread']);
  }
}

/**
 * This page may never come back: what it has is saved and sent now (`closed` after pagehide), and the server's copy of
 * the session renewed when it is due (`serverCookie`: core/session/copy.ts, in the copy part).
 */
function sendNow(m: Model, fx: Effect[], at: number, closed: boolean): void {
  if (m.storageState !== 'open') return;
  const copy = partOf(m, 'copy')?.(m, at);
  if ((closed || copy) && m.session)
    keep(m, fx, { ...m.session, closed: closed || m.session.closed, copiedAt: copy ? at : m.session.copiedAt });
  fx.push(SAVE_NOW, ['beacon', closed]);
  if (copy) fx.push(['copy', encodeURIComponent(encodeState(m.session!, true))]);
}

/**
 * A `page_view` at `place` (none when its properties were refused: the page is still taken). Its referrer:
 * the app's own (`referrer`), else, in a single-page app, the previous page view's URL, else the page's own referrer.
 * The events that follow keep this page until the URL changes.
 */
export function page(m: Model, fx: Effect[], [, at, props, place, referrer]: InputOf<'page'>): string | undefined {
  engaging(m)?.nextView(m, fx, at);
  const previous = m.page.page.url;
  m.page = snapshot(
    place,
    referrer ?? (m.viewed !== null && previous !== place.url ? previous : place.referrer),
    freshId(m),
  );
  m.viewed = place.href;
  // A page view that arrived with a campaign may start the next session (`newSessionOnCampaign`): judged when the
  // call runs (record.ts), once per page view, so that two tabs of two campaigns do not take turns ending it.
  const utm = m.page.utm;
  if (utm && m.settings.newSessionOnCampaign)
    run(m, fx, { type: 'restart', at, background: siteBackground(m), utm, campaign: true });
  return props === null ? undefined : enter(m, fx, at, 'page_view', props);
}

/**
 * A single-page app's route change (`autoPageViews`), from the URL `from`: a page view, unless the app reported it with
 * `page()` already.
 */
export const route = (m: Model, fx: Effect[], [, at, place, from]: InputOf<'route'>) =>
  place.href !== m.viewed ? page(m, fx, ['page', at, '{}', place, from]) : undefined;

/**
 * The page moved without `page()` (a single-page app): the events that follow carry where it is now, in the same page
 * view.
 */
export function move(m: Model, _: Effect[], [, , place]: InputOf<'move'>): void {
  if (place.href !== m.page.href) m.page = snapshot(place, m.page.page.url, m.page.page.viewId);
}
