/**
 * Keeps the session of this tab: in memory for the hot path, saved to the store and told to the
 * other tabs once per task (a burst of events costs one cookie write), merged with what other tabs
 * tell. A store that starts failing hands the session to memory; nothing is lost.
 */
import type { SessionLink } from '../delivery/formats/format';
import { warn } from '../log';
import type { Tabs } from '../tabs';
import type { Chain } from './stores/chain';
import { memoryStore } from './stores/memory';
import { merge } from './rules';
import { decodeState, encodeState, type SessionState } from './state';

/** The browser drops a cookie over 4 KB silently: past this, the session is kept elsewhere. */
const MAX_COOKIE_VALUE = 3800;
/** The mirror is written at most this often, and always when the page is hidden or leaves. */
const MIRROR_EVERY = 2000;

export class SessionKeeper {
  _state: SessionState | null;
  _pending = false;
  _mirroredAt = 0;
  /** Consent was withdrawn: a save still queued for the end of the task must not write anything back. */
  _erased = false;

  constructor(
    readonly _chain: Chain,
    readonly _tabs: Tabs | null,
  ) {
    this._state = _chain.found;
  }

  get _mechanism(): string {
    return this._chain.primary.name || 'CUSTOM';
  }

  /** Takes a new state; it is saved and broadcast at the end of the current task. */
  _set(next: SessionState): void {
    next.rev = Math.max(next.rev, this._state?.rev ?? 0) + 1;
    this._state = next;
    if (!this._pending) {
      this._pending = true;
      queueMicrotask(() => this._save());
    }
  }

  /** Saves now (and the mirror too when `all`), for the moments the page may not live to the next task. */
  _save(all?: boolean): void {
    this._pending = false;
    const state = this._state;
    if (!state || this._erased) return;
    const value = encodeState(state);
    const { primary, mirror } = this._chain;
    if (primary.name === 'COOKIE_1' && encodeURIComponent(value).length > MAX_COOKIE_VALUE) {
      warn('the session is too large for a cookie; it is kept in localStorage or memory');
      this._fallBack();
      return this._save(all);
    }
    this._tryStore(() => primary.set(value), () => this._fallBack());
    this._tabs?._send({ k: 'state', v: value });
    const now = Date.now();
    if (mirror && (all || now - this._mirroredAt > MIRROR_EVERY)) {
      this._mirroredAt = now;
      this._tryStore(() => mirror.set(value), () => (this._chain.mirror = null));
    }
  }

  /** What a format may keep with the session (Tracardi's profile id): never in anonymous mode. */
  _link(anonymous: boolean): SessionLink {
    return {
      get: () => this._state?.profileId ?? null,
      set: (id) => {
        const state = this._state;
        if (!anonymous && state && state.profileId !== id) this._set({ ...state, profileId: id });
      },
    };
  }

  /** What another tab saved: merged, never simply taken (both tabs may have moved on). */
  _merge(value: string): void {
    const theirs = decodeState(value);
    if (theirs) this._state = merge(this._state, theirs);
  }

  /** Before starting a new session: the store's own copy may be fresher than the last broadcast. */
  _refresh(): void {
    if (!this._chain.sync) return;
    try {
      const stored = decodeState(this._chain.primary.get());
      if (stored) this._state = merge(this._state, stored);
    } catch {
      // A store that cannot be read now is judged by what this tab knows.
    }
  }

  /** The session moves to the next store of the chain: the mirror if there is one, else memory. */
  _fallBack(): void {
    const { primary, mirror } = this._chain;
    // What the failing store still holds is stale from now on: the next page must not start from it.
    this._tryStore(() => primary.delete(), () => {});
    this._chain.primary = mirror || memoryStore();
    this._chain.mirror = null;
    // (the mirror, localStorage, answers synchronously, as memory does)
    this._chain.sync = true;
  }

  /** Runs a store call that may throw or reject, calling `failed` either way. */
  _tryStore(call: () => void | Promise<void>, failed: () => void): void {
    try {
      const done = call();
      if (done) done.catch(failed);
    } catch {
      failed();
    }
  }
}
