/**
 * Delivery's decisions (core/send/send.ts), with the time in every input: what a reply means, when to try again, what
 * a beacon counts as delivered, the bound and its losses. The shell's paths (timers, fetch, IndexedDB, the turn)
 * are in test/sender.test.ts and e2e/delivery.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_AGE, MAX_QUEUE_EVENTS, RETRY_EARLY } from '../../src/core/send/batch';
import type { Entry } from '../../src/core/event';
import { nativeFormat } from '../../src/core/formats/native';
import {
  delivery,
  FLUSH_AFTER,
  sendStep,
  type Beacon,
  type Delivery,
  type Reply,
  type SendAnswer,
  type SendEffect,
  type SendInput,
} from '../../src/core/send/send';
import { TRUST, type Outcome } from '../../src/core/send/send-model';
import { VERDICT } from '../../src/core/send/verdict';

const T0 = 1_700_000_000_000;
const SHARED = { profile: null, sampleRate: 1 };

const entry = (n: number, at = T0 + n, size = 20): Entry => {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    at,
    appId: 'app',
    name: 'e',
    props: `{"pad":"${'x'.repeat(size)}"}`,
    index: n,
    hidden: false,
    ctx: '{}',
  };
};
/** A model with an outbox, this page's chunks tagged `t`. */
const outboxed = () => delivery('/c', 0, true, 't');
/** The ids an effect's chunks (`write`) or removals (`remove`) name. */
const named = (list: unknown) =>
  (list as [string, (Entry | string)[]][]).flatMap(([, l]) => l.map((e) => (typeof e == 'string' ? e : e.id)));

type Step = (SendEffect | SendAnswer)[];
/** A step's effects, then its answer to the caller that asked (what to drain, post or beacon), as the log shows them. */
const step = (d: Delivery, input: SendInput): Step => {
  const [effects, answer] = sendStep(d, input, nativeFormat);
  return answer ? [...effects, answer] : effects;
};
const kinds = (fx: Step) => fx.map((e) => e[0]);
const ids = (list: readonly Entry[]) => list.map((e) => e.id);
/** The ids of the events a body carries, and the losses it reports. */
const body = (text: string) => {
  const parsed = JSON.parse(text) as { events: [id: string][]; dropped: number };
  return { ids: parsed.events.map((e) => e[0]), dropped: parsed.dropped };
};
const reply = (status: number, retryAfter: number | null = null, extra: Partial<Reply> = {}): Reply => ({
  status,
  retryAfter: retryAfter === null ? null : String(retryAfter / 1000),
  text: '',
  ...extra,
});

/** A model with `n` entries queued at T0+1..T0+n. */
function queued(n: number, d = outboxed()): Delivery {
  for (let i = 1; i <= n; i++) step(d, ['add', T0 + i, [entry(i)]]);
  return d;
}

/** Posts the next batch at `at`: its body. */
function post(d: Delivery, at: number) {
  const fx = step(d, ['next', at, SHARED]);
  const p = fx.find((e) => e[0] === 'post');
  return p ? body(p[1] as string) : null;
}

