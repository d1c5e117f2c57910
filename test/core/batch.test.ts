/**
 * What each answer of the collector does to a batch (core/send/batch.ts `retryable`, core/send/send.ts `reply`): delivered, sent
 * again after a backoff, halved, or dropped (counted, with one warning). Every failure that may pass is retried, for up
 * to a week, as Snowplow's trackers retry every status but 400, 401, 403, 410 and 422 (those say the batch itself is
 * wrong, and 413 its size): a collector that answers 404 during a deploy loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { MAX_AGE, retryable } from '../../src/core/send/batch';
import type { Entry } from '../../src/core/event';
import { nativeFormat } from '../../src/core/formats/native';
import { delivery, sendStep, type Delivery, type SendAnswer, type SendEffect, type SendInput } from '../../src/core/send/send';

const T0 = 1_700_000_000_000;
const SHARED = { profile: null, sampleRate: 1 };
const entry = (n: number, at = T0 + n): Entry => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  at,
  appId: 'app',
  name: 'e',
  props: '{}',
  index: n,
  hidden: false,
  ctx: '{}',
});
type Step = (SendEffect | SendAnswer)[];
/** A step's effects, then its answer to the caller that asked (what to drain, post or beacon), as the log shows them. */
const step = (d: Delivery, input: SendInput): Step => {
  const [effects, answer] = sendStep(d, input, nativeFormat);
  return answer ? [...effects, answer] : effects;
};
const warned = (fx: Step) => fx.filter((e) => e[0] === 'warn').map((e) => e[1]);

type Fate = 'delivered' | 'retried' | 'halved' | 'dropped';

/** `n` entries queued and posted at T0, then the collector's `status` at T0+10: what became of the batch. */
function answered(status: number, n: number): Fate {
  const d = delivery('/c', 0, true, 't');
  for (let i = 1; i <= n; i++) step(d, ['add', T0, [entry(i, T0)]]);
  step(d, ['next', T0, SHARED]);
  const fx = step(d, ['reply', T0 + 10, { status, retryAfter: null, text: '' }, 0]);
  if (!d.queue.length) return d.dropped ? (expect(warned(fx)).toEqual([45]), 'dropped') : 'delivered';
  expect(warned(fx)).toEqual([]);
  if (d.limit < n) return 'halved';
  // (sent again after the backoff, and not before: the first failure's wait is 0.5 to 1 s)
  expect([d.queue.length, d.retryAt]).toEqual([n, T0 + 10 + 500]);
  expect(step(d, ['next', T0 + 509, SHARED])).toEqual([]);
  expect(step(d, ['next', T0 + 510, SHARED]).map((e) => e[0])).toEqual(['post']);
  return 'retried';
}

describe('what each answer does', () => {
  // [status, why, a batch of four events, a single event]
  const cases: [number, string, Fate, Fate][] = [
    [200, 'accepted', 'delivered', 'delivered'],
    [204, 'accepted, no body', 'delivered', 'delivered'],
    [0, 'a network error, or a redirect not followed (the shell reads both as 0)', 'retried', 'retried'],
    [304, 'a 3xx the browser hands over', 'retried', 'retried'],
    [400, 'the batch is malformed: final', 'dropped', 'dropped'],
    [401, 'unauthenticated: final', 'dropped', 'dropped'],
    [403, 'forbidden: final', 'dropped', 'dropped'],
    [404, 'a collector misrouted during a deploy, or not there yet', 'retried', 'retried'],
    [405, 'a static host where the collector should be', 'retried', 'retried'],
    [408, 'a timeout', 'retried', 'retried'],
    [409, 'a conflict that may pass', 'retried', 'retried'],
    [410, 'gone for good: final', 'dropped', 'dropped'],
    [413, 'too large: halved; a single event too large is dropped', 'halved', 'dropped'],
    [415, 'a proxy that reads no gzip', 'retried', 'retried'],
    [422, 'well formed, but refused: final', 'dropped', 'dropped'],
    [429, 'throttled', 'retried', 'retried'],
    [451, 'unavailable for legal reasons (a proxy)', 'retried', 'retried'],
    [500, 'a server error', 'retried', 'retried'],
    [502, 'a gateway', 'retried', 'retried'],
    [503, 'down', 'retried', 'retried'],
    [504, 'a gateway timeout', 'retried', 'retried'],
  ];

  it.each(cases)('%i (%s)', (status, _, batch, single) => {
    expect(answered(status, 4)).toBe(batch);
    expect(answered(status, 1)).toBe(single);
    // `retryable` in stint/collector says the same, for a collector written in Node
    expect(retryable(status)).toBe(batch === 'retried');
  });
});

describe('a collector that answers 404', () => {
  it('is retried with the backoff (1 s doubling to 5 min), and its events arrive once it answers', () => {
    const d = delivery('/c', 0, true, 't');
    step(d, ['add', T0, [entry(1, T0), entry(2, T0)]]);
    const waits: number[] = [];
    let at = T0;
    for (let i = 0; i < 10; i++) {
      expect(step(d, ['next', at, SHARED]).map((e) => e[0])).toEqual(['post']);
      const fx = step(d, ['reply', at, { status: 404, retryAfter: null, text: '' }, 0.999999]);
      // (the site's other pages learn that delivery fails: their beacons then wait for a verdict)
      expect(fx.find((e) => e[0] === 'outcome')?.[1]).toEqual([false, at]);
      waits.push(d.retryAt - at);
      at = d.retryAt;
    }
    expect(waits.map((w) => Math.round(w / 1000))).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    step(d, ['next', at, SHARED]);
    const fx = step(d, ['reply', at, { status: 204, retryAfter: null, text: '' }, 0]);
    expect(fx.find((e) => e[0] === 'sent')?.[1]).toEqual([entry(1).id, entry(2).id]);
    expect([d.queue.length, d.dropped, d.failures]).toEqual([0, 0, 0]);
  });

  it('for a week: its events are given up on at MAX_AGE, with one warning, counted', () => {
    const d = delivery('/c', 0, true, 't');
    step(d, ['add', T0, [entry(1, T0)]]);
    let at = T0;
    let fx = step(d, ['next', at, SHARED]);
    while (d.inflight.size) {
      step(d, ['reply', at, { status: 404, retryAfter: null, text: '' }, 0.5]);
      at = d.retryAt;
      fx = step(d, ['next', at, SHARED]);
    }
    expect(at - T0).toBeGreaterThan(MAX_AGE);
    expect(fx.filter((e) => e[0] === 'warn')).toEqual([['warn', 44, '1 events']]);
    expect([d.queue.length, d.dropped]).toEqual([0, 1]);
  });
});
