/**
 * Writes the session where it lives: the store of the chain (the cookie, IndexedDB, memory, or a custom
 * store), the cookie's mirror, and the other tabs. The core keeps the session; this only writes what it
 * is given. A store that starts failing hands the session on to the next one, the mirror or memory:
 * nothing is lost, and the core is told where it lives now.
 */
import { merge } from '../core/session/merge';
import { complete, decodeState, encodeState, type SessionState } from '../core/session/state';
import { lifeMark } from '../ground/db';
import { warn } from '../ground/log';
import type { Tabs } from './tabs';
import type { SessionStore } from '../ground/types';
import type { Chain } from './stores/chain';
import { memoryStore } from './stores/memory';

/** The browser drops a cookie over 4 KB silently: past this, the session is kept elsewhere. */
const MAX_COOKIE_VALUE = 3800;
/**
 * Behind the cookie, the mirror is written at most this often, and always when the page is hidden or leaves. Behind
 * IndexedDB (or its stand-in) at every save: it is the copy a page reads at once, as it leaves or stands in for a slow
 * store (test/sim regression: a frozen tab's exit took the count of another tab's event from a mirror 42 ms behind).
 */
const MIRROR_EVERY = 2000;
/**
 * The store is read again before an input when this tab last read it longer ago than this: other tabs write it
 * too, and those on sibling subdomains (`cookie.domain: 'auto'`) share the cookie but no message. So two tabs'
 * events at least 2 × this apart (give or take a write's delay) never take the same `eventIndex`; a burst in one
 * tab reads it once per this many ms.
 */
const READ_EVERY = 20;
/**
 * After a restore or a resume, the store is read before every input for this long: the page the visitor came back from
 * may run its pagehide, and write its exit, after this page's pageshow (Chromium, another process): the restored
 * page's next event must count after it (test/sim regression: a background 1 ms after the other page's exit took its
 * eventIndex).
 */
const WATCH = 1000;

/**
 * How long a write of this tab may reach the store after another tab's write it had not heard of yet: the other tab's
 * message takes 0-3 ms, a busy tab's hundreds, and a cookie write reaches the jar mostly within 2 ms, at times hundreds
 * (Chromium's renderer copy, updated by the network service).
 */
const LATELY = 1000;

export interface Keeper {
  /** What holds the session (its `storageMechanism`). */
  mechanism(): string;
  /**
   * Writes `state` to the store, and tells the other tabs when `tell`; the mirror too when `all`, or when it is due.
   * `back`: a write-back, the store may hold another tab's older write: written whatever this tab last wrote.
   */
  save(state: SessionState, all: boolean, tell?: boolean, back?: boolean): void;
  /**
   * The store's own copy, where it can be read at once, when another tab may have written it since this one last
   * read or wrote it (`at`: the input's time; `due`: read now whatever the time); null when unchanged, not due, or
   * where it cannot be read.
   */
  read(at: number, due: boolean): unknown;
  /**
   * The store's own copy, read now: a value, or a promise where the store answers later (IndexedDB, an async store); it
   * may throw. The next `read` reads it again, whatever the time: a page restored from the cache reads it before
   * its next input too, since the page it came back from may run its pagehide, and write, after this pageshow.
   */
  reread(): unknown;
  /** The mirror's copy (localStorage), read now; null where there is none, or it cannot be read. */
  mirrored(): unknown;
  /** Whether this tab wrote the store in the last `LATELY` ms. */
  wroteLately(): boolean;
}

/** A synchronous store's copy, read now; null where there is none, or it cannot be read. */
function readNow(store: SessionStore | null): unknown {
  try {
    return store ? store.get() : null;
  } catch {
    return null;
  }
}

/**
 * Whether a store read at once already holds all of `state`: a write-back is for a store that holds less, and one
 * written anyway reaches it by another way than the other tabs' writes, and may land over their later counts (test/sim
 * seeds 5349 and 10662: a tab wrote back the count it heard, 109, which landed 30 ms late over another tab's 113, and
 * a tab took 110 to 112 again; its own write, pending, hid the 113 from its next read). A store that holds less, this
 * tab's own older write landed after the other's (seed 369), is written.
 */