describe('add: queued, written, and sent after a short wait', () => {
  it('a new entry: written to the outbox in a chunk of its own, a wait of FLUSH_AFTER; one it knows: nothing', () => {
    const d = outboxed();
    const e = entry(1);
    expect(step(d, ['add', T0, [e]])).toEqual([
      ['write', [[`00${T0 + 1}:t1`, [e]]]],
      ['wait', FLUSH_AFTER],
    ]);
    expect(step(d, ['add', T0 + 1, [{ ...e }]])).toEqual([]);
    expect(d.queue).toEqual([{ ...entry(1), seq: 1, chunk: `00${T0 + 1}:t1` }]);
    // (the entry changes owner, no copy per event: the one given is the one queued, with its place)
    expect(d.queue[0]).toBe(e);
    expect(d.live).toEqual({ [`00${T0 + 1}:t1`]: 1 });
  });

  it('no outbox (storage refused, or its write failed): queued, nothing written', () => {
    const d = delivery('/c', 0);
    expect(step(d, ['add', T0, [entry(1)]])).toEqual([['wait', FLUSH_AFTER]]);
    const kept = queued(1);
    expect(step(kept, ['written', T0, [`00${T0 + 1}:t1`], false])).toEqual([['warn', 40, 'outbox']]);
    expect(kinds(step(kept, ['add', T0, [entry(2)]]))).toEqual(['wait']);
    expect(kept.queue).toHaveLength(2);
  });

  it('a write that failed after others landed: those stay in the outbox and leave it when delivered; the failed one is not removed', () => {
    const d = queued(2);
    const [first, second] = [`00${T0 + 1}:t1`, `00${T0 + 2}:t2`];
    step(d, ['written', T0 + 3, [first], true]);
    expect(step(d, ['written', T0 + 3, [second], false])).toEqual([['warn', 40, 'outbox']]);
    expect([d.kept, d.live, d.saved]).toEqual([false, { [first]: 1 }, { [first]: true }]);
    step(d, ['read', T0 + 4, [], [first]]);
    expect(post(d, T0 + 4)!.ids).toEqual(ids([entry(1), entry(2)]));
    const fx = step(d, ['reply', T0 + 5, reply(200), 0]);
    expect(fx.filter((e) => e[0] === 'remove')).toEqual([['remove', [[first, [entry(1).id], true]]]]);
  });

  it("a burst: the task's entries in one chunk (one record to write); its batches delete it whole once all have left", () => {
    const d = outboxed();
    const burst = Array.from({ length: 1200 }, (_, i) => entry(i + 1, T0 + i, 1));
    const [write] = step(d, ['add', T0 + 2000, burst]);
    expect(write[1]).toEqual([[`00${T0}:t1`, burst]]);
    const removals = [0, 1, 2].map((n) => {
      post(d, T0 + 3000 + n);
      return step(d, ['reply', T0 + 3000 + n, reply(200), 0]).find((e) => e[0] === 'remove')![1] as [
        string,
        string[],
        boolean,
      ][];
    });
    expect(removals.map((r) => r.map(([, ids, whole]) => [ids.length, whole]))).toEqual([
      [[500, false]],
      [[500, false]],
      [[200, true]],
    ]);
  });

  it("a task's entries in one step: those it knows already are left out, one write and one wait for the rest", () => {
    const d = outboxed();
    step(d, ['add', T0, [entry(1)]]);
    const fx = step(d, ['add', T0 + 1, [entry(2), { ...entry(1) }, entry(3)]]);
    expect(kinds(fx)).toEqual(['write', 'wait']);
    expect(named(fx[0][1])).toEqual([entry(2).id, entry(3).id]);
    expect(ids(d.queue)).toEqual([entry(1), entry(2), entry(3)].map((e) => e.id));
  });

  it('a burst past the bound in one step: the oldest go, the newest stay, one warning', () => {
    const d = queued(MAX_QUEUE_EVENTS - 1);
    const burst = [1, 2, 3].map((i) => entry(MAX_QUEUE_EVENTS + i));
    const fx = step(d, ['add', T0 + 9e6, burst]);
    expect(kinds(fx)).toEqual(['write', 'warn', 'remove', 'wait']);
    expect(named(fx[2][1])).toEqual([entry(1).id, entry(2).id]);
    expect(d.queue.length - d.head).toBe(MAX_QUEUE_EVENTS);
    expect(d.dropped).toBe(2);
  });

  it('during a backoff the wait runs to its end', () => {
    const d = outboxed();
    d.retryAt = T0 + 60_000;
    expect(step(d, ['add', T0, [entry(1)]])[1]).toEqual(['wait', 60_000]);
  });

  it('past the bound the oldest go: one warning per overflow, counted for the next batch, removed from the outbox', () => {
    const d = queued(MAX_QUEUE_EVENTS);
    const over = step(d, ['add', T0 + 9e6, [entry(MAX_QUEUE_EVENTS + 1)]]);
    expect(kinds(over)).toEqual(['write', 'warn', 'remove', 'wait']);
    expect(over[1].slice(1)).toEqual([42, 'outbox']);
    // (the oldest's chunk held it alone: it goes whole)
    expect(over[2][1]).toEqual([[`00${T0 + 1}:t1`, [entry(1).id], true]]);
    expect(kinds(step(d, ['add', T0 + 9e6, [entry(MAX_QUEUE_EVENTS + 2)]]))).toEqual(['write', 'remove', 'wait']);
    expect(d.dropped).toBe(2);
    expect(d.queue.length - d.head).toBe(MAX_QUEUE_EVENTS);
    expect(post(d, T0 + 9e6)!.dropped).toBe(2);
  });
});

describe('cycle: whether to send now', () => {
  // [case, online, retryAt (from T0), stopped, effects]
  const cases: [string, boolean, number, boolean, Step][] = [
    [
      'online, no backoff: claim the turn and drain (the outbox read but for the chunks it knows)',
      true,
      0,
      false,
      [['drain', [`00${T0 + 1}:t1`]]],
    ],
    ['offline: nothing (the online event comes back)', false, 0, false, []],
    ['in a backoff: wait for its end', true, 5000, false, [['wait', 5000]]],
    ['at the end of the backoff: drain', true, 0, false, [['drain', [`00${T0 + 1}:t1`]]]],
    ['stopped: nothing', true, 0, true, []],
  ];
  it.each(cases)('%s', (_, online, retryAt, stopped, effects) => {
    const d = queued(1);
    d.retryAt = retryAt && T0 + retryAt;
    d.stopped = stopped;
    expect(step(d, ['cycle', T0, online])).toEqual(effects);
  });
  it('one drain at a time: a cycle asked for during one runs once it ends (its `cycle` effect; test/sim seed 33341)', () => {
    const d = queued(1);
    expect(kinds(step(d, ['cycle', T0, true]))).toEqual(['drain']);
    expect(step(d, ['cycle', T0 + 1, true])).toEqual([]);
    expect(step(d, ['drained', T0 + 2])).toEqual([['cycle']]);
    expect(step(d, ['cycle', T0 + 2, true])).toEqual([['drain', [`00${T0 + 1}:t1`]]]);
    // (a drain during which nothing asked: nothing more)
    expect(step(d, ['drained', T0 + 3])).toEqual([]);
  });
});

