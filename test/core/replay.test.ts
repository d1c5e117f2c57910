/**
 * The flight recorder's log replays (src/ground/recorder.ts, `debug: true`): the model before the first input kept, each
 * input in turn through `step`, reaches the model the log ends with, and each step asks for the effects it logged.
 * The model and the inputs are plain data: `structuredClone` copies a model, JSON carries it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nativeFormat } from '../../src/core/formats/native';
import type { Input, Model } from '../../src/core/model';
import { startSender } from '../../src/delivery/sender';
import { memoryOutbox } from '../helpers';
import { step } from '../../src/core/step';
import { dump } from '../../src/door/messages';
import { note, type DebugLog, type Recording } from '../../src/ground/recorder';
import { readLog, replayLog } from './replay';
import { boot, MIN, place } from './harness';

/** A page's life as the shell feeds it, `n` rounds long, through a recorder. */
function life(rounds: number): { log: DebugLog; model: Model } {
  const t = boot({ consent: 'pending' });
  const recording: Recording = { kept: [], start: null };
  let model = t.model;
  const feed = (input: Parameters<typeof step>[1]) => {
    const next = step(model, input);
    note(recording, model, input, next.effects);
    model = next.model;
  };
  feed(['track', 10, 'held', '{"n":1}']);
  feed(['consent', 20, 'granted', 'page', false]);
  feed(['opened', 30, null, 'COOKIE_1', false]);
  for (let i = 0; i < rounds; i++) {
    const at = 1000 + i * 7 * MIN;
    feed(['page', at, '{}', place(`/p${i % 3}?utm_source=s${i % 2}`)]);
    feed(['track', at + 10, 'click', JSON.stringify({ i })]);
    feed(['attribute', at + 20, 'n', 1, true]);
    feed(['visibility', at + 30, i % 2 === 0]);
    feed(['tab', at + 40, 'other', i % 3 === 0]);
    if (i % 5 === 0) feed(['identify', at + 50, `u${i % 2}`, '{}']);
    if (i % 7 === 0) feed(['newSession', at + 60]);
    feed(['stored', at + 70, null]);
  }
  feed(['pagehide', 1e9, true]);
  feed(['restore', 1e9 + 10, place('/back')]);
  feed(['reread', 1e9 + 20, null, '']);
  return { log: readLog(dump(recording, model, null)), model };
}

describe('the flight recorder', () => {
  it.each([
    ['a short life, whole: from the first model', 5],
    ['a long life, past the 200 inputs kept: from the model before the oldest kept', 60],
  ])('%s, replayed, reaches the same model', (_, rounds) => {
    const { log, model } = life(rounds);
    expect(log.steps.length).toBe(Math.min(200, 6 + rounds * 6 + Math.ceil(rounds / 5) + Math.ceil(rounds / 7)));
    expect(log.now).toEqual(JSON.parse(JSON.stringify(model)));
    expect(JSON.parse(JSON.stringify(replayLog(log, (actual, logged) => expect(actual).toEqual(logged)).model))).toEqual(log.now);
  });

  it('keeps plain data: structuredClone copies a model, whole', () => {
    const { model } = life(3);
    expect(structuredClone(model)).toEqual(model);
  });
});

describe("the flight recorder logs delivery's steps too", () => {
  const T0 = 1_700_000_000_000;
  let status = 503;
  const beacons: string[] = [];
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    vi.stubGlobal('navigator', { onLine: true, sendBeacon: (_: string, body: string) => (beacons.push(body), true) });
    vi.stubGlobal('fetch', async () => ({ status, text: async () => '', headers: { get: () => null } }));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('a life with a collector outage and a page exit, replayed in Node: the same session, the same delivery, the same outbox', async () => {
    const recording: Recording = { kept: [], start: null };
    const store = memoryOutbox();
    const sender = startSender({ url: '/c', format: nativeFormat, request: {}, dropped: 0, store, tabs: null, turn: null, batch: () => ({ profile: null, sampleRate: 1 }), heard: () => {}, recording });
    const t = boot({ at: T0 });
    /** An input of the session core, its effects carried out as the shell does (events to the sender, a beacon). */
    const feed = (input: Input) => {
      const next = step(t.model, input);
      note(recording, t.model, input, next.effects);
      t.model = next.model;
      for (const effect of next.effects) {
        if (effect[0] === 'enqueue') sender.add(effect[1]);
        if (effect[0] === 'beacon') sender.beacon(effect[1]);
      }
    };
    feed(['opened', Date.now(), null, 'COOKIE_1', false]);
    for (let i = 0; i < 30; i++) feed(['track', Date.now(), 'e', JSON.stringify({ i })]);
    // The collector is down: the batch is tried, and tried again after a backoff.
    await vi.advanceTimersByTimeAsync(5_000);
    for (let i = 30; i < 40; i++) feed(['track', Date.now(), 'e', JSON.stringify({ i })]);
    await vi.advanceTimersByTimeAsync(60_000);
    // Back: the outbox empties; then events, and the page leaves before their batch (a beacon).
    status = 200;
    await vi.advanceTimersByTimeAsync(400_000);
    expect(store.chunks.size).toBe(0);
    for (let i = 40; i < 45; i++) feed(['track', Date.now(), 'e', JSON.stringify({ i })]);
    await Promise.resolve();
    feed(['pagehide', Date.now(), false]);
    await vi.advanceTimersByTimeAsync(0);
    expect(beacons).toHaveLength(1);
    const log = readLog(dump(recording, t.model, sender.model));
    const sends = log.steps.filter(([input]) => input[0] === 'send').map(([input]) => (input as readonly ['send', readonly unknown[]])[1][0]);
    expect(sends).toEqual(expect.arrayContaining(['add', 'read', 'written', 'next', 'reply', 'beacon', 'beaconed']));
    const replayed = replayLog(log, (actual, logged) => expect(actual).toEqual(logged));
    expect(JSON.parse(JSON.stringify(replayed.model))).toEqual(log.now);
    expect(replayed.delivery).toEqual(log.sending);
    // The outbox the logged writes and removals make is the one the page left.
    const outbox = new Map<string, string[]>();
    for (const [, effects] of log.steps)
      for (const e of effects as unknown[][]) {
        if (e[0] === 'write') for (const [key, list] of e[1] as [string, { id: string }[]][]) outbox.set(key, list.map((x) => x.id));
        if (e[0] === 'remove')
          for (const [key, ids, whole] of e[1] as [string, string[], boolean][]) {
            const rest = whole ? [] : (outbox.get(key) || []).filter((id) => !ids.includes(id));
            if (rest.length) outbox.set(key, rest);
            else outbox.delete(key);
          }
      }
    expect(outbox).toEqual(new Map([...store.chunks].map(([key, list]) => [key, list.map((e) => e.id)])));
  });
});

describe('readLog', () => {
  it("reads the build's short names back, but not a session's attribute names", () => {
    const json = JSON.stringify({ stint: '0', model: { g: { appId: 'shop' }, session: { attributes: { g: 1 } } }, steps: [], now: {} });
    expect(readLog(json, { $settings: 'g' }).model).toEqual({ settings: { appId: 'shop' }, session: { attributes: { g: 1 } } });
  });
});
