/**
 * The hand-overs of leaving pages (src/delivery/sent-marks.ts) under a full localStorage: a refuted hand-over whose
 * `stint:again` the quota refuses is never taken as delivered (simulator seed 15980: a beacon lost as the network went
 * down, its entries then removed from the outbox by its page restored from the cache).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { follow, VERDICT } from '../src/core/send/verdict';
import type { Delivery, Outcome } from '../src/core/send/send-model';
import { eraseMarks, handOver, judgeHandedOver, judgeLast, readMarks, readVerdicts } from '../src/delivery/sent-marks';
import { startOutbox } from '../src/delivery/outbox';
import type { Entry } from '../src/core/event';
import { memoryOutbox } from './helpers';

/**
 * A localStorage whose keys that begin with one of `refused` throw QuotaExceededError on a write that grows them (one of
 * `always`: on any write).
 */
function fullStorage(refused: Set<string>, always: Set<string>) {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem(key: string, value: string) {
      const full = [...refused].some((r) => key.startsWith(r));
      const grows = value.length > (items.get(key) ?? '').length;
      if ((full && grows) || [...always].some((r) => key.startsWith(r)))
        throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key: string) => void items.delete(key),
    key: (i: number) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
    items,
  };
}

const T = 1_800_000_000_000;
let refused: Set<string>;
let always: Set<string>;
let storage: ReturnType<typeof fullStorage>;
beforeEach(() => {
  refused = new Set();
  always = new Set();
  storage = fullStorage(refused, always);
  vi.stubGlobal('localStorage', storage);
  // (what a page's memory holds of its refused hand-overs goes too)
  eraseMarks();
});
afterEach(() => vi.unstubAllGlobals());

/** The ids a page awaiting `ids` (left at `left`) sends again, after `follow` reads what the site's pages hold. */
function resent(ids: string[], left: number): string[] {
  const d = { queue: ids.map((id) => ({ id })), awaiting: new Map(ids.map((id) => [id, left])) } as unknown as Delivery;
  follow(d, [], readVerdicts());
  return ids.filter((id) => !d.awaiting.has(id));
}

describe('hand-overs of pages that leave one after another', () => {
  it("each under a key of its own, which its judge alone removes (the race between tabs: the simulator's seeds 8190, 19115); one made after an outcome waits for the next", () => {
    handOver([[T, ['a']]], 'p');
    // (a tab reads the hand-overs: the first page's alone)
    const seen = readVerdicts().left;
    handOver([[T + 1, ['b']]], 'p');
    expect(seen).toEqual([[T, ['a'], 0]]);
    judgeHandedOver([true, T + 60, 1]);
    expect(storage.getItem('stint:sent')).toBe('["a","b"]');
    // (after the site shared that outcome: the next says what became of it, not that one shared late)
    storage.items.set('stint:outcome', `1 ${T + 60} 1`);
    handOver([[T + 100, ['c']]], 'p');
    judgeHandedOver([false, T + 150, 1]);
    expect(readVerdicts()).toMatchObject({ left: [[T + 100, ['c'], 1]], again: [] });
    judgeHandedOver([false, T + 150, 2]);
    expect(readVerdicts()).toMatchObject({ left: [], again: ['c'] });
    expect([...storage.items.keys()].filter((k) => k.startsWith('stint:left'))).toEqual([]);
  });

  it("two pages that hand over the same first entry (both sent it: a stalled claim of the turn) keep both hand-overs (the simulator's seed 15705: the later took the earlier's key, and the earlier's beacon was sent again)", () => {
    // (a tab closes: its request in flight, a, and its beacon, b; another tab, which sent a too, enters the cache)
    handOver([[T, ['a', 'b']]], 'p1');
    handOver([[T + 1_000, ['a', 'c']]], 'p2');
    expect(readVerdicts().left).toEqual(expect.arrayContaining([[T, ['a', 'b'], 0], [T + 1_000, ['a', 'c'], 0]]));
    judgeHandedOver([true, T + 5_000, 1]);
    expect(new Set(JSON.parse(storage.getItem('stint:sent')!))).toEqual(new Set(['a', 'b', 'c']));
    expect(readVerdicts().left).toEqual([]);
  });

  it("at most 200 in localStorage (pages that left while no outcome came): more stay in the page's memory", () => {
    for (let i = 0; i < 205; i++) handOver([[T + i, [`e${i}`]]], 'p');
    expect([...storage.items.keys()].filter((k) => k.startsWith('stint:left:'))).toHaveLength(200);
    expect(readVerdicts().left).toHaveLength(205);
  });
});

