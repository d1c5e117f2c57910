import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nativeFormat } from '../src/core/formats/native';
import { byteLength, RETRY_EARLY, retryEarly } from '../src/core/send/batch';
import { snowplowMechanism } from '../src/core/formats/snowplow';
import { beacon, post, sendNow, takeDue } from '../src/delivery/transport';
import { setLeaving } from '../src/ground/db';
import { parseRetryAfter } from '../src/core/send/batch';
import { gunzipSync } from 'node:zlib';
import { VERSION } from '../src/ground/version';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it.each([
    ['seconds', '30', 30_000],
    ['zero', '0', 0],
    ['an HTTP date', 'Sat, 21 Nov 2026 10:01:00 GMT', 60_000],
    ['a date in the past', 'Sat, 21 Nov 2026 09:00:00 GMT', 0],
    ['garbage', 'soon', null],
    ['absent', null, null],
  ])('%s', (_, header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});

describe('retryEarly: the page back in the foreground, or the network back, tries a failing collector before the end of its backoff', () => {
  const now = 1_000_000;
  it.each([
    ['a long backoff, the last try half a minute old', now + 200_000, now - RETRY_EARLY, false, true],
    [
      'the last try too recent (a tab switched every second is no flood)',
      now + 200_000,
      now - RETRY_EARLY + 1,
      false,
      false,
    ],
    ["the collector's Retry-After is obeyed", now + 200_000, now - 60_000, true, false],
    ['no backoff under way', now, now - 60_000, false, false],
    ['the backoff is over: the retry is due anyway', now - 1, now - 60_000, false, false],
  ])('%s', (_, retryAt, triedAt, told, early) => {
    expect(retryEarly(now, retryAt, triedAt, told)).toBe(early);
  });
});

describe('formats', () => {
  it('native: the envelope around the events, one context for the events that share it', () => {
    const entries = [
      { id: 'a', at: 1000, appId: 'shop', name: 'x', props: '{}', index: 4, hidden: false, ctx: '{"k":1}' },
      { id: 'b', at: 1002, appId: 'shop', name: 'y', props: '{"n":1}', index: 5, hidden: false, ctx: '{"k":1}' },
    ];
    const batch = { dropped: 3, sentAt: Date.parse('2026-11-21T10:00:00Z'), profile: null, sampleRate: 0.25 };
    const body = JSON.parse(
      nativeFormat.body(
        entries.map((e) => nativeFormat.item(e, batch)),
        entries,
        batch,
      ),
    );
    expect(body).toEqual({
      v: 3,
      appId: 'shop',
      sentAt: '2026-11-21T10:00:00.000Z',
      at: 1000,
      dropped: 3,
      sampleRate: 0.25,
      contexts: [{ k: 1 }],
      events: [
        ['a', 'x', {}, 0, { i: 4 }],
        ['b', 'y', { n: 1 }, 2],
      ],
    });
  });

  it.each([
    ['COOKIE_1', 'COOKIE_1'],
    ['INDEXED_DB', 'LOCAL_STORAGE'],
    ['MEMORY', 'LOCAL_STORAGE'],
    ['LOCAL_STORAGE', 'LOCAL_STORAGE'],
    ['SQLITE', 'SQLITE'],
    ['MY_STORE', 'LOCAL_STORAGE'],
  ])('snowplow storageMechanism %s -> %s', (ours, theirs) => {
    expect(snowplowMechanism(ours)).toBe(theirs);
  });
});

