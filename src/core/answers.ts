/**
 * The steps of what the shell learns from storage and the parts: storage answered (`opened`), or answered again after
 * a restore or a freeze (`reread`); another tab's session (`stored`); what the page's events carry (`surroundings`);
 * the pipeline's name for the visitor (`profile`); a part's code, come or late (`part`, `late`: parts.ts). Pure, as
 * every step (step.ts).
 */
import type { Properties } from '../ground/types';
import type { InputOf, Model, Settings } from './model';
import type { Effect } from './effect';
import { partOf } from './parts';
import { change, lifecycle, release, siteBackground } from './record';
import { apply, keep } from './session/outcome';
import { expire } from './session/rules';
import { merge } from './session/merge';
import { complete, decodeState, encodeState, type SessionState } from './session/state';

/** The properties of `application_initialized`, from what the device held at start (`found`). */
export function initialized(settings: Settings, found: SessionState | null, othersOpen: boolean): Properties {
  const install = settings.installType;
  const upgraded = !!found && !!settings.appVersion && found.appVersion !== settings.appVersion;
  return {
    is_first_run: install === 'auto' ? !found : install === 'known_install',
    is_upgrade: install === 'auto' ? upgraded : install === 'known_upgrade',
    // The last page did not exit cleanly: a crash, unless another tab of the site was still open.
    successfully_closed: !found || found.closed || othersOpen,
  };
}

/**
 * How long a landing page waits for the links part, which reads its link, at most: as long as for a store
 * (session/open.ts).
 */
export const LINK_WAIT = 3000;

/**
 * What the page's events carry changed: the store failed and handed the session on, or a slow store answered late (the
 * session is kept there now: `mechanism`); a better device context came (the OS version from User-Agent Client Hints:
 * `device`); the device's clock moved to or from daylight saving time (`offset`).
 */
export function surroundings(m: Model, fx: Effect[], [, , change]: InputOf<'surroundings'>): void {
  const before = m.around.mechanism;
  m.around = { ...m.around, ...change };
  // (the session is kept elsewhere now: written there at once, not at the next change, which may never come before
  // another tab reads it. test/sim regression: a stand-in's session never reached the store that answered late)
  if (m.around.mechanism !== before && m.session && m.storageState === 'open') fx.push(['save', true]);
}

/**
 * A session state (encoded) that another tab saved, or that the store holds: merged, never simply taken (both may have
 * moved on). What the merge adds to theirs is answered: a join of both that neither held is saved and told to the tabs
 * (every tab that merges the two gets it, and tells it once); what this tab held already is written back to the store
 * alone (two tabs wrote within the same moments, and the older count may have landed last: test/sim regression, a third
 * tab took eventIndex values another had sent), never told, since the tabs have heard it: an answer told to every tab
 * that sent an older state, and to each of theirs, never ended (test/sim seed 26719, five tabs: a storm of writes and
 * messages). An anonymous session lives as long as the page: it takes nothing from the tabs.
 */
export function stored(m: Model, fx: Effect[], [, at, value]: InputOf<'stored'>): void {
  take(m, fx, value);
  // This page is shown, and the site is said to be in the background: by a page that left (to it the site is in the
  // background from then on), or that had not heard this one (Chromium runs a leaving page's pagehide after the
  // restored page's pageshow; a message takes ms). The site is seen: its return is recorded (test/sim regression: a
  // gap of 2 minutes in a shown tab ended for background_timeout). (While calls are held, the start or the restore
  // they wait for records it, at its own time.)
  if (!m.hold && !m.pageHidden && m.session?.siteBackground) change(m, fx, at, false, !m.session.backgroundReported);
}

/** Merges a session state another tab saved, or that the store holds (`stored`, and a restore's read again). */
function take(m: Model, fx: Effect[], value: unknown): void {
  const theirs = m.storageState !== 'closed' && m.consentMode !== 'anonymous' ? decodeState(value) : null;
  // (the lean cookie leaves the visitor's fields out: this tab knows them, for the same visitor)
  if (!theirs) return;
  // (while storage opens, kept for its answer, which may be older: open)
  // (a lean cookie's, completed at open by what the store holds of the visitor: not by nothing now)
  if (m.storageState !== 'open') return void (m.heard = m.heard ? merge(m.heard, complete(theirs, m.heard)) : theirs);
  const mine = m.session;
  const heard = complete(theirs, mine);
  const known = (m.session = merge(mine, heard));
  const told = encodeState(known);
  if (!mine) return;
  // (theirs holds all this tab knows: taken silently. But this tab's own last write, made before it heard theirs, may
  // have reached the store after it, and the store now hold less than both know: test/sim seed 369, a tab answering a
  // new tab's roll call wrote eventIndex 47 a ms after the new tab wrote 48, heard 48 next, and a third tab counted
  // from 47. So it is written back if this tab wrote lately.)
  if (told == encodeState(heard)) return void (told != encodeState(mine) && fx.push(['writeBack', true]));
  if (told != encodeState(mine)) keep(m, fx, known);
  else fx.push(['writeBack']);
}

/** The pipeline named the visitor (Tracardi's profile id): kept with the session, never when anonymous. */
export function profile(m: Model, fx: Effect[], [, , id]: InputOf<'profile'>): void {
  if (m.session && m.consentMode !== 'anonymous' && m.session.profileId !== id)
    keep(m, fx, { ...m.session, profileId: id });
}

