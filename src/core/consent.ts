/**
 * Consent's steps: a decision (the config's, a default, the page's, a platform's, another tab's) and a withdrawal the
 * page learns on its return. Leaving a grant erases; a refusal drops what is held.
 */
import type { ConsentState } from '../ground/types';
import type { Effect } from './effect';
import type { ConsentFrom, InputOf, Model, Settings } from './model';
import { EMPTY } from './record';

const READY: Effect = ['resolveReady'];

/** Global Privacy Control counts as a refusal, unless the config says otherwise. */
export const gpcRefuses = (settings: Settings, gpc: boolean): boolean => settings.respectGlobalPrivacyControl && gpc;

/**
 * A consent decision: the config's at start (a CMP's signal starts `pending`), a default the page sets for this
 * tab (Consent Mode's `default`), the page's `setConsent`, a CMP's, or one another tab took (the config's, a
 * default and another tab's are not told to the tabs); `gpc`: the browser sends Global Privacy Control, which
 * refuses the config's consent, and any later grant.
 */
export function consent(m: Model, fx: Effect[], [, at, state, from, gpc, told]: InputOf<'consent'>): void {
  if (from === 'config' && gpcRefuses(m.settings, gpc)) {
    fx.push(['debug', 53, 'config.consent']);
    state = 'denied';
  }
  // The latest decision wins in every tab, whatever order the channel brings them in; of two in the same ms the
  // refusal (test/sim seed 27470: a page's stale grant, told 444 ms late, undid a refusal taken after it; seed 7548:
  // a loading page's refusal and another tab's grant in one ms, each tab kept the other's). A tab of an older Stint
  // tells no time (0): heard as taken now. This page's decision comes after any it heard, though in the same ms
  // (test/sim seed 8097: a refusal then a grant in one ms, the other tab kept the refusal).
  const t = from === 'tab' ? told || at : Math.max(at, m.decidedAt + 1);
  if (from === 'tab' && (t < m.decidedAt || (t === m.decidedAt && state === 'granted'))) return;
  if (from !== 'config' && from !== 'default') m.decidedAt = Math.max(m.decidedAt, t);
  decide(m, fx, at, state, from, gpc, t);
}

/**
 * A page back from the cache, or running again after a freeze, learns when consent was last withdrawn on the device:
 * one since this page's grant, while the page was away (the tabs' message could not reach it), applies now, as another
 * tab's decision, before anything is recorded (test/sim regression: a restored page wrote its session back and sent).
 */
export function withdrawal(m: Model, fx: Effect[], [, at, when]: InputOf<'withdrawal'>): void {
  if (m.grantedAt !== null && when > m.grantedAt) consent(m, fx, ['consent', at, 'denied', 'tab', false, when]);
}

/**
 * Moves to a consent state; `tell`: the decision was taken in this tab, and applies to the site (told even when
 * this tab was in that state already: another tab may be in it only by its page's default, or not at all).
 * Leaving `granted` (or `anonymous`) erases what was stored and what this page held; a refusal drops what is held.
 */
function decide(m: Model, fx: Effect[], at: number, consent: ConsentState, from: ConsentFrom, gpc: boolean, t: number) {
  if (consent === 'granted' && gpcRefuses(m.settings, gpc)) {
    fx.push(['warn', 33, 'consent granted']);
    return;
  }
  const mode = consent === 'denied' && m.settings.onDenied === 'anonymous' ? 'anonymous' : consent;
  const was = m.consentMode;
  if (from === 'page' || from === 'signal') fx.push(['tellConsent', consent, t]);
  if (mode === was) return;
  fx.push(['debug', 50, mode]);
  m.consentMode = mode;
  m.grantedAt = mode === 'granted' ? t : null;
  // A refusal dropped what was held, the page's start with it, and heard none of the site's changes since: a grant
  // after it starts the page's life at the grant (test/sim seed 3383: a session begun at the load, granted after 99 s
  // in the background, ended at the next page by the foreground timeout).
  if (was === 'denied' && m.lifeAt !== null) m.lifeAt = at;
  if (was === 'granted' || was === 'anonymous') {
    // Nothing queued is sent, a later grant starts afresh: a new life, as if this were a new tab.
    fx.push(was === 'granted' ? ['erase', t] : ['erase']);
    m.storageState = 'closed';
    m.session = m.heard = m.user = m.answer = null;
    m.hold = EMPTY;
    m.newTab = true;
    m.lifeAt = at;
    m.withdrawn = true;
  } else if ((mode === 'denied' || mode === 'anonymous') && from !== 'default' && from !== 'tab') {
    // A refusal before this page stored anything: what an earlier grant left on the device goes too (the visitor
    // withdrew where Stint did not run, in the CMP of another page, or the site's configuration says so now). A
    // page's default is no decision: it leaves what another tab was granted; nor is another tab's refusal this page's
    // to erase: that tab erased the device, and a grant it took since may have stored a new one (test/sim seed 8097).
    // Where a session is found, the refusal withdraws that grant: marked for the pages away (test/sim regression: a
    // frozen tab reloaded sent identified).
    fx.push(['erase', t, true]);
  }
  if (mode === 'denied') {
    // Nothing will run what is held: it is dropped, not counted as a loss, and ready() resolves.
    m.hold = EMPTY;
    m.losses = 0;
    fx.push(READY);
  } else if (mode !== 'pending') {
    m.hold ||= EMPTY;
    m.storageState = 'opening';
    fx.push(['openStorage', mode === 'anonymous']);
  }
}