describe('read: what the outbox holds joins the queue', () => {
  it("this tab's own entries that a leaving page sent for it (its marks): delivered, out of the outbox, never sent again", () => {
    const d = queued(3);
    const fx = step(d, ['read', T0 + 10, [], [`00${T0 + 1}:t1`, `00${T0 + 2}:t2`, `00${T0 + 3}:t3`], [], [entry(2).id, 'other']]);
    expect(fx.filter((e) => e[0] === 'sent' || e[0] === 'remove')).toEqual([
      ['sent', [entry(2).id]],
      ['remove', [[`00${T0 + 2}:t2`, [entry(2).id], true]]],
    ]);
    expect(post(d, T0 + 11)!.ids).toEqual(ids([entry(1), entry(3)]));
  });

  it("a read that failed or stalled: the page's own entries go now, and a wait to read again", () => {
    const d = queued(2);
    expect(step(d, ['read', T0, null, []])).toEqual([['wait', FLUSH_AFTER]]);
    expect(post(d, T0)!.ids).toEqual(ids([entry(1), entry(2)]));
  });

  it('entries other pages left join in time order; a chunk another tab delivered (no longer there) leaves the queue; nothing known twice', () => {
    const d = outboxed();
    step(d, ['read', T0, [['a', [entry(1, T0 + 1), entry(2, T0 + 2)]]], ['a']]);
    step(d, ['add', T0 + 5, [entry(5)]]);
    step(d, ['written', T0 + 5, [`00${T0 + 5}:t1`], true]);
    step(d, ['cycle', T0 + 6, true]);
    step(d, ['read', T0 + 6, [['b', [entry(3, T0 + 3), entry(5)]]], ['b', `00${T0 + 5}:t1`]]);
    expect(ids(d.queue)).toEqual(ids([entry(3), entry(5)]));
    expect(Object.keys(d.live).sort()).toEqual([`00${T0 + 5}:t1`, 'b']);
  });

  it('a chunk whose write answered after the drain was asked, missing from the keys read before it landed, is not gone (its entries were lost, a flush resolved without them)', () => {
    const d = outboxed();
    step(d, ['add', T0 + 1, [entry(1, T0 + 1)]]);
    step(d, ['cycle', T0 + 2, true]);
    // The keys are read; the write lands; then the other pages' chunks are read (after the write: IndexedDB's order).
    step(d, ['written', T0 + 3, [`00${T0 + 1}:t1`], true]);
    step(d, ['read', T0 + 4, [['b', [entry(2, T0 + 2)]]], ['b']]);
    expect(ids(d.queue)).toEqual(ids([entry(1), entry(2)]));
    step(d, ['drained', T0 + 4]);
    // Known there when the next drain is asked, and missing from its keys: another tab delivered it.
    step(d, ['cycle', T0 + 5, true]);
    step(d, ['read', T0 + 6, [], ['b']]);
    expect(ids(d.queue)).toEqual(ids([entry(2)]));
  });

  it('a chunk whose write answered before the keys are read (the claim of the turn took a second), missing from them, is gone: another tab delivered it (test/sim seed 15392)', () => {
    const d = outboxed();
    step(d, ['add', T0 + 1, [entry(1, T0 + 1)]]);
    step(d, ['cycle', T0 + 2, true]);
    step(d, ['written', T0 + 3, [`00${T0 + 1}:t1`], true]);
    step(d, ['reading', T0 + 1000]);
    step(d, ['read', T0 + 1001, [], []]);
    expect(ids(d.queue)).toEqual([]);
  });

  it('a chunk of its own that is not there yet (its write not answered) is not gone; one it reads again is skipped', () => {
    const d = queued(1);
    step(d, ['read', T0 + 2, [[`00${T0 + 1}:t1`, [entry(1)]]], [`00${T0 + 1}:t1`]]);
    step(d, ['read', T0 + 3, [], []]);
    expect(ids(d.queue)).toEqual(ids([entry(1)]));
    expect(d.live).toEqual({ [`00${T0 + 1}:t1`]: 1 });
  });

  it("the other pages' entries it took: the other tabs are told it sends them (not its own, nor those it knew)", () => {
    const d = queued(1);
    const fx = step(d, ['read', T0 + 2, [['a', [entry(1), entry(2), entry(3)]]], ['a']]);
    expect(fx).toEqual([['sending', ids([entry(2), entry(3)])]]);
  });

  it('a chunk whose entries all left during the read goes whole', () => {
    const d = queued(1);
    step(d, ['read', T0 + 2, [['a', [entry(2)]]], ['a']]);
    post(d, T0 + 3);
    step(d, ['cycle', T0 + 4, true]);
    step(d, ['reply', T0 + 5, reply(200), 0]);
    expect(step(d, ['read', T0 + 6, [['c', [entry(2)]]], ['c']])).toEqual([['remove', [['c', [], true]]]]);
  });

  it('a copy of an entry queued from another chunk (a session_end two tabs found) keeps its chunk until it leaves', () => {
    // (test/sim seed 32548: a tab removed the other's chunk of it at once, which that tab took for delivered)
    const d = queued(1);
    step(d, ['read', T0 + 2, [['a', [entry(2)]]], ['a']]);
    expect(step(d, ['read', T0 + 4, [['c', [entry(2), entry(3)]]], ['a', 'c']])).toEqual([['sending', ids([entry(3)])]]);
    expect(d.live).toEqual({ [`00${T0 + 1}:t1`]: 1, a: 1, c: 2 });
    post(d, T0 + 5);
    const fx = step(d, ['reply', T0 + 6, reply(200), 0]);
    expect(fx.find((e) => e[0] === 'remove')).toEqual([
      'remove',
      [
        [`00${T0 + 1}:t1`, ids([entry(1)]), true],
        ['a', ids([entry(2)]), true],
        ['c', ids([entry(2), entry(3)]), true],
      ],
    ]);
  });

  it('delivered: a chunk of which nothing is left goes whole, the others lose these entries', () => {
    const d = outboxed();
    step(d, [
      'read',
      T0,
      [
        ['a', [entry(1), entry(2)]],
        ['b', [entry(3), entry(4)]],
      ],
      ['a', 'b'],
    ]);
    d.limit = 3;
    post(d, T0 + 1);
    const fx = step(d, ['reply', T0 + 2, reply(200), 0]);
    expect(fx.find((e) => e[0] === 'remove')).toEqual([
      'remove',
      [
        ['a', ids([entry(1), entry(2)]), true],
        ['b', ids([entry(3)]), false],
      ],
    ]);
    expect(d.live).toEqual({ b: 1 });
  });
});

