/**
 * localStorage and the cookie jar as browsers give them to pages, and the disk under them:
 * - what the device holds (`device`: the checks read it) is the store's own copy, in the browser process, which each
 *   write reaches a moment after the page made it, in the order each page made its writes;
 * - a tab reads a copy of its own, its renderer's: its pages see their own writes at once, and other tabs' once the
 *   store has told it, later. Chromium keeps localStorage in the renderer (CachedStorageArea), which the storage
 *   service updates asynchronously by a message per change, and ignores a change of a key that it has written itself
 *   and the service not yet confirmed (so every copy ends as the service's); document.cookie's setter is a message to
 *   the network service, which holds the jar, and another renderer's read sees it once the service has applied it
 *   (Chromium's third_party/blink/renderer/modules/storage/cached_storage_area.h: a local mutation is pending until an
 *   observer event acknowledges it, `pending_mutations_by_key_`; services/network/restricted_cookie_manager.cc). The
 *   lag is a message between processes: mostly under 2 ms, now and then tens, rarely a few hundred (a busy browser);
 * - the pages of one tab share its copy, for the tab's life (Chromium keeps a same-site navigation in its renderer
 *   process, and the simulator's crash kills a page, not the pages its tab keeps in the back/forward cache);
 * - the disk (`startDisk`): in a share of seeds it is nearly full, and IndexedDB refuses a transaction that writes now
 *   and then; in another the site's own data fills its localStorage quota, and a write that grows it throws
 *   QuotaExceededError (https://html.spec.whatwg.org/multipage/webstorage.html#dom-storage-setitem); elsewhere a
 *   write fails rarely, once.
 */
import type { Loop } from './loop';
import { probe, type ProbeName } from './probes';
import type { Random } from './random';

/** What page.ts's Storage and the cookie jar read and write: a Map's few methods. */
export interface StorageMap<V = string> {
  has(key: string): boolean;
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
  clear(): void;
  keys(): IterableIterator<string>;
  readonly size: number;
}

export interface Replica<V> {
  /** what the device holds */
  device: Map<string, V>;
  /** what it holds once the writes on their way have landed (what the pages asked for, in the order it lands) */
  settled(): Map<string, V>;
  /** the copy the pages of `tab` read: their own writes at once, other tabs' later */
  view(tab: string): StorageMap<V>;
}

/** The longest `lag`. */
export const JAR_LAG = 300;

/** Mostly under 2 ms, now and then tens, rarely hundreds: a message between two processes of the browser. */
export function lag(random: Random): number {
  const r = random.next();
  return r < 0.9 ? random.between(0, 2) : r < 0.99 ? random.between(3, 40) : random.between(41, JAR_LAG);
}

interface Copy<V> {
  values: Map<string, V>;
  /** by key, this tab's writes the store has not confirmed yet: a change from elsewhere to that key is ignored */
  unconfirmed: Map<string, number>;
  /** when the store's last message reaches it (messages in order) */
  last: number;
}

/**
 * A store shared by a site's tabs, each reading a copy of its own. `what` names it in probes and the log.
 */
