/**
 * Opens where the session lives: the default chain (cookie, IndexedDB, memory), a custom store, or
 * memory alone (anonymous mode). A slow store (IndexedDB, an async custom store) answers later; a page
 * that goes away before it does goes on with a stand-in (`_goOn`), so that what it holds is sent with a
 * fresh session rather than lost.
 */
import type { UseStore } from 'idb-keyval';
import type { Config } from '../config';
import type { Tabs } from '../tabs';
import { inMemory, openChain, openCustom, when, type Chain, type Opening } from './stores/chain';
import { stintDb } from './stores/idb';

export interface Opened {
  chain: Chain;
  /** Stint's database (the mirror and the outbox), where IndexedDB may be used. */
  db: UseStore | null;
  /** Another tab of the site is open: the last page's unclean exit was not a crash. */
  othersOpen: boolean;
}

export interface Opener {
  /** Goes on at once with the stand-in (the page may be going away). */
  _goOn(): void;
  /** Storage was withdrawn: a late answer is ignored. */
  _cancel(): void;
}

/** Calls `onOpen` once: when storage answers, or with the stand-in if `_goOn` comes first. */
export function openStorage(config: Config, anonymous: boolean, tabs: Tabs, onOpen: (opened: Opened) => void): Opener {
  let done = false;
  const open = (chain: Chain, db: UseStore | null, othersOpen: boolean) => {
    if (done) return;
    done = true;
    onOpen({ chain, db, othersOpen });
  };
  const db = anonymous ? null : stintDb();
  const { chain, early }: Opening = anonymous
    ? { chain: inMemory(), early: inMemory() }
    : config.store
      ? openCustom(config.store)
      : openChain(config.cookie, db);
  Promise.resolve(
    when(chain, (opened) => {
      const found = opened.found;
      // The last page did not exit cleanly: a crash, unless another tab of the site is still open.
      if (anonymous || !found || found.closed) return open(opened, db, false);
      return tabs._alive().then(
        (alive) => open(opened, db, !!alive?.size),
        () => open(opened, db, false),
      );
    }),
  ).catch(() => {});
  return {
    _goOn: () => open(early, db, false),
    _cancel: () => void (done = true),
  };
}