describe('next: the request to send', () => {
  it('the first batch, marked in flight, carries the losses; nothing more while it flies', () => {
    const d = queued(3);
    d.dropped = 4;
    expect(post(d, T0 + 10)).toEqual({ ids: ids([entry(1), entry(2), entry(3)]), dropped: 4 });
    expect([d.inflight.size, d.dropped, d.carried]).toEqual([3, 0, 4]);
    expect(step(d, ['next', T0 + 11, SHARED])).toEqual([]);
  });

  it('an entry older than a week is given up on, with one warning, counted; the rest go', () => {
    const d = outboxed();
    step(d, ['add', T0, [entry(1, T0)]]);
    step(d, ['add', T0 + MAX_AGE, [entry(2, T0 + MAX_AGE)]]);
    const fx = step(d, ['next', T0 + MAX_AGE + 1, SHARED]);
    expect(kinds(fx)).toEqual(['warn', 'remove', 'post']);
    expect(fx[0].slice(1)).toEqual([44, '1 events']);
    expect(body(fx[2][1] as string)).toEqual({ ids: [entry(2).id], dropped: 1 });
  });

  it('an entry no request can carry is given up on, counted, and the one behind it is sent', () => {
    const d = outboxed();
    step(d, ['add', T0, [entry(1, T0, 70_000)]]);
    step(d, ['add', T0, [entry(2)]]);
    const fx = step(d, ['next', T0, SHARED]);
    expect(kinds(fx)).toEqual(['warn', 'remove', 'post']);
    expect(body(fx[2][1] as string)).toEqual({ ids: [entry(2).id], dropped: 1 });
  });

  it('a request that carries what another tab said it read too: that tab is told again (it heard nothing of this one)', () => {
    const d = queued(3);
    // Another tab read entries 1 and 2 from the outbox since, and said so: they are unconfirmed here.
    step(d, ['sending', T0 + 4, [entry(1).id, entry(2).id]]);
    const fx = step(d, ['next', T0 + 5, SHARED]);
    expect(kinds(fx)).toEqual(['sending', 'post']);
    expect(fx[0][1]).toEqual(ids([entry(1), entry(2)]));
    step(d, ['reply', T0 + 6, reply(503), 0.5]);
    // (sent again after the backoff: told again)
    expect(step(d, ['next', d.retryAt, SHARED])[0]).toEqual(['sending', ids([entry(1), entry(2)])]);
    // What no other tab said it holds goes without a message.
    const alone = queued(1);
    expect(kinds(step(alone, ['next', T0 + 2, SHARED]))).toEqual(['post']);
  });

  it('in a backoff, or stopped: nothing', () => {
    const d = queued(1);
    d.retryAt = T0 + 1;
    expect(step(d, ['next', T0, SHARED])).toEqual([]);
    d.retryAt = 0;
    d.stopped = true;
    expect(step(d, ['next', T0, SHARED])).toEqual([]);
  });
});