/**
 * Storage answered: what the device held, where the session is kept, whether another tab is open. A landing page with
 * a link (`crossDomain`, with consent) waits for the links part, which reads it, at most `LINK_WAIT` (`landed`).
 */
export function opened(m: Model, fx: Effect[], input: InputOf<'opened'>): void {
  if (m.storageState !== 'opening' || m.answer) return;
  if (!m.linked || m.consentMode !== 'granted' || partOf(m, 'landing')) return open(m, fx, input);
  m.answer = input;
  fx.push(['await', 'landing', LINK_WAIT]);
}

/**
 * The page's life starts, then the held calls run in order. From the server's `copy` alone (`serverCookie`) come the
 * device and the count, not the session, which may have gone on since the copy: the next event starts the next one
 * (`restored`).
 */
function open(m: Model, fx: Effect[], [, , held, mechanism, othersOpen, copy, handed]: InputOf<'opened'>): void {
  m.storageState = 'open';
  // (the store can know less than the tab's last page did: WebKit may drop the write of a page entering its cache, and
  // a page whose store stalled kept the session in memory; e2e/bfcache.spec.ts "five pages": no eventIndex twice)
  // The tabs may have gone on since the store was read (the roll call of a start after a crash waits a second): what
  // they said meanwhile is merged too (test/sim regression: two tabs starting after a crash repeated eventIndex 5-7).
  const heard = m.heard;
  m.heard = null;
  const stale = held && handed ? merge(held, handed) : held;
  const kept = heard ? merge(stale, complete(heard, stale)) : stale;
  const found = kept || (copy ? { ...copy, ended: 'restored' as const } : null);
  const landing = m.consentMode === 'granted' && m.linked ? partOf(m, 'landing') : undefined;
  // (a fresh link from another of the site's domains: its visitor and session, with consent; never anonymous)
  m.session = landing ? landing(found, ...m.linked!, m.page.utm) : found;
  m.linked = null;
  m.around = { ...m.around, mechanism, anonymous: m.consentMode === 'anonymous' };
  fx.push(['debug', 51, mechanism]);
  // (events the hold had to drop are counted by `release`: a `lost` effect, for the first batch's `dropped`)
  release(m, fx, () => {
    const lifeAt = m.lifeAt;
    m.lifeAt = null;
    if (lifeAt !== null) live(m, fx, lifeAt, found, othersOpen);
  });
}

/**
 * The store read again after a back/forward-cache restore or a freeze (`value`: the session as the site's other pages
 * left it, or null, its bound passed) and the session the page the visitor came back from `handed` over in the tab:
 * both merged, then what was held meanwhile runs; what the hold had to drop is counted. The store can know less than
 * that page did (its write still pending, or the session deleted by a page whose store failed): the page must not go on
 * from an older count (e2e/bfcache.spec.ts).
 */
export function reread(m: Model, fx: Effect[], [, , value, handed, mirror]: InputOf<'reread'>): void {
  // (only the hold of a restore or a resume: storage had answered; a withdrawal since let it go)
  if (m.hold && m.storageState === 'open')
    release(m, fx, () => {
      for (const v of [handed, mirror, value]) take(m, fx, v);
    });
}

/** The start of this page's life: a session found over is reported, the site's state synced, a new tab reported. */
function live(m: Model, fx: Effect[], at: number, found: SessionState | null, othersOpen: boolean): void {
  apply(m, fx, (prev) => prev && expire(prev, at, m.settings));
  const state = m.session;
  if (state) {
    keep(m, fx, { ...state, closed: false, appVersion: m.settings.appVersion });
    const background = siteBackground(m);
    // A return to a site whose background was reported is reported (a new tab, a tab that came back); any
    // other change is recorded silently (the tab's next page after a link, a tab opened in the background).
    if (state.siteBackground !== background) change(m, fx, at, background, background || !state.backgroundReported);
  }
  if (!m.newTab) return;
  m.newTab = false;
  lifecycle(m, fx, at, 'application_initialized', initialized(m.settings, found, othersOpen));
}

/**
 * A part's code has come (the shell keeps it: parts.ts `keepPart`): the core calls it from now on. A landing page whose
 * storage answered while it waited for the links part starts now, with its link.
 */
export function part(m: Model, fx: Effect[], [, , name]: InputOf<'part'>): void {
  if (!m.parts.includes(name)) m.parts = [...m.parts, name];
  if (name === 'landing') landed(m, fx);
}

/** A part waited for did not come in time: the landing page starts without its link. */
export function late(m: Model, fx: Effect[], [, , name]: InputOf<'late'>): void {
  if (name === 'landing') landed(m, fx, true);
}

/**
 * The landing page's wait for the links part is over: it came, or (`unlinked`) it did not in time, or the page may be
 * leaving (a hide, pagehide, a freeze: what it holds would die with it). Storage's answer, held meanwhile, is taken.
 */
export function landed(m: Model, fx: Effect[], unlinked?: boolean): void {
  const answer = m.answer;
  if (!answer) return;
  m.answer = null;
  if (unlinked) m.linked = null;
  open(m, fx, answer);
}
