/**
 * Where the session is written (src/session/keeper.ts): each save reaches the store, and what the store holds
 * already is not written again. A frozen Chromium page's cookie write reaches the browser only when it resumes,
 * so a save at `freeze` that wrote the same value again landed over what the other tabs wrote meanwhile
 * (e2e/freeze.spec.ts: the resumed tab's next event took another tab's `eventIndex`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeState } from '../src/core/session/state';
import { setLeaving } from '../src/ground/db';
import { startKeeper } from '../src/session/keeper';
import type { Tabs } from '../src/session/tabs';
import type { SessionStore } from '../src/ground/types';
import { state } from './helpers';

/** A synchronous store that counts its writes. */
function counted(name: string) {
  const writes: string[] = [];
  let value: string | null = null;
  const store: SessionStore = {
    name,
    get: () => value,
    set: (v: string) => void writes.push((value = v)),
    delete: () => void (value = null),
  };
  return { store, writes, put: (v: string) => (value = v) };
}

describe('the keeper', () => {
  afterEach(() => void vi.useRealTimers());
  it('writes a changed session, and not again what the store holds already (at freeze, the save changes nothing)', () => {
    const cookie = counted('COOKIE_1');
    const mirror = counted('LOCAL_STORAGE');
    const keeper = startKeeper({ primary: cookie.store, mirror: mirror.store, found: null, synchronous: true }, null, () => {});
    const s = state({ eventIndex: 8 });
    keeper.save(s, false);
    expect(cookie.writes).toEqual([encodeState(s, true)]);
    // The page hides, then freezes: each saves at once, the same session.
    keeper.save(s, true);
    keeper.save(s, true);
    expect(cookie.writes).toHaveLength(1);
    expect(mirror.writes).toEqual([encodeState(s)]);
    // Another tab wrote meanwhile: read, it is what the store holds; this tab's next change is written.
    const theirs = encodeState(state({ eventIndex: 9 }), true);
    cookie.put(theirs);
    expect(keeper.read(Date.now(), true)).toBe(theirs);
    keeper.save(s, true);
    expect(cookie.writes).toHaveLength(2);
    const next = state({ eventIndex: 10 });
    keeper.save(next, false);
    expect(cookie.writes.at(-1)).toBe(encodeState(next, true));
  });

  it('a write-back is written whatever this tab last wrote (another tab wrote since), and told to no tab', () => {
    const db = counted('INDEXED_DB');
    const mirror = counted('LOCAL_STORAGE');
    const told: unknown[] = [];
    const tabs = { send: (message: unknown) => void told.push(message) } as unknown as Tabs;
    const keeper = startKeeper({ primary: db.store, mirror: mirror.store, found: null, synchronous: false }, tabs, () => {});
    const s = state({ eventIndex: 8 });
    keeper.save(s, false);
    expect([db.writes, told]).toEqual([[encodeState(s)], [{ k: 'state', v: encodeState(s) }]]);
    // (another tab's older writes landed after it, the store's and the mirror's: this tab heard its state)
    db.put(encodeState(state({ eventIndex: 7 })));
    mirror.put(encodeState(state({ eventIndex: 7 })));
    keeper.save(s, false, false, true);
    expect([db.writes.length, db.store.get(), mirror.store.get(), told.length]).toEqual([2, encodeState(s), encodeState(s), 1]);
  });

  it('a write-back to a store read at once is written only where the store holds less (test/sim seeds 5349, 21640)', () => {
    const cookie = counted('COOKIE_1');
    const keeper = startKeeper({ primary: cookie.store, mirror: null, found: null, synchronous: true }, null, () => {});
    const s = state({ eventIndex: 8 });
    keeper.save(s, false);
    // Another tab wrote 9 since: the store holds all this tab knows, and a write would land over it.
    cookie.put(encodeState(state({ eventIndex: 9 })));
    keeper.save(s, false, false, true);
    expect(cookie.writes).toHaveLength(1);
    // It holds the same: nothing to write either.
    cookie.put(encodeState(s));
    keeper.save(s, false, false, true);
    expect(cookie.writes).toHaveLength(1);
    // An older write landed after this tab's (seed 369), or the store holds nothing: written back.
    cookie.put(encodeState(state({ eventIndex: 7 })));
    keeper.save(s, false, false, true);
    expect(cookie.writes).toEqual([encodeState(s), encodeState(s)]);
    cookie.put(null as unknown as string);
    keeper.save(s, false, false, true);
    expect(cookie.writes).toHaveLength(3);
  });

  it('behind IndexedDB, a mirror refused once is removed, and written again at the next save (test/sim seed 222)', () => {
    const db = counted('INDEXED_DB');
    const mirror = counted('LOCAL_STORAGE');
    const chain = { primary: db.store, mirror: mirror.store, found: null, synchronous: false };
    const keeper = startKeeper(chain, null, () => {});
    keeper.save(state({ eventIndex: 3 }), false);
    const set = mirror.store.set;
    mirror.store.set = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    keeper.save(state({ eventIndex: 4 }), false);
    // (no older copy left behind, for a page to stand in with or a tab to read as the latest)
    expect([mirror.store.get(), chain.mirror]).toEqual([null, mirror.store]);
    mirror.store.set = set;
    keeper.save(state({ eventIndex: 5 }), false);
    expect([mirror.store.get(), db.store.get()]).toEqual([encodeState(state({ eventIndex: 5 })), encodeState(state({ eventIndex: 5 }))]);
  });

  it('knows whether this tab wrote the store lately: a write it made may reach the store after one it has not heard of', () => {
    vi.useFakeTimers({ now: 50_000 });
    const cookie = counted('COOKIE_1');
    const keeper = startKeeper({ primary: cookie.store, mirror: null, found: null, synchronous: true }, null, () => {});
    expect(keeper.wroteLately()).toBe(false);
    keeper.save(state({ eventIndex: 3 }), false);
    vi.advanceTimersByTime(999);
    expect(keeper.wroteLately()).toBe(true);
    // (a save of what the store holds writes nothing: no later)
    keeper.save(state({ eventIndex: 3 }), false);
    vi.advanceTimersByTime(1);
    expect(keeper.wroteLately()).toBe(false);
  });

  it('after a restore, the store is read before every input for a second (the page left may write its exit after it)', () => {
    const cookie = counted('COOKIE_1');
    const keeper = startKeeper({ primary: cookie.store, mirror: null, found: null, synchronous: true }, null, () => {});
    cookie.put(encodeState(state({ eventIndex: 3 })));
    keeper.reread();
    expect(keeper.read(1000, false)).toBe(encodeState(state({ eventIndex: 3 })));
    // (Chromium ran the other page's pagehide after this pageshow: its exit lands 1 ms later)
    cookie.put(encodeState(state({ eventIndex: 4 })));
    expect(keeper.read(1001, false)).toBe(encodeState(state({ eventIndex: 4 })));
    cookie.put(encodeState(state({ eventIndex: 5 })));
    expect(keeper.read(1999, false)).toBe(encodeState(state({ eventIndex: 5 })));
    // (then every 20 ms again)
    cookie.put(encodeState(state({ eventIndex: 6 })));
    expect([keeper.read(2005, false), keeper.read(2019, false)]).toEqual([null, encodeState(state({ eventIndex: 6 }))]);
  });

  it('a store that fails moves the session to memory, where the next save is written even when unchanged', () => {
    const cookie = counted('COOKIE_1');
    const moved: string[] = [];
    const chain = { primary: cookie.store, mirror: null, found: null, synchronous: true };
    const keeper = startKeeper(chain, null, (m) => moved.push(m));
    keeper.save(state({ eventIndex: 3 }), false);
    cookie.store.set = () => {
      throw new Error('refused');
    };
    const next = state({ eventIndex: 4 });
    keeper.save(next, false);
    expect(moved).toEqual(['MEMORY']);
    // The page hides: the same session, now kept in memory alone.
    keeper.save(next, true);
    expect(chain.primary.get()).toBe(encodeState(next));
  });

  it('a write that fails once the page leaves (cut short by its own leaving) moves nothing and deletes nothing: it is written again at the next save', async () => {
    const db = counted('INDEXED_DB');
    const moved: string[] = [];
    const chain = { primary: db.store, mirror: null, found: null, synchronous: false };
    const keeper = startKeeper(chain, null, (m) => moved.push(m));
    keeper.save(state({ eventIndex: 3 }), false);
    const set = db.store.set;
    db.store.set = () => Promise.reject(new Error('aborted'));
    setLeaving(true);
    const left = state({ eventIndex: 4 });
    keeper.save(left, true);
    // (the page is back before the failure is told: a cached page runs nothing)
    setLeaving(false);
    await new Promise((resolve) => setTimeout(resolve));
    expect(moved).toEqual([]);
    expect(db.store.get()).toBe(encodeState(state({ eventIndex: 3 })));
    db.store.set = set;
    keeper.save(left, false);
    expect(db.store.get()).toBe(encodeState(left));
    // A failure of a write made while the page runs still moves the session.
    db.store.set = () => Promise.reject(new Error('refused'));
    keeper.save(state({ eventIndex: 5 }), false);
    await new Promise((resolve) => setTimeout(resolve));
    expect(moved).toEqual(['MEMORY']);
  });

  it('a write made while the page ran, cut as it entered the cache and told once it is back (WebKit): moves nothing', async () => {
    const db = counted('INDEXED_DB');
    const moved: string[] = [];
    const keeper = startKeeper({ primary: db.store, mirror: null, found: null, synchronous: false }, null, (m) => moved.push(m));
    let cut: (error: Error) => void = () => {};
    db.store.set = () => new Promise((_, reject) => (cut = reject));
    keeper.save(state({ eventIndex: 3 }), false);
    setLeaving(true);
    setLeaving(false);
    cut(new Error('aborted'));
    await new Promise((resolve) => setTimeout(resolve));
    expect(moved).toEqual([]);
  });

  it('the session in IndexedDB: its mirror, written at every save, is read as a cookie is, and before an end or an exit', () => {
    const db = counted('INDEXED_DB');
    const mirror = counted('LOCAL_STORAGE');
    const keeper = startKeeper({ primary: db.store, mirror: mirror.store, found: null, synchronous: false }, null, () => {});
    mirror.put(encodeState(state({ eventIndex: 9 })));
    // (before an input, as a cookie is: another tab's change also comes as a message, which a busy tab delays)
    expect(keeper.read(1000, false)).toBe(encodeState(state({ eventIndex: 9 })));
    mirror.put(encodeState(state({ eventIndex: 10 })));
    // (once the first second's watch is over, at most every 20 ms; but always before an end or an exit)
    expect(keeper.read(2500, false)).toBe(encodeState(state({ eventIndex: 10 })));
    mirror.put(encodeState(state({ eventIndex: 11 })));
    expect(keeper.read(2510, false)).toBeNull();
    expect(keeper.read(2515, true)).toBe(encodeState(state({ eventIndex: 11 })));
    expect(keeper.mirrored()).toBe(encodeState(state({ eventIndex: 11 })));
  });
});