describe('reply: what the collector said', () => {
  // [case, reply, random, delivered, dropped after, wait after (ms from the reply), limit, warning (its code, and where
  // or the status for one that says nothing reaches the collector)]
  const cases: [string, Reply, number, boolean, number, number | null, number, [number, string | number] | null][] = [
    ['2xx: delivered, out of the outbox and the other tabs', reply(204), 0, true, 0, null, 500, null],
    ['413: the batch is halved, the losses it carried kept', reply(413), 0, false, 2, null, 2, null],
    ['a final 4xx: dropped, counted, one warning', reply(400), 0, false, 2 + 4, null, 500, [45, '4 events (HTTP 400)']],
    ['404 (a collector misrouted for a while): retried, as a 5xx is; said', reply(404), 0, false, 2, 500, 500, [48, 404]],
    ['405: no collector there, as 404', reply(405), 0, false, 2, 500, 500, [48, 405]],
    ['501 (a server with no POST, as Python http.server): no collector there', reply(501), 0, false, 2, 500, 500, [48, 501]],
    ['a 403 of any other collector: dropped, as every final 4xx', reply(403), 0, false, 6, null, 500, [45, '4 events (HTTP 403)']],
    [
      "stint-collector's 403 to an origin it was not started with: dropped, and said as such",
      reply(403, null, { text: 'start the collector with --origin http://localhost:5173' }),
      0,
      false,
      6,
      null,
      500,
      [49, 403],
    ],
    ['a network error: retried after 1 s (jitter 0.5 to 1)', reply(0), 0, false, 2, 500, 500, null],
    ['5xx: retried, the jitter drawn from the input', reply(503), 0.5, false, 2, 750, 500, null],
    ['408: retried', reply(408), 0.998, false, 2, 999, 500, null],
    ['429 with Retry-After: its wait', reply(429, 10_000), 0, false, 2, 10_000, 500, null],
    ['Retry-After below half a second: half a second', reply(503, 0), 0, false, 2, 500, 500, null],
    [
      'a redirect: retried, and said once',
      reply(0, null, { moved: true }),
      0,
      false,
      2,
      500,
      500,
      [46, 0],
    ],
  ];
  it.each(cases)('%s', (_, answer, random, isDelivered, dropped, wait, limit, warning) => {
    const d = queued(4);
    d.dropped = 2;
    post(d, T0 + 10);
    const fx = step(d, ['reply', T0 + 20, answer, random]);
    expect(d.inflight.size).toBe(0);
    expect(d.queue.length).toBe(isDelivered || (warning && !wait) ? 0 : 4);
    // (what the site's other pages learn: a 2xx works, a retryable failure does not; a final 4xx says neither)
    if (isDelivered) expect(kinds(fx)).toEqual(['outcome', 'sent', 'remove', 'answered']);
    const told = fx.find((e) => e[0] === 'outcome')?.[1] ?? null;
    expect(told).toEqual(isDelivered ? [true, T0 + 20] : wait !== null ? [false, T0 + 20] : null);
    expect(d.dropped).toBe(dropped);
    expect(fx.find((e) => e[0] === 'wait')?.[1] ?? null).toBe(wait);
    if (wait !== null) expect(d.retryAt).toBe(T0 + 20 + wait);
    expect(d.limit).toBe(limit);
    const warned = fx.filter((e) => e[0] === 'warn' || e[0] === 'unreached').map((e) => e.slice(1));
    expect(warned).toEqual(warning ? [warning] : []);
  });

  it('failures in a row double the backoff, up to five minutes; a 2xx resets it', () => {
    const d = queued(1);
    const waits: number[] = [];
    let at = T0;
    for (let i = 0; i < 11; i++) {
      step(d, ['next', at, SHARED]);
      waits.push(step(d, ['reply', at, reply(500), 0.999999]).find((e) => e[0] === 'wait')![1] as number);
      at = d.retryAt;
    }
    expect(waits.map((w) => Math.round(w / 1000))).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    step(d, ['next', at, SHARED]);
    step(d, ['reply', at, reply(200), 0]);
    expect([d.failures, d.retryAt]).toEqual([0, 0]);
  });

  /** The next request of `d` answered `answer`: what nothing-reaches messages the step said (their codes). */
  const answered = (d: Delivery, answer: Reply) => {
    step(d, ['next', d.retryAt, SHARED]);
    const fx = step(d, ['reply', d.retryAt, answer, 0]);
    return fx.filter((e) => e[0] === 'unreached').map((e) => e[1]);
  };
  const REFUSED = reply(0, null, { refused: true });

  it('nothing reaches the collector: each cause said once per page, not once per batch, a 2xx between or not', () => {
    const d = queued(1);
    expect(answered(d, reply(0, null, { moved: true }))).toEqual([46]);
    expect(answered(d, reply(0, null, { moved: true }))).toEqual([]);
    expect(answered(d, reply(404))).toEqual([48]);
    expect(answered(d, reply(501))).toEqual([]);
    expect(answered(d, reply(200))).toEqual([]);
    expect(answered(d, reply(0, null, { moved: true }))).toEqual([]);
    expect(answered(d, reply(404))).toEqual([]);
    // (each batch of the 403 is dropped: a new one each time)
    const origin = reply(403, null, { text: 'start the collector with --origin https://shop.example' });
    for (const said of [[49], [], []]) {
      step(d, ['add', d.retryAt, [entry(10 + said.length)]]);
      expect(answered(d, origin)).toEqual(said);
    }
  });

  it('a network error while online (refused, CORS, or a blip): said at the second in a row, before any 2xx, once', () => {
    const d = queued(1);
    expect([REFUSED, REFUSED, REFUSED, REFUSED].map((r) => answered(d, r))).toEqual([[], [47], [], []]);
    // A page that reached the collector has it right: failures after are an outage, or the network.
    const reached = queued(1);
    answered(reached, reply(200));
    step(reached, ['add', T0 + 10, [entry(2)]]);
    expect([REFUSED, REFUSED, REFUSED].map((r) => answered(reached, r))).toEqual([[], [], []]);
    // So is one whose other tab delivered, the collector's 2xx just now.
    const elsewhere = queued(1);
    step(elsewhere, ['elsewhere', T0 + 5, ['none'], true]);
    expect([REFUSED, REFUSED].map((r) => answered(elsewhere, r))).toEqual([[], []]);
    // Offline (no `refused`: transport.ts), or no answer in 30 s: not the configuration.
    const offline = queued(1);
    expect([reply(0), reply(0), reply(0)].map((r) => answered(offline, r))).toEqual([[], [], []]);
    // Two in a row: a failure offline, or another answer, between them starts the count again.
    const between = queued(1);
    const answers = [REFUSED, reply(0), REFUSED, reply(503), REFUSED, REFUSED];
    expect(answers.map((r) => answered(between, r))).toEqual([[], [], [], [], [], [47]]);
  });

  it('a 413 for a single event drops it, counted', () => {
    const d = queued(1);
    post(d, T0);
    step(d, ['reply', T0, reply(413), 0]);
    expect([d.queue.length, d.dropped]).toEqual([0, 1]);
  });

  it('a flush resolves once everything queued before it is delivered, not before', () => {
    const d = queued(2);
    expect(step(d, ['flush', T0, 7])).toEqual([['now']]);
    step(d, ['add', T0 + 3, [entry(3)]]);
    d.limit = 1;
    post(d, T0 + 4);
    expect(kinds(step(d, ['reply', T0 + 5, reply(200), 0]))).toEqual(['outcome', 'sent', 'remove', 'answered']);
    post(d, T0 + 6);
    expect(step(d, ['reply', T0 + 7, reply(200), 0])).toContainEqual(['settle', [7]]);
    expect(step(outboxed(), ['flush', T0, 8])).toEqual([['settle', [8]], ['now']]);
  });
});

