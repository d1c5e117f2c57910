/**
 * Writes the session where it lives: the store of the chain (the cookie, IndexedDB, memory, or a custom
 * store), the cookie's mirror, and the other tabs. The core keeps the session; this only writes what it
 * is given. A store that starts failing hands the session on to the next one, the mirror or memory:
 * nothing is lost, and the core is told where it lives now.
 */
import { encodeState, type SessionState } from '../core/state';
import { warn } from '../log';
import type { Tabs } from '../tabs';
import type { Chain } from './stores/chain';
import { memoryStore } from './stores/memory';

/** The browser drops a cookie over 4 KB silently: past this, the session is kept elsewhere. */
const MAX_COOKIE_VALUE = 3800;
/** The mirror is written at most this often, and always when the page is hidden or leaves. */
const MIRROR_EVERY = 2000;
/**
 * The store is read again before an input when this tab last read it longer ago than this: other tabs write it
 * too, and those on sibling subdomains (`cookie.domain: 'auto'`) share the cookie but no message. So two tabs'
 * events at least 2 × this apart (give or take a write's delay) never take the same `eventIndex`; a burst in one
 * tab reads it once per this many ms.
 */
const READ_EVERY = 20;

export interface Keeper {
  /** What holds the session (its `storageMechanism`). */
  mechanism(): string;
  /** Writes `state` to the store and tells the other tabs; the mirror too when `all`, or when it is due. */
  save(state: SessionState, all: boolean): void;
  /**
   * The store's own copy, where it can be read at once, when another tab may have written it since this one last
   * read or wrote it (`at`: the input's time; `due`: read now whatever the time); null when unchanged, not due, or
   * where it cannot be read.
   */
  read(at: number, due: boolean): unknown;
}

/** Runs a store call that may throw or reject, calling `failed` either way. */
function attempt(call: () => void | Promise<void>, failed: () => void): void {
  try {
    const done = call();
    if (done) done.catch(failed);
  } catch {
    failed();
  }
}

/** `moved`: the session is kept elsewhere now (its new `storageMechanism`). */
export function startKeeper(chain: Chain, tabs: Tabs | null, moved: (mechanism: string) => void): Keeper {
  let mirroredAt = 0;
  let readAt = 0;
  /** The value this tab last wrote or read: one that has not changed since says nothing new. */
  let last: unknown = null;
  const mechanism = () => chain.primary.name || 'CUSTOM';

  /** The session moves to the next store of the chain: the mirror if there is one, else memory. */
  const fallBack = () => {
    const { primary, mirror } = chain;
    // What the failing store still holds is stale from now on: the next page must not start from it.
    attempt(() => primary.delete(), () => {});
    chain.primary = mirror || memoryStore();
    chain.mirror = null;
    // (the mirror, localStorage, answers synchronously, as memory does)
    chain.synchronous = true;
    moved(mechanism());
  };

  const save = (state: SessionState, all: boolean): void => {
    const value = (last = encodeState(state));
    const { primary, mirror } = chain;
    if (primary.name === 'COOKIE_1' && encodeURIComponent(value).length > MAX_COOKIE_VALUE) {
      warn('the session is too large for a cookie; it is kept in localStorage or memory');
      fallBack();
      return save(state, all);
    }
    attempt(() => primary.set(value), fallBack);
    tabs?.send({ k: 'state', v: value });
    const now = Date.now();
    if (mirror && (all || now - mirroredAt > MIRROR_EVERY)) {
      mirroredAt = now;
      attempt(() => mirror.set(value), () => (chain.mirror = null));
    }
  };

  return {
    mechanism,
    save,
    read(at, due) {
      if (!chain.synchronous || (!due && at - readAt < READ_EVERY)) return null;
      readAt = at;
      try {
        const value = chain.primary.get();
        return value === last ? null : (last = value);
      } catch {
        // A store that cannot be read now: the core judges by what this tab knows.
        return null;
      }
    },
  };
}