function holds(chain: Chain, state: SessionState): boolean {
  let held: SessionState | null = null;
  try {
    held = chain.synchronous ? decodeState(chain.primary.get()) : null;
  } catch {
    // (a store that cannot be read now: written back)
  }
  if (!held) return false;
  held = complete(held, state);
  return encodeState(merge(held, state)) === encodeState(held);
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

/**
 * Writes the session to the chain's mirror, at most every `MIRROR_EVERY` of the session's time (its last activity),
 * and as soon as the visitor's fields change (they live in the mirror alone), or at once (`all`); a write-back (`back`)
 * writes it whatever was mirrored. A mirror that fails has what it holds removed (a removal frees space, and is never
 * refused): an older copy would be read as the latest by a page that stands in for a stalled IndexedDB (test/sim:
 * localStorage full, a new tab went on from the session the mirror held seconds before, and rolled a second session 2);
 * behind the cookie it is left, and the cookie keeps the visitor's fields.
 */
function mirrorer(chain: Chain) {
  let mirroredAt = 0;
  /** The visitor's fields as last mirrored. */
  let mirrored: unknown[] = [];
  /** The session as last mirrored (not written twice, as the store's value is not: see `save`). */
  let mirroredValue = '';
  return (state: SessionState, value: string, all: boolean, back?: boolean) => {
    const { mirror } = chain;
    if (back) mirroredValue = '';
    const visitor = [state.businessUserId, state.profileId, state.attributes, state.utm];
    const due = all || state.lastEventAt - mirroredAt > MIRROR_EVERY || visitor.some((v, i) => v !== mirrored[i]);
    if (!mirror || value === mirroredValue || !due) return;
    mirroredAt = state.lastEventAt;
    mirrored = visitor;
    attempt(
      () => mirror.set((mirroredValue = value)),
      () => {
        // (behind the cookie, which keeps the visitor's fields from now on, it is given up; behind IndexedDB it is
        // tried again at the next save: the other tabs read it before an input and write it, and one that gave it up
        // left them their older copy. test/sim seed 222: a tab's count, heard by message 450 ms late, taken again)
        if (chain.synchronous) chain.mirror = null;
        else mirroredValue = '';
        attempt(mirror.delete, () => {});
      },
    );
  };
}

/** `moved`: the session is kept elsewhere now (its new `storageMechanism`). */
export function startKeeper(chain: Chain, tabs: Tabs | null, moved: (mechanism: string) => void): Keeper {
  const writeMirror = mirrorer(chain);
  let readAt = 0;
  /** Until when every input reads the store (after a restore or a resume); -1: from the next input on. */
  let watchUntil = 0;
  /** The value this tab last wrote or read: one that has not changed since says nothing new. */
  let last: unknown = null;
  /** When this tab last wrote the store. */
  let wroteAt = -Infinity;
  const mechanism = () => chain.primary.name || 'CUSTOM';

  /** The session moves to the next store of the chain: the mirror if there is one, else memory. */
  const fallBack = () => {
    const { primary, mirror } = chain;
    // What the failing store still holds is stale from now on: the next page must not start from it.
    attempt(
      () => primary.delete(),
      () => {},
    );
    chain.primary = mirror || memoryStore();
    chain.mirror = null;
    // (the next save is written there, whatever the failing store was last given)
    last = null;
    // (the mirror, localStorage, answers synchronously, as memory does)
    chain.synchronous = true;
    moved(mechanism());
  };

  const save = (state: SessionState, all: boolean, tell = true, back?: boolean): void => {
    const { primary } = chain;
    if (back) last = null;
    const value = encodeState(state);
    // Behind a mirror the cookie is lean: the visitor's fields stay out of every request's Cookie header (state.ts).
    const cookie = primary.name === 'COOKIE_1';
    const stored = cookie && chain.mirror ? encodeState(state, true) : value;
    if (cookie && encodeURIComponent(stored).length > MAX_COOKIE_VALUE) {
      warn(41, 'session');
      fallBack();
      return save(state, all, tell);
    }
    // What the store holds already is not written again: in Chromium a frozen page's cookie write was seen to land
    // only after what other tabs wrote meanwhile, so a save at `freeze` undid their writes (e2e/freeze.spec.ts).
    // A write that the page's own leaving cut short (into the back/forward cache, where WebKit may abort it, or for
    // good: db.ts) says nothing of the store: it is written again at the next save, and the session stays there.
    // Falling back would delete the store's copy, which the tab's other pages go on from (e2e/bfcache.spec.ts).
    const mark = lifeMark();
    if (stored !== last && !(back && holds(chain, state)))
      attempt(
        () => ((wroteAt = Date.now()), primary.set((last = stored))),
        () => (mark < 0 || mark !== lifeMark() ? (last = null) : fallBack()),
      );
    if (tell) tabs?.send({ k: 'state', v: value });
    writeMirror(state, value, all || !cookie, back);
  };

  const read = (at: number, due: boolean): unknown => {
    if (watchUntil < 0) watchUntil = at + WATCH;
    // (a store that answers later, IndexedDB: its mirror, written at every save, is read instead, as a cookie is: a
    // message of another tab's change comes late from a busy tab. test/sim regressions: a tab frozen while another
    // closed counted its own exit with the closed tab's index; two tabs 100 ms apart took one index)
    const store = chain.synchronous ? chain.primary : chain.mirror;
    if (!store || (!due && at - readAt < READ_EVERY && at > watchUntil)) return null;
    readAt = at;
    // (a store that cannot be read now: the core judges by what this tab knows)
    const value = readNow(store);
    return value === null || value === last ? null : (last = value);
  };

  return {
    mechanism,
    save,
    read,
    reread: () => ((watchUntil = -1), chain.primary.get()),
    mirrored: () => readNow(chain.mirror),
    wroteLately: () => Date.now() - wroteAt < LATELY,
  };
}