describe('beacon: the page is hidden, or leaving', () => {
  /** A beacon at T0+50 and the browser's answer: `accepted` of the bodies taken; `site`: what the site's pages know. */
  function hide(d: Delivery, leaving: boolean, online: boolean, accepted = Infinity, site: Outcome | null = null) {
    const [fx, answer] = sendStep(d, ['beacon', T0 + 50, leaving, online, SHARED, site], nativeFormat);
    const [, list, healthy] = answer!;
    const n = Math.min(accepted, list.length);
    return { list, healthy, fx, after: step(d, ['beaconed', T0 + 51, list.slice(0, n), list.slice(n), leaving, healthy]) };
  }

  const WORKS: Outcome = [true, T0];
  const FAILED: Outcome = [false, T0 + 20];
  // [case, this page's last outcome, the site's, online, leaving, a batch in flight, beaconed, awaiting a verdict,
  // left in the queue (in flight, or to send)]
  type Case = [string, Outcome | null, Outcome | null, boolean, boolean, boolean, number[], number[], number[]];
  const cases: Case[] = [
    ['delivery works (a 2xx): what waits goes by beacon, and awaits its verdict', WORKS, null, true, false, false, [1, 2, 3], [1, 2, 3], []],
    ['works, with a request in flight: it flies on, the rest by beacon', WORKS, null, true, false, true, [3], [3], [1, 2]],
    ['leaving, works: the request in flight outlives the page, and awaits too', WORKS, null, true, true, true, [3], [1, 2, 3], []],
    ['failing: beaconed, kept for a confirmed resend', FAILED, null, true, false, false, [1, 2, 3], [], [1, 2, 3]],
    ['failing and leaving: the request in flight does not count', FAILED, null, true, true, true, [3], [], [1, 2, 3]],
    ['offline: nothing (a beacon is lost for sure), the outbox keeps all', WORKS, null, false, true, false, [], [], [1, 2, 3]],
    // (test/sim regression: a page reloaded in a silent outage, before any of its own requests, counted its beacon)
    ['nothing known yet (no page of the site has sent): beaconed, kept', null, null, true, true, false, [1, 2, 3], [], [1, 2, 3]],
    ["this page has sent nothing, the site's pages know a 2xx: awaits", null, WORKS, true, false, false, [1, 2, 3], [1, 2, 3], []],
    ["the site's pages met a failure since this page's 2xx: kept", WORKS, FAILED, true, true, false, [1, 2, 3], [], [1, 2, 3]],
    ['the last 2xx longer ago than TRUST: kept', [true, T0 + 50 - TRUST - 1], null, true, true, false, [1, 2, 3], [], [1, 2, 3]],
  ];
  it.each(cases)('%s', (_, outcome, site, online, leaving, flying, beaconed, awaiting, left) => {
    const d = queued(3);
    d.outcome = outcome;
    if (outcome && !outcome[0]) d.failures = 1;
    if (flying) ((d.limit = 2), post(d, T0 + 10));
    const { list, fx, after } = hide(d, leaving, online, Infinity, site);
    expect(list.flatMap((b) => body(b.body).ids)).toEqual(beaconed.map((n) => entry(n).id));
    expect([...d.awaiting.keys()]).toEqual(awaiting.map((n) => entry(n).id));
    // (handed over to the site's pages, with when they left; nothing counted delivered yet)
    expect(after.find((e) => e[0] === 'handOver')?.[1] ?? []).toEqual(awaiting.length ? [[T0 + 51, awaiting.map((n) => entry(n).id)]] : []);
    expect(after.find((e) => e[0] === 'sent')).toBeUndefined();
    const sendable = d.queue.filter((e) => !d.awaiting.has(e.id));
    expect(ids(sendable)).toEqual(left.map((n) => entry(n).id));
    expect(after[after.length - 1]).toEqual(['commit', leaving]);
    // (kept and not beaconed by a page that lives on: a request goes at once)
  });

  it('a page that leaves again hands over only what its earlier exit did not: the first exit dates their verdict', () => {
    // (simulator seed 9824: frozen with a request in flight, then navigated away 3 s later, its answer unheard)
    const d = queued(3);
    d.outcome = WORKS;
    ((d.limit = 2), post(d, T0 + 10));
    const first = hide(d, true, true);
    expect(first.after.find((e) => e[0] === 'handOver')?.[1]).toEqual([[T0 + 51, ids([entry(1), entry(2), entry(3)])]]);
    const again = step(d, ['beaconed', T0 + 3_000, [], [], true, true]);
    expect(again.find((e) => e[0] === 'handOver')).toBeUndefined();
    expect([...d.awaiting.values()]).toEqual([T0 + 51, T0 + 51, T0 + 51]);
  });

  it('back from the cache: what the outbox kept waits for its read; what no write is known to have kept goes by beacon', () => {
    // (simulator seed 24210: a write the disk refused while the page was in the cache, and the page left again before
    // its outbox was read: its event went with it)
    const d = queued(3);
    d.outcome = WORKS;
    // (the others' writes unanswered: refused while the page was away, its answer never heard)
    step(d, ['written', T0 + 4, [`00${T0 + 1}:t1`], true]);
    step(d, ['back', T0 + 5]);
    expect([...d.unconfirmed]).toEqual([entry(1).id]);
    expect(hide(d, true, true).list.flatMap((b) => body(b.body).ids)).toEqual(ids([entry(2), entry(3)]));
  });

  it('another tab sends some (it read them from the outbox): they are not beaconed, not counted delivered, and stay for this tab to post', () => {
    const d = queued(3);
    d.outcome = WORKS;
    step(d, ['sending', T0 + 5, [entry(1).id, entry(2).id, entry(9).id]]);
    const { list } = hide(d, true, true);
    expect(list.flatMap((b) => body(b.body).ids)).toEqual([entry(3).id]);
    expect([...d.awaiting.keys()]).toEqual([entry(3).id]);
    step(d, ['reply', T0 + 55, reply(204), 0]);
    expect(ids(d.queue)).toEqual(ids([entry(1), entry(2)]));
    expect(post(d, T0 + 60)!.ids).toEqual(ids([entry(1), entry(2)]));
    // delivered by that tab: they go
    step(d, ['elsewhere', T0 + 61, [entry(1).id, entry(2).id]]);
    expect([d.known.size, d.unconfirmed.size]).toEqual([0, 0]);
  });

  it('failing: what was beaconed once is not beaconed again', () => {
    const d = queued(2);
    d.failures = 1;
    hide(d, false, true);
    expect(hide(d, false, true).list).toEqual([]);
  });

  it('the losses go with the first beacon; a refused beacon gives them back', () => {
    const d = queued(2);
    d.dropped = 3;
    const { list } = hide(d, true, true, 0);
    expect(body(list[0].body).dropped).toBe(3);
    expect([d.dropped, d.queue.length]).toEqual([3, 2]);
  });
});