export function startReplica<V>(
  loop: Loop,
  random: Random,
  what: 'localStorage' | 'cookie',
  o: {
    /** the delay from the store to a tab's copy (0: the tab reads the store itself once it changed) */
    remote: () => number;
    /** a tab's copy of `key` changed (created, written, told: `from`, the tab that wrote it, and when) */
    watch?: (tab: string, key: string, value: V | undefined, from?: { tab: string; at: number }) => void;
    /** a write reached the device */
    stored?: (key: string, value: V | undefined, tab: string) => void;
    /** `tab` read `key` while its own write of it was on its way, and the device held another tab's (not shown it) */
    masked?: (tab: string, key: string) => void;
  },
): Replica<V> {
  const watch = o.watch || (() => {});
  const device = new Map<string, V>();
  const copies = new Map<string, Copy<V>>();
  /** by tab, when its last write reaches the store (in order) */
  const pipes = new Map<string, number>();
  /** writes on their way to the store, in the order they land */
  const landing: { key: string; value: V | undefined; at: number }[] = [];
  /** writes on their way: which tab wrote which key, and the copies told so far */
  const flight = new Set<{ tab: string; key: string; told: Set<Copy<V>> }>();
  const late: ProbeName =
    what === 'cookie'
      ? "storage: a cookie read missed another tab's write"
      : "storage: a localStorage read missed another tab's write";

  const copyOf = (tab: string) => {
    let copy = copies.get(tab);
    if (!copy) {
      copies.set(tab, (copy = { values: new Map(device), unconfirmed: new Map(), last: 0 }));
      for (const [key, value] of device) watch(tab, key, value);
    }
    return copy;
  };

  /** `tab` wrote `key` (undefined: removed): its copy at once, the store after the lag, then the other tabs' copies. */
  const write = (tab: string, key: string, value: V | undefined) => {
    const mine = copyOf(tab);
    if (value === undefined) mine.values.delete(key);
    else mine.values.set(key, value);
    watch(tab, key, value);
    mine.unconfirmed.set(key, (mine.unconfirmed.get(key) || 0) + 1);
    // (a write made while the tab's earlier ones are on their way goes with them: the pipe is slow, not the message)
    const last = pipes.get(tab) ?? -1;
    const at = last >= loop.now() ? last : loop.now() + lag(random);
    pipes.set(tab, at);
    const on = { tab, key, told: new Set([mine]) };
    flight.add(on);
    const pending = { key, value, at };
    const from = { tab, at: loop.now() };
    landing.push(pending);
    loop.at(at - loop.now(), null, `${what} ${key} stored`, () => {
      landing.splice(landing.indexOf(pending), 1);
      if (value === undefined) device.delete(key);
      else device.set(key, value);
      o.stored?.(key, value, tab);
      let left = copies.size;
      if (!left) flight.delete(on);
      for (const [other, copy] of copies) {
        const to = Math.max(loop.now() + o.remote(), copy.last);
        copy.last = to;
        const tell = () => {
          on.told.add(copy);
          if (--left === 0) flight.delete(on);
          // (the tab's own write, confirmed: its copy has it already)
          const n = other === tab ? (copy.unconfirmed.get(key) || 0) - 1 : -1;
          if (n >= 0) return void (n ? copy.unconfirmed.set(key, n) : copy.unconfirmed.delete(key));
          if (copy.unconfirmed.has(key)) return;
          if (value === undefined) copy.values.delete(key);
          else copy.values.set(key, value);
          watch(other, key, value, from);
        };
        if (to === loop.now()) tell();
        else loop.at(to - loop.now(), null, `${what} ${key} told to ${other}`, tell);
      }
    });
  };

  return {
    device,
    settled() {
      const all = new Map(device);
      // (by when each lands; those landing in one moment, in the order they were made)
      for (const { key, value } of [...landing].sort((a, b) => a.at - b.at))
        if (value === undefined) all.delete(key);
        else all.set(key, value);
      return all;
    },
    view(tab) {
      const copy = copyOf(tab);
      const { values } = copy;
      // (another tab's write of the key, made before this read, has not reached this tab yet)
      const read = (key: string) => {
        const missed = [...flight].some((f) => f.key === key && f.tab !== tab && !f.told.has(copy));
        if (missed) probe(late);
        if (copy.unconfirmed.has(key) && device.has(key) && device.get(key) !== values.get(key)) o.masked?.(tab, key);
        return values.get(key);
      };
      return {
        has: (key) => values.has(key),
        get: read,
        set: (key, value) => write(tab, key, value),
        // (Chromium's copy sends no removal of a key it does not hold)
        delete: (key) => values.has(key) && (write(tab, key, undefined), true),
        clear: () => [...values.keys()].forEach((key) => write(tab, key, undefined)),
        keys: () => {
          for (const f of flight) if (f.tab !== tab && !f.told.has(copy)) return probe(late), values.keys();
          return values.keys();
        },
        get size() {
          return values.size;
        },
      };
    },
  };
}

/** The disk nearly full (`full`: IndexedDB), the site's localStorage nearly full (`local`). */
export type Pinned = { full?: boolean; local?: boolean };

export interface Disk {
  /** IndexedDB refuses this transaction (QuotaExceededError) */
  refuse(what: 'write' | 'create'): boolean;
  /** localStorage refuses `value` for `key`, whose value is `old` now (QuotaExceededError) */
  refuseLocal(key: string, value: string, old: string | undefined): boolean;
}

/**
 * The seed's disk: nearly full in some seeds (IndexedDB refuses half the transactions that write), the site's
 * localStorage full in others (most writes that grow it are refused); elsewhere, in some seeds, one write of each
 * fails. `pinned`: the seed's disk as a schedule says it (a regression's), not drawn.
 */
export function startDisk(random: Random, log: (line: string) => void, pinned?: Pinned): Disk {
  const full = pinned?.full ?? random.chance(0.04);
  const local = pinned?.local ?? random.chance(0.04);
  /** the n-th write that fails alone (0: none) */
  let single = random.chance(0.1) ? random.between(1, 150) : 0;
  let singleLocal = random.chance(0.1) ? random.between(1, 300) : 0;
  if (full) log('the disk is nearly full: IndexedDB refuses writes now and then');
  if (local) log("the site's localStorage is nearly full: a write that grows it may be refused");
  return {
    refuse: (what) => (full ? random.chance(what === 'create' ? 0.3 : 0.5) : --single === 0),
    refuseLocal: (key, value, old) => {
      const grows = value.length > (old ?? '').length || old === undefined;
      if (!(local ? grows && random.chance(0.7) : --singleLocal === 0)) return false;
      probe('storage: a localStorage write refused: its quota is full');
      return true;
    },
  };
}