describe('a hand-over refuted under a full localStorage', () => {
  const failure: Outcome = [false, T + 50, 1];
  const later2xx: Outcome = [true, T + VERDICT + 5_000, 2];

  it("the site's last outcome judges a hand-over its page did not (it shared a failure and died): sent again, not taken as delivered by a later 2xx (simulator seed 39509)", () => {
    handOver([[T, ['a']]], 'p');
    // (the page that shared the failure crashed before it judged what it had handed over)
    storage.items.set('stint:outcome', `0 ${T + 100} 1`);
    judgeLast();
    judgeHandedOver([true, T + 20_000, 2]);
    expect([resent(['a'], T), storage.getItem('stint:sent')]).toEqual([['a'], null]);
  });

  it('with room: the failure soon after it left sends it again (stint:again), the hand-over gone', () => {
    handOver([[T, ['a', 'b']]], 'p');
    judgeHandedOver(failure);
    expect(readVerdicts()).toMatchObject({ left: [], again: ['a', 'b'] });
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
  });

  it('stint:again refused: it stays handed over, marked refuted; its page sends it again; a later 2xx does not take it as delivered', () => {
    handOver([[T, ['a', 'b']]], 'p');
    refused.add('stint:again');
    judgeHandedOver(failure);
    expect(readVerdicts().left).toEqual([[0, ['a', 'b'], 0, 1]]);
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
    judgeHandedOver(later2xx);
    expect(storage.getItem('stint:sent')).toBeNull();
    expect(readVerdicts().left).toEqual([[0, ['a', 'b'], 0, 1]]);
    // (room again: the next outcome records it as sent again, the hand-over gone)
    refused.clear();
    judgeHandedOver([true, T + VERDICT + 9_000, 3]);
    expect(readVerdicts()).toMatchObject({ left: [], again: ['a', 'b'] });
  });

  it('stint:again refused, localStorage full: the mark, shorter than the hand-over it replaces, lands; no later outcome takes it as sent, whichever page reads it (simulator seeds 49719, 52286, 53650)', () => {
    handOver([[T, ['a', 'b']]], 'p');
    refused.add('stint:again').add('stint:left');
    judgeHandedOver(failure);
    expect(storage.getItem('stint:left:p:a')).toBe(JSON.stringify([0, ['a', 'b'], 0, 1]));
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
    // (a 2xx, or a failure long after they left, seen by this page or the next once this one went)
    judgeHandedOver(later2xx);
    judgeHandedOver([false, T + 30_000, 3]);
    expect(storage.getItem('stint:sent')).toBeNull();
    expect(readVerdicts().left).toEqual([[0, ['a', 'b'], 0, 1]]);
  });

  it('a storage that refuses every write of the hand-overs: the judging page holds the refutation, sends it again, and a later 2xx does not take it as delivered', () => {
    handOver([[T, ['a', 'b']]], 'p');
    refused.add('stint:again');
    always.add('stint:left');
    judgeHandedOver(failure);
    // (localStorage keeps the hand-over as it was; this page reads its own refutation in its place)
    expect(storage.getItem('stint:left:p:a')).toBe(JSON.stringify([T, ['a', 'b'], 0]));
    expect(readVerdicts().left).toEqual([[0, ['a', 'b'], 0, 1]]);
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
    judgeHandedOver(later2xx);
    expect(storage.getItem('stint:sent')).toBeNull();
    expect(readVerdicts().left).toEqual([[0, ['a', 'b'], 0, 1]]);
  });
});

describe('a removal the disk refused', () => {
  const entry = (id: string): Entry => ({ id, at: T, appId: 'app', name: 'e', props: '{}', index: 1, hidden: false, ctx: '{}' });

  it("marks its events sent: the next page that reads the outbox removes them unsent (test/sim seed 39524: a 2xx's removal refused by a full disk, its events sent again later)", async () => {
    const store = memoryOutbox();
    await store.put([['c1', [entry('a'), entry('b')]]]);
    const full = { ...store, remove: () => Promise.reject(new DOMException('full', 'QuotaExceededError')) };
    const outbox = startOutbox(full, () => {});
    outbox.remove([['c1', ['a'], false]]);
    outbox.commit(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([...readMarks()]).toEqual(['a']);
    const read = await startOutbox(store, () => {}).read([]);
    expect(read.chunks).toEqual([['c1', [entry('b')]]]);
  });
});