describe('retry, elsewhere, lost, stop', () => {
  // [case, failure answered (ms before now), backoff left (ms), Retry-After given, tried now]
  const cases: [string, number, number, boolean, boolean][] = [
    ['our own backoff, the last try long enough ago: now', RETRY_EARLY, 60_000, false, true],
    ['the last try too recent: wait', RETRY_EARLY - 1, 60_000, false, false],
    ["the collector's Retry-After is obeyed", RETRY_EARLY, 60_000, true, false],
    ['no backoff: nothing to do', RETRY_EARLY, 0, false, false],
  ];
  it.each(cases)('retry: %s', (_, ago, left, told, now) => {
    const d = queued(1);
    Object.assign(d, { triedAt: T0 - ago, retryAt: left && T0 + left, told, failures: 1 });
    expect(step(d, ['retry', T0])).toEqual(now ? [['now']] : []);
    if (now) expect(d.retryAt).toBe(0);
  });

  it('elsewhere: another tab delivered these: they leave; the collector is back when it has just answered', () => {
    const d = queued(3);
    Object.assign(d, { failures: 3, retryAt: T0 + 60_000 });
    step(d, ['flush', T0, 1]);
    const fx = step(d, ['elsewhere', T0, [entry(1).id, entry(2).id, entry(3).id], true]);
    // (their chunks, nothing of them left here, go too: removed by that tab already, or holding copies: below)
    expect(kinds(fx)).toEqual(['settle', 'remove', 'remove', 'remove']);
    expect([d.queue.length, d.known.size, d.failures, d.retryAt, d.outcome]).toEqual([0, 0, 0, 0, [true, T0]]);
    // (a verdict, or a leaving page's marks, say nothing of the collector now: verdict.ts)
    const e = queued(1);
    Object.assign(e, { failures: 3, retryAt: T0 + 60_000 });
    step(e, ['elsewhere', T0, [entry(1).id]]);
    expect([e.queue.length, e.failures, e.outcome]).toEqual([0, 3, null]);
  });

  it("elsewhere: a copy in this tab's chunk of what another tab delivered from its own (a session_end both tabs found) leaves the outbox with the rest of the chunk (test/sim seed 36285)", () => {
    const d = outboxed();
    step(d, ['add', T0 + 1, [entry(1), entry(2)]]);
    const chunk = Object.keys(d.live)[0];
    expect(step(d, ['elsewhere', T0 + 2, [entry(1).id]])).toEqual([]);
    const fx = step(d, ['next', T0 + 3, SHARED]);
    expect(body(fx.find((e) => e[0] === 'post')![1] as string).ids).toEqual([entry(2).id]);
    expect(step(d, ['reply', T0 + 4, { status: 204, retryAfter: null, text: '' }, 0])).toContainEqual([
      'remove',
      [[chunk, [entry(2).id], true]],
    ]);
    expect(d.live).toEqual({});
  });

  it('lost: counted in the next batch', () => {
    const d = queued(1);
    step(d, ['lost', T0, 5]);
    expect(post(d, T0)!.dropped).toBe(5);
  });

  it('stop: no more waits; clear (withdrawal): everything goes, the outbox let go, flushes resolve', () => {
    const d = queued(2);
    step(d, ['flush', T0, 1]);
    expect(step(d, ['stop', T0, true])).toEqual([['settle', [1]], ['abandon'], ['commit', false]]);
    // (the outbox is let go: the write is no-op in the shell; no wait is set)
    expect(kinds(step(d, ['add', T0, [entry(9)]]))).toEqual(['write']);
    expect(step(d, ['later', T0, 0])).toEqual([]);
  });
});

describe('the model is plain data', () => {
  it('structuredClone copies it, and the copy takes the same steps to the same place', () => {
    const d = queued(3);
    post(d, T0 + 10);
    const copy = structuredClone(d);
    const a = step(d, ['reply', T0 + 20, reply(500), 0.25]);
    const b = step(copy, ['reply', T0 + 20, reply(500), 0.25]);
    expect(b).toEqual(a);
    expect(copy).toEqual(d);
  });
});

