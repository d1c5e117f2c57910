/**
 * The consent gate: what Stint may do, decided by the configured consent, the browser's Global Privacy
 * Control, a TCF CMP, the page's `setConsent` and the other tabs of the site.
 *
 *   pending    nothing stored, nothing sent; calls are held
 *   granted    everything
 *   denied     nothing; calls are dropped
 *   anonymous  (denied with `onDenied: 'anonymous'`) cookieless events, kept in memory only
 *
 * Leaving `granted` or `anonymous` erases what was stored.
 */
import type { Config } from '../config';
import { eraseMarks } from '../delivery/sent-marks';
import { unmarkTab } from '../lifecycle/initialized';
import { debug, describe, warn } from '../log';
import { cookieStore } from '../session/stores/cookie';
import { deleteStintDb } from '../session/stores/idb';
import { eraseMirror } from '../session/stores/local';
import type { Tabs } from '../tabs';
import type { ConsentState } from '../types';
import { globalPrivacyControl } from './gpc';

export type Mode = 'pending' | 'granted' | 'denied' | 'anonymous';

export class ConsentGate {
  _mode: Mode = 'pending';

  constructor(
    readonly _config: Config,
    readonly _tabs: Tabs,
    /** Called on every change of mode, after `was`'s storage is erased. */
    readonly _onChange: (mode: Mode, was: Mode) => void,
  ) {}

  /** Applies the configured consent and starts following the CMP; returns the function that stops it. */
  _start(guard: (fn: () => void) => void): () => void {
    let consent = this._config.consent;
    let stop = () => {};
    if (this._gpcRefuses()) {
      debug('Global Privacy Control: consent denied');
      consent = 'denied';
    } else if (this._config.signal) {
      stop = this._config.signal((state) => guard(() => this._set(state, true)));
    }
    this._set(consent, false);
    return stop;
  }

  _gpcRefuses(): boolean {
    return this._config.respectGlobalPrivacyControl && globalPrivacyControl();
  }

  /** `setConsent` from the page: a warning for anything but the three states. */
  _fromPage(state: unknown): void {
    if (state === 'granted' || state === 'pending' || state === 'denied') this._set(state, true);
    else warn(`setConsent needs 'granted', 'pending' or 'denied', not ${describe(state)}`);
  }

  /** Moves to a consent state; tells the other tabs when the decision was taken in this one. */
  _set(consent: ConsentState, tell: boolean): void {
    if (consent === 'granted' && this._gpcRefuses()) return warn('consent not granted: the browser sends Global Privacy Control');
    const mode: Mode = consent === 'denied' && this._config.onDenied === 'anonymous' ? 'anonymous' : consent;
    const was = this._mode;
    if (mode === was) return;
    debug('consent: ' + mode);
    if (tell) this._tabs._send({ k: 'consent', c: consent });
    this._mode = mode;
    if (was === 'granted' || was === 'anonymous') erase(this._config);
    this._onChange(mode, was);
  }
}

/** Withdrawal: every domain variant of the cookie, the whole database (mirror and outbox, other tabs' too), the sent marks, the tab mark. */
function erase(config: Config): void {
  const custom = config.store;
  if (custom) Promise.resolve().then(() => custom.delete()).catch(() => {});
  else cookieStore(config.cookie).delete();
  deleteStintDb();
  eraseMirror();
  eraseMarks();
  unmarkTab();
}
