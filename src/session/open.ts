/**
 * Opens where the session lives: the default chain (cookie, IndexedDB, memory), a custom store, or
 * memory alone (anonymous mode). A slow store (IndexedDB, an async custom store) answers later; a page
 * that goes away before it does, or a store that has not answered within `OPEN_WAIT`, goes on with a
 * stand-in (`goOn`), so that nothing waits without a bound and what the page holds is sent with a
 * fresh session rather than lost. A store that answers after all is reconciled: the stand-in takes it
 * on, and the session this page kept is written there.
 */
import { stintDb, type StintDb } from '../ground/db';
import type { CookieOptions, SessionStore } from '../ground/types';
import { merge } from '../core/session/merge';
import { complete, decodeState, type SessionState } from '../core/session/state';
import { copyName } from './copy';
import { inMemory, openChain, openCustom, when, type Chain, type Opening } from './stores/chain';

/**
 * How long the start waits for a store. IndexedDB answers in tens of ms, but can wait behind a
 * transaction another page left pending (WebKit: until that page leaves the back/forward cache,
 * https://bugs.webkit.org/show_bug.cgi?id=315804).
 */
const OPEN_WAIT = 3000;

export interface Opened {
  chain: Chain;
  /** Stint's database (the outbox), where IndexedDB may be used. */
  db: StintDb | null;
  /** Another tab of the site is open: the last page's unclean exit was not a crash. */
  othersOpen: boolean;
}

export interface Opener {
  /** Goes on at once with the stand-in (the page may be going away). */
  goOn(): void;
  /** Storage was withdrawn: a late answer is ignored. */
  cancel(): void;
}

/** Where the config keeps the session: a custom store, or the cookie's options for the default chain. */
export interface Where {
  store: SessionStore | undefined;
  cookie: CookieOptions | undefined;
  /** the endpoint that keeps the server's copy of the session (`serverCookie`), or '' */
  serverCookie?: string;
}

/**
 * A store read at once (the cookie) is read again once the roll call answers: the tabs went on meanwhile (100-400 ms on
 * a loaded machine), and a change in its last moments reached the cookie before its message did; the page's held events
 * would take the count from before it (scripts/chaos.mjs: a start's application_initialized and another tab's event,
 * one eventIndex).
 */
function again(opened: Chain): void {
  let now: SessionState | null = null;
  try {
    now = opened.synchronous && opened.found ? decodeState(opened.primary.get()) : null;
  } catch {
    // (a store that cannot be read now: what it held at start)
  }
  if (now) opened.found = merge(opened.found, complete(now, opened.found));
}

/**
 * Calls `onOpen` once: when storage answers, or with the stand-in if `goOn` (or the bound) comes first.
 * `alive`: the other tabs of the site that answer (the tabs' roll call; null: none can be asked).
 * `onLate`: a store that answered after the stand-in went on holds the session from now on (its mechanism).
 * `handed`: the session the tab's last page handed over (lifecycle/tab-mark.ts), which the stand-in goes on with.
 */
export function openStorage(
  where: Where,
  anonymous: boolean,
  alive: () => Promise<ReadonlySet<string> | null>,
  onOpen: (opened: Opened) => void,
  onLate: (mechanism: string) => void,
  handed: SessionState | null,
): Opener {
  let done = false;
  let cancelled = false;
  /** What the store answered, while the tabs' roll call is awaited: a page that goes meanwhile goes on with it. */
  let read: Chain | null = null;
  /** What the page went on with. */
  let used: Chain | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const db = anonymous ? null : stintDb();
  const { chain, early }: Opening = anonymous
    ? { chain: inMemory(), early: inMemory() }
    : where.store
      ? openCustom(where.store)
      : openChain(where.cookie, db, where.serverCookie ? copyName(where.cookie) : undefined);
  const open = (opened: Chain, othersOpen: boolean) => {
    clearTimeout(timer);
    if (cancelled) return;
    if (!done) {
      done = true;
      used = opened;
      return onOpen({ chain: opened, db, othersOpen });
    }
    // The store answered after the stand-in went on: from now on the stand-in saves there, so the
    // session this page reported is kept (what the store held at start is not taken up again).
    if (opened === used) return;
    Object.assign(early, { primary: opened.primary, mirror: opened.mirror, synchronous: opened.synchronous });
    onLate(opened.primary.name || 'CUSTOM');
  };
  Promise.resolve(
    when(chain, (opened) => {
      read = opened;
      const found = opened.found || opened.copy;
      // The last page did not exit cleanly: a crash, unless another tab of the site is still open.
      if (done || anonymous || !found || found.closed) return open(opened, false);
      return alive().then((tabs) => (done || again(opened), open(opened, !!tabs?.size)));
    }),
  ).catch(() => {});
  // (a store that answered goes on as it answered, not the stand-in; found by the simulator in development: a page
  // reloaded after a discard left during the roll call with the tab's older hand-over, and counted from it)
  const goOn = () => open(read ?? standIn(), false);
  /**
   * A slow store's stand-in goes on from the session the tab's last page left, or the mirror's (behind IndexedDB,
   * written at every save: keeper.ts), the later of them, rather than a new one; never when anonymous. (test/sim
   * regression: a tab opened while IndexedDB stalled started a new device, whose mirror hid the last page's count)
   */
  const standIn = () => {
    if (!anonymous && early !== chain) {
      let kept: SessionState | null = null;
      try {
        kept = decodeState(early.mirror?.get());
      } catch {
        // (localStorage refused now: the tab's hand-over alone)
      }
      early.found = handed && kept ? merge(handed, kept) : handed || kept;
    }
    return early;
  };
  if (!done) timer = setTimeout(goOn, OPEN_WAIT);
  return {
    goOn,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
      // (once it answered, the database is the tracker's)
      if (!done) db?.close();
    },
  };
}
