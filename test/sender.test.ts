/**
 * The sender's policy with the network faked: bounds, the loss report, 413 halving, 4xx drops,
 * Retry-After and backoff. The real browser paths (beacons, IndexedDB, tabs) are in e2e/delivery.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nativeFormat } from '../src/delivery/formats/native';
import type { Entry } from '../src/delivery/outbox-store';
import { MAX_QUEUE_EVENTS, Sender } from '../src/delivery/sender';

type Reply = { status: number; headers?: Record<string, string> };

let replies: Reply[];
let bodies: { events: { eventId: string }[]; dropped: number }[];
let warnings: string[];

beforeEach(() => {
  vi.useFakeTimers();
  replies = [];
  bodies = [];
  warnings = [];
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('removeEventListener', () => {});
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('fetch', async (_url: string, init: { body: string }) => {
    bodies.push(JSON.parse(init.body));
    const reply = replies.shift() || { status: 200 };
    return { status: reply.status, text: async () => '', headers: { get: (h: string) => reply.headers?.[h] ?? null } };
  });
  vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

let n = 0;
const entry = (size = 100): Entry => {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  return { id, at: Date.now() + n, appId: 'app', body: JSON.stringify({ eventId: id, pad: 'x'.repeat(size) }) };
};

const sent = () => bodies.flatMap((b) => b.events.map((e) => e.eventId));

async function drain(sender: Sender) {
  const done = sender._flush();
  for (let i = 0; i < 50; i++) await vi.advanceTimersByTimeAsync(60_000);
  await done;
}

describe('Sender', () => {
  it('batches by bytes: every request under 60,000 bytes, every event once, in order', async () => {
    const sender = new Sender('/c', nativeFormat, null, null);
    const list = Array.from({ length: 300 }, () => entry(900));
    for (const e of list) sender._add(e);
    await drain(sender);
    expect(sent()).toEqual(list.map((e) => e.id));
    expect(bodies.length).toBeGreaterThan(4);
    for (const b of bodies) expect(JSON.stringify(b).length).toBeLessThan(60_000);
  });

  it('bounds the queue: the oldest go, with one warning, and the next batch reports how many', async () => {
    const sender = new Sender('/c', nativeFormat, null, null);
    const list = Array.from({ length: MAX_QUEUE_EVENTS + 5 }, () => entry(10));
    for (const e of list) sender._add(e);
    expect(warnings.filter((w) => /outbox is full/.test(w))).toHaveLength(1);
    await drain(sender);
    expect(sent()).toEqual(list.slice(5).map((e) => e.id));
    expect(bodies[0].dropped).toBe(5);
    expect(bodies.slice(1).every((b) => b.dropped === 0)).toBe(true);
  });

  it('413 halves the batch until it fits', async () => {
    replies = [{ status: 413 }, { status: 413 }];
    const sender = new Sender('/c', nativeFormat, null, null);
    const list = Array.from({ length: 8 }, () => entry());
    for (const e of list) sender._add(e);
    await drain(sender);
    expect(bodies.map((b) => b.events.length)).toEqual([8, 4, 2, 2, 2, 2]);
    expect(sent().slice(-8)).toEqual(list.map((e) => e.id));
  });

  it('another 4xx drops the batch with a warning and counts it as lost', async () => {
    replies = [{ status: 400 }];
    const sender = new Sender('/c', nativeFormat, null, null);
    sender._add(entry());
    await drain(sender);
    sender._add(entry());
    await drain(sender);
    expect(warnings.filter((w) => /HTTP 400/.test(w))).toHaveLength(1);
    expect(bodies.map((b) => b.dropped)).toEqual([0, 1]);
  });

  it('5xx, 408, 429 and network errors are retried with growing delays; Retry-After wins', async () => {
    replies = [{ status: 503 }, { status: 408 }, { status: 0 }, { status: 429, headers: { 'Retry-After': '120' } }];
    const times: number[] = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (...args: Parameters<typeof fetch>) => {
      times.push(Date.now());
      return replies[0]?.status === 0 ? (replies.shift(), Promise.reject(new TypeError('Failed to fetch'))) : realFetch(...args);
    });
    const sender = new Sender('/c', nativeFormat, null, null);
    const e = entry();
    sender._add(e);
    await drain(sender);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(500); // 1 s, jittered into [0.5, 1]
    expect(gaps[1]).toBeGreaterThanOrEqual(1000); // 2 s, jittered
    expect(gaps[2]).toBeGreaterThanOrEqual(2000); // 4 s, jittered
    expect(gaps[3]).toBeGreaterThanOrEqual(120_000); // Retry-After: 120
    expect(sent().filter((id) => id === e.id).length).toBeGreaterThanOrEqual(1);
    expect(bodies.at(-1)!.events[0].eventId).toBe(e.id);
  });

  it('events older than a week are given up on, with a warning', async () => {
    const sender = new Sender('/c', nativeFormat, null, null);
    const old = { ...entry(), at: Date.now() - 8 * 86_400_000 };
    sender._add(old);
    sender._add(entry());
    await drain(sender);
    expect(warnings.filter((w) => /a week/.test(w))).toHaveLength(1);
    expect(sent()).not.toContain(old.id);
    expect(bodies[0].dropped).toBe(1);
  });

  it('an entry no request can carry is given up on and counted; the ones behind it are sent', async () => {
    const sender = new Sender('/c', nativeFormat, null, null);
    const poison = entry(70_000);
    const behind = entry();
    sender._add(poison);
    sender._add(behind);
    await drain(sender);
    expect(sent()).toEqual([behind.id]);
    expect(bodies[0].dropped).toBe(1);
    expect(warnings.filter((w) => /too large to send/.test(w))).toHaveLength(1);
  });

  it('413 for a single event drops it, counted; the next one is sent', async () => {
    replies = [{ status: 413 }];
    const sender = new Sender('/c', nativeFormat, null, null);
    const refused = entry();
    sender._add(refused);
    await drain(sender);
    const next = entry();
    sender._add(next);
    await drain(sender);
    expect(bodies.map((b) => b.events.map((e) => e.eventId))).toEqual([[refused.id], [next.id]]);
    expect(bodies[1].dropped).toBe(1);
  });

  it('past the bound, each add costs one splice, and the outbox gets one removal per task', async () => {
    const removed: number[] = [];
    const store = {
      put: async (list: Entry[]) => list.forEach((e, i) => (e.chunk = ['o', e.at, i])),
      keys: async () => [],
      get: async () => [],
      remove: async (_chunks: unknown[], list: Entry[]) => void removed.push(_chunks.length + list.length),
    };
    vi.stubGlobal('navigator', { onLine: false }); // nothing leaves: the queue stays full
    const sender = new Sender('/c', nativeFormat, store, null);
    for (let i = 0; i < MAX_QUEUE_EVENTS; i++) sender._add(entry(10));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 100; i++) sender._add(entry(10)); // one task: 100 over the bound
    await vi.advanceTimersByTimeAsync(0);
    expect(sender._queue).toHaveLength(MAX_QUEUE_EVENTS);
    expect(sender._dropped).toBe(100);
    expect(removed).toEqual([100]);
  });

  it('flush resolves once everything queued before it is delivered', async () => {
    replies = [{ status: 503 }];
    const sender = new Sender('/c', nativeFormat, null, null);
    sender._add(entry());
    let resolved = false;
    sender._flush().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(resolved).toBe(true);
  });
});