describe('the verdict on what left by beacon while delivery worked (core/send/verdict.ts)', () => {
  /** Three entries beaconed at T0+50 while delivery worked: they await a verdict. */
  function beaconed() {
    const d = queued(3);
    d.outcome = [true, T0];
    const fx = step(d, ['beacon', T0 + 50, false, true, SHARED, null]);
    const [, list] = fx.find((e) => e[0] === 'beacon') as unknown as [string, Beacon[]];
    step(d, ['beaconed', T0 + 50, list, [], false, true]);
    expect(d.awaiting.size).toBe(3);
    return d;
  }
  const all = [1, 2, 3].map((n) => entry(n).id);

  // [case, what happens next (a step at a time), delivered, sent again (back in the queue, posted next)]
  const cases: [string, (d: Delivery) => Step, boolean, boolean][] = [
    ['the next answer is a 2xx: delivered', (d) => (step(d, ['add', T0 + 60, [entry(4)]]), post(d, T0 + 61), step(d, ['reply', T0 + 70, reply(204), 0])), true, false],
    ['the next answer is a failure, soon after: sent again', (d) => (step(d, ['add', T0 + 60, [entry(4)]]), post(d, T0 + 61), step(d, ['reply', T0 + 70, reply(503), 0])), false, true],
    ['the browser goes offline soon after: sent again', (d) => step(d, ['offline', T0 + 70]), false, true],
    ['a sender that starts late learns the browser went offline soon after: sent again', (d) => step(d, ['offline', T0 + 2 * VERDICT, null, T0 + 70]), false, true],
    ['no news for VERDICT ms: delivered', (d) => step(d, ['cycle', T0 + 50 + VERDICT, true]), true, false],
    ['a failure later than VERDICT says nothing of it: delivered', (d) => step(d, ['offline', T0 + 51 + VERDICT]), true, false],
    ['the site holds it handed over: it awaits', (d) => step(d, ['cycle', T0 + 60, true, { left: [[T0 + 50, all]], again: [], outcome: null }]), false, false],
    ["the site's pages judged it to be sent again", (d) => step(d, ['cycle', T0 + 60, true, { left: [], again: all, outcome: null }]), false, true],
    ['the site holds it nowhere: another page judged it sent', (d) => step(d, ['cycle', T0 + 60, true, { left: [], again: [], outcome: null }]), true, false],
    ["another page's failure judged them, then this page's own 2xx: the failure was the next outcome, sent again", (d) => (step(d, ['add', T0 + 60, [entry(4)]]), post(d, T0 + 61), step(d, ['reply', T0 + 70, reply(204), 0, { left: [], again: all, outcome: [false, T0 + 65, 2] }])), false, true],
    ["handed over, and the site's last outcome a failure soon after (its judge died): sent again", (d) => step(d, ['cycle', T0 + 60, true, { left: [[T0 + 50, all, 1]], again: [], outcome: [false, T0 + 55, 2] }]), false, true],
  ];
  it.each(cases)('%s', (_, then, isDelivered, again) => {
    const d = beaconed();
    const fx = then(d);
    const sent = fx.filter((e) => e[0] === 'sent').flatMap((e) => e[1] as string[]);
    expect(all.every((id) => sent.includes(id))).toBe(isDelivered);
    expect(all.every((id) => d.known.has(id) && !d.awaiting.has(id))).toBe(again);
    if (again) expect(post(d, T0 + VERDICT * 10)!.ids).toEqual(expect.arrayContaining(all));
  });

  it('a page come back waits for the writes that had not answered before it drains, 3 s at most (test/sim seed 7886)', () => {
    const d = outboxed();
    const [, [[key]]] = step(d, ['add', T0, [entry(1)]]).find((e) => e[0] === 'write') as [string, [string, Entry[]][]];
    step(d, ['back', T0 + 10]);
    // (its read would not know the chunk as this page's: another tab may have delivered and removed it meanwhile)
    expect(step(d, ['cycle', T0 + 20, true])).toEqual([['wait', 2990]]);
    expect(step(d, ['written', T0 + 30, [key], true])).toEqual([['now']]);
    expect(kinds(step(d, ['cycle', T0 + 31, true]))).toEqual(['drain']);
    // (a write that never answers: the drain goes on after the wait)
    const e = outboxed();
    step(e, ['add', T0, [entry(1)]]);
    step(e, ['back', T0 + 10]);
    expect(kinds(step(e, ['cycle', T0 + 3010, true]))).toEqual(['drain']);
    // (nothing unanswered: at once)
    const f = queued(1);
    step(f, ['written', T0, Object.keys(f.live), true]);
    step(f, ['back', T0 + 10]);
    expect(kinds(step(f, ['cycle', T0 + 11, true]))).toEqual(['drain']);
  });

  it('what a leaving page handed over, read from the outbox by another: awaits the same verdict', () => {
    const d = outboxed();
    const chunk: [string, Entry[]] = ['0001:x1', [entry(1), entry(2)]];
    const fx = step(d, ['read', T0 + 100, [chunk], ['0001:x1'], [[T0 + 90, [entry(1).id]]]]);
    expect([...d.awaiting]).toEqual([[entry(1).id, T0 + 90]]);
    expect(fx).toContainEqual(['wait', VERDICT - 10]);
    expect(post(d, T0 + 101)!.ids).toEqual([entry(2).id]);
  });

  it('a reply given up on at a restore (abandoned) says nothing of the collector: no failure learned, no backoff', () => {
    const d = queued(2);
    d.outcome = [true, T0];
    post(d, T0 + 10);
    const fx = step(d, ['reply', T0 + 20, { ...reply(0), abandoned: true }, 0]);
    expect([d.outcome, d.failures, d.retryAt, d.inflight.size]).toEqual([[true, T0], 0, 0, 0]);
    expect(kinds(fx)).toEqual(['wait']);
  });
});