describe('byteLength', () => {
  it('counts UTF-8 bytes', () => {
    expect(byteLength('abc')).toBe(3);
    expect(byteLength('é')).toBe(2);
    expect(byteLength('語')).toBe(3);
    expect(byteLength('😀')).toBe(4);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});

describe("compression: 'gzip'", () => {
  afterEach(() => vi.unstubAllGlobals());
  const body = JSON.stringify({
    v: 3,
    events: Array.from({ length: 50 }, (_, i) => ['00000000-0000-4000-8000-000000000000', 'click', { i }, i]),
  });
  const sent = () => {
    const calls: [string, RequestInit][] = [];
    vi.stubGlobal(
      'fetch',
      (url: string, init: RequestInit) => (calls.push([url, init]), Promise.resolve(new Response('', { status: 200 }))),
    );
    return calls;
  };

  it('a fetch sends the body gzipped, with Content-Encoding and the text’s type; it unzips to the same text', async () => {
    const calls = sent();
    await post('https://c.example/collect', body, { gzip: true }, new Set());
    const [, init] = calls[0];
    expect(init.headers).toEqual({ 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Encoding': 'gzip' });
    expect(gunzipSync(Buffer.from(init.body as ArrayBuffer)).toString('utf8')).toBe(body);
    expect((init.body as ArrayBuffer).byteLength).toBeLessThan(body.length / 3);
  });

  it('plain where the engine has no CompressionStream, where it fails, and where the collector takes no gzip', async () => {
    const calls = sent();
    await post('https://c.example/collect', body, {}, new Set());
    vi.stubGlobal('CompressionStream', undefined);
    await post('https://c.example/collect', body, { gzip: true }, new Set());
    vi.stubGlobal('CompressionStream', function () {
      throw new TypeError('unsupported');
    });
    await post('https://c.example/collect', body, { gzip: true, type: 'application/json' }, new Set());
    expect(calls.map(([, init]) => [init.body, init.headers])).toEqual([
      [body, undefined],
      [body, undefined],
      [body, { 'Content-Type': 'application/json' }],
    ]);
  });

  it('a post still being gzipped when the page leaves or freezes goes at once, plain, and once (sendNow)', async () => {
    const calls = sent();
    const reply = post('https://c.example/collect', body, { gzip: true }, new Set());
    sendNow();
    expect(calls.map(([, init]) => [init.body, init.headers])).toEqual([[body, undefined]]);
    expect((await reply).status).toBe(200);
    sendNow();
    expect(calls).toHaveLength(1);
  });

  it('a beacon is always plain: a page that leaves gives no time to compress', () => {
    const beacons: unknown[] = [];
    vi.stubGlobal('navigator', { sendBeacon: (_: string, data: unknown) => (beacons.push(data), true) });
    expect(beacon('https://c.example/collect', body, { gzip: true })).toBe(true);
    expect(beacons).toEqual([body]);
  });
});

describe('a network error, taken a moment later', () => {
  afterEach(() => (setLeaving(false), vi.useRealTimers(), vi.unstubAllGlobals()));

  // (a browser's: Node 20 has no `navigator`, which a failure reads to tell a refusal from the network gone)
  beforeEach(() => vi.stubGlobal('navigator', { onLine: true }));

  /** A post whose fetch fails at once; `reply()`: what it resolved with so far (null: nothing yet). */
  const failingPost = () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    let reply: unknown = null;
    void post('/c', '{}', { headers: {}, gzip: false } as never, new Set()).then((r) => (reply = r));
    return () => reply;
  };

  it('from a page still here: a failure, 250 ms after it came', async () => {
    const reply = failingPost();
    await vi.advanceTimersByTimeAsync(249);
    expect(reply()).toBe(null);
    await vi.advanceTimersByTimeAsync(1);
    expect(reply()).toMatchObject({ status: 0 });
    expect((reply() as { abandoned?: boolean }).abandoned).toBeUndefined();
  });

  it('an answer that has not come in 30 s: a failure, and the request aborted (it would hold a connection to the host)', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    vi.stubGlobal('fetch', (_: string, init: RequestInit) => ((signal = init.signal ?? undefined), new Promise(() => {})));
    let reply: unknown = null;
    void post('/c', '{}', { headers: {}, gzip: false } as never, new Set()).then((r) => (reply = r));
    await vi.advanceTimersByTimeAsync(29_999);
    expect([reply, signal?.aborted]).toEqual([null, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([reply, signal?.aborted]).toEqual([expect.objectContaining({ status: 0 }), true]);
  });

  it('due, but its timer put off (a hidden page wakes its timers at whole seconds): taken as the page goes, at once', async () => {
    // (test/sim seeds 6150, 36258, 35783: a page frozen 720 ms after the error handed the request over as in flight)
    const heard: unknown[] = [];
    vi.useFakeTimers();
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    vi.stubGlobal('setTimeout', (() => 0) as never);
    void post('/c', '{}', { headers: {}, gzip: false } as never, new Set(), (r) => heard.push(r));
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + 249);
    takeDue();
    expect(heard).toEqual([]);
    vi.setSystemTime(Date.now() + 1);
    takeDue();
    takeDue();
    expect(heard).toEqual([expect.objectContaining({ status: 0 })]);
    expect((heard[0] as { abandoned?: boolean }).abandoned).toBeUndefined();
  });

  it('from a page that left meanwhile (Chromium rejects a keepalive fetch as the page navigates, and it lands): no news', async () => {
    const reply = failingPost();
    await vi.advanceTimersByTimeAsync(30);
    setLeaving(true);
    await vi.advanceTimersByTimeAsync(250);
    expect(reply()).toMatchObject({ status: 0, abandoned: true });
  });
});
