/**
 * The hand-overs of leaving pages (src/delivery/sent-marks.ts) under a full localStorage: a refuted hand-over whose
 * `stint:again` the quota refuses is never taken as delivered (simulator seed 15980: a beacon lost as the network went
 * down, its entries then removed from the outbox by its page restored from the cache).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { follow, VERDICT } from '../src/core/verdict';
import type { Delivery, Outcome } from '../src/core/send-model';
import { handOver, judgeHandedOver, readVerdicts } from '../src/delivery/sent-marks';

/** A localStorage whose `refused` keys throw QuotaExceededError on a write that grows them. */
function fullStorage(refused: Set<string>) {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem(key: string, value: string) {
      if (refused.has(key) && value.length > (items.get(key) ?? '').length) throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key: string) => void items.delete(key),
    items,
  };
}

const T = 1_800_000_000_000;
let refused: Set<string>;
let storage: ReturnType<typeof fullStorage>;
beforeEach(() => {
  refused = new Set();
  storage = fullStorage(refused);
  vi.stubGlobal('localStorage', storage);
});
afterEach(() => vi.unstubAllGlobals());

/** The ids a page awaiting `ids` (left at `left`) sends again, after `follow` reads what the site's pages hold. */
function resent(ids: string[], left: number): string[] {
  const d = { queue: ids.map((id) => ({ id })), awaiting: new Map(ids.map((id) => [id, left])) } as unknown as Delivery;
  follow(d, [], readVerdicts());
  return ids.filter((id) => !d.awaiting.has(id));
}

describe('a hand-over refuted under a full localStorage', () => {
  const failure: Outcome = [false, T + 50, 1];
  const later2xx: Outcome = [true, T + VERDICT + 5_000, 2];

  it('with room: the failure soon after it left sends it again (stint:again), the hand-over gone', () => {
    handOver([[T, ['a', 'b']]]);
    judgeHandedOver(failure);
    expect(readVerdicts()).toMatchObject({ left: [], again: ['a', 'b'] });
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
  });

  it('stint:again refused: it stays handed over, marked refuted; its page sends it again; a later 2xx does not take it as delivered', () => {
    handOver([[T, ['a', 'b']]]);
    refused.add('stint:again');
    judgeHandedOver(failure);
    expect(readVerdicts().left).toEqual([[T, ['a', 'b'], 0, 1]]);
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
    judgeHandedOver(later2xx);
    expect(storage.getItem('stint:sent')).toBeNull();
    expect(readVerdicts().left).toEqual([[T, ['a', 'b'], 0, 1]]);
    // (room again: the next outcome records it as sent again, the hand-over gone)
    refused.clear();
    judgeHandedOver([true, T + VERDICT + 9_000, 3]);
    expect(readVerdicts()).toMatchObject({ left: [], again: ['a', 'b'] });
  });

  it('stint:again and the mark both refused: it stays handed over as it was, awaiting (never taken as judged sent)', () => {
    handOver([[T, ['a', 'b']]]);
    refused.add('stint:again').add('stint:left');
    judgeHandedOver(failure);
    expect(readVerdicts().left).toEqual([[T, ['a', 'b'], 0]]);
    // (its page, reading the site's last outcome, a failure soon after it left, sends it again)
    storage.items.set('stint:outcome', `0 ${T + 50} 1`);
    expect(resent(['a', 'b'], T)).toEqual(['a', 'b']);
  });
});
