/**
 * The default storage chain: the first-party cookie, then IndexedDB (where cookies are blocked),
 * then memory (where both are). Each failure is detected for real: a cookie is written and read
 * back, IndexedDB is opened and read. Behind a working cookie, localStorage keeps a mirror from which
 * a lost cookie (cleared, capped by the browser, evicted) is restored, synchronously.
 */
import { merge } from '../../core/session/merge';
import { complete, decodeState, type SessionState } from '../../core/session/state';
import type { CookieOptions, SessionStore } from '../../ground/types';
import { cookieStore, readCookies } from './cookie';
import { lifeMark, type StintDb } from '../../ground/db';
import { idbSessionStore } from './idb';
import { eraseMirror, localMirror } from './local';
import { memoryStore } from './memory';

/** Where the session lives: the store that holds it, the mirror behind a cookie, and what they held at start. */
export interface Chain {
  /** Holds the session; its `name` is the storageMechanism. */
  primary: SessionStore;
  /** The copy behind the cookie (localStorage: `local.ts`). */
  mirror: SessionStore | null;
  /** What the device held at start. */
  found: SessionState | null;
  /** Where it held nothing: the server's copy of the session (`serverCookie`), if any. */
  copy?: SessionState | null;
  /** Whether `primary.get()` answers synchronously (the cookie), so it can be re-read before a rollover. */
  synchronous: boolean;
}

type Maybe<T> = T | Promise<T>;

/** A chain being opened: `chain` answers now or later; `early` stands in if the page goes away first. */
export interface Opening {
  chain: Maybe<Chain>;
  /** Holds a fresh session without overwriting what the slow store may still hold. */
  early: Chain;
}

/** `then` for a value that may or may not be a promise: synchronous stores stay synchronous. */
export function when<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  return value && typeof (value as Promise<T>).then === 'function'
    ? (value as Promise<T>).then(next)
    : next(value as T);
}

export const inMemory = (): Chain => ({ primary: memoryStore(), mirror: null, found: null, synchronous: true });

/** A custom store replaces the chain; a store that fails to answer leaves the session in memory. */
export function openCustom(store: SessionStore): Opening {
  let chain: Maybe<Chain>;
  try {
    const read = when(store.get(), (value) => ({
      primary: store,
      mirror: null,
      found: decodeState(value),
      synchronous: false,
    }));
    chain = read instanceof Promise ? read.catch(inMemory) : read;
  } catch {
    chain = inMemory();
  }
  return { chain, early: inMemory() };
}

/** `copy`: the name of the server's copy (`serverCookie`, ../copy.ts), read when the cookie and its mirror are gone. */
export function openChain(cookie: CookieOptions | undefined, db: StintDb | null, copy?: string): Opening {
  const jar = cookieStore(cookie);
  let found: SessionState | null = null;
  try {
    found = decodeState(jar.get());
  } catch {
    // A sandboxed document throws on document.cookie: works() says no below.
  }
  // Our own cookie read back proves cookies work; the probe (a read right after a write, ~100 µs) is for
  // the rest, and for finding the domain when it is 'auto'.
  if ((found && cookie?.domain !== 'auto') || jar.works()) {
    const mirror = localMirror();
    // The cookie is gone (cleared, capped by the browser, evicted): the mirror may still hold the device. It holds
    // the visitor's fields the lean cookie leaves out, too.
    const kept = mirror && decodeState(mirror.get());
    found = found ? complete(found, kept) : kept;
    // Both gone (Safari deletes a site's script-writable storage after 7 days without a visit): the server's copy.
    const held = !found && copy ? decodeState(readCookies(copy).find(decodeState)) : null;
    const chain: Chain = { primary: jar, mirror, found, copy: held && complete(held, null), synchronous: true };
    return { chain, early: chain };
  }
  const idb = db && idbSessionStore(db);
  if (!idb) return { chain: inMemory(), early: inMemory() };
  // Behind IndexedDB too, localStorage keeps a mirror, written at once as the page leaves: a write to IndexedDB that
  // the page's going cut short leaves the next page the later count there (test/sim regression: cookies blocked, a
  // closed tab's application_exit and the next tab's first event took one eventIndex).
  const mirror = localMirror();
  const read = (value: unknown): Chain => {
    const [stored, kept] = [decodeState(value), mirror && decodeState(mirror.get())];
    return { primary: idb, mirror, found: stored && kept ? merge(stored, kept) : stored || kept, synchronous: false };
  };
  // (a read that the page's leaving cut short, told once it is back from the cache (WebKit), is no failure of
  // IndexedDB: read again, rather than keep the session in memory; found by the simulator in development)
  const mark = lifeMark();
  const get = () => idb.get() as Promise<string>;
  // A database that cannot be opened (blocked, or not created: the disk is full) leaves the session in localStorage,
  // where the site's other pages read it, rather than in this page's memory alone (test/sim seed 36559: a tab whose
  // database the disk refused kept its count in memory, and a tab opened later counted from the store's older one).
  const instead = (): Chain => {
    if (!mirror) return inMemory();
    let found: SessionState | null = null;
    try {
      found = decodeState(mirror.get());
    } catch {
      // (refused now: it is given up at the first write that fails, keeper.ts)
    }
    return { primary: mirror, mirror: null, found, synchronous: true };
  };
  const chain = get().then(read, () => (mark !== lifeMark() ? get().then(read, instead) : instead()));
  // (a stand-in, should IndexedDB not answer in time, keeps the mirror written too)
  return { chain, early: { ...inMemory(), mirror } };
}

/**
 * Consent withdrawn: the session leaves the device (every domain variant of the cookie, or the custom store, and the
 * mirror).
 */
export function eraseSession(store: SessionStore | undefined, cookie: CookieOptions | undefined): void {
  if (store)
    Promise.resolve()
      .then(() => store.delete())
      .catch(() => {});
  else cookieStore(cookie).delete();
  eraseMirror();
}
