/**
 * The flight recorder's log replays (src/recorder.ts, `debug: true`): the model before the first input kept, each
 * input in turn through `step`, reaches the model the log ends with, and each step asks for the effects it logged.
 * The model and the inputs are plain data: `structuredClone` copies a model, JSON carries it.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/core/model';
import { step } from '../../src/core/step';
import { startRecorder, type DebugLog } from '../../src/recorder';
import { readLog, replayLog } from './replay';
import { boot, MIN, place } from './harness';

/** A page's life as the shell feeds it, `n` rounds long, through a recorder. */
function life(rounds: number): { log: DebugLog; model: Model } {
  const t = boot({ consent: 'pending' });
  const recorder = startRecorder();
  let model = t.model;
  const feed = (input: Parameters<typeof step>[1]) => {
    const next = step(model, input);
    recorder.note(model, input, next.effects);
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
  return { log: readLog(recorder.dump(model)), model };
}

describe('the flight recorder', () => {
  it.each([
    ['a short life, whole: from the first model', 5],
    ['a long life, past the 200 inputs kept: from the model before the oldest kept', 60],
  ])('%s, replayed, reaches the same model', (_, rounds) => {
    const { log, model } = life(rounds);
    expect(log.steps.length).toBe(Math.min(200, 6 + rounds * 6 + Math.ceil(rounds / 5) + Math.ceil(rounds / 7)));
    expect(log.now).toEqual(JSON.parse(JSON.stringify(model)));
    expect(JSON.parse(JSON.stringify(replayLog(log, (actual, logged) => expect(actual).toEqual(logged))))).toEqual(log.now);
  });

  it('keeps plain data: structuredClone copies a model, whole', () => {
    const { model } = life(3);
    expect(structuredClone(model)).toEqual(model);
  });
});

describe('readLog', () => {
  it("reads the build's short names back, but not a session's attribute names", () => {
    const json = JSON.stringify({ stint: '0', model: { g: { appId: 'shop' }, session: { attributes: { g: 1 } } }, steps: [], now: {} });
    expect(readLog(json, { $settings: 'g' }).model).toEqual({ settings: { appId: 'shop' }, session: { attributes: { g: 1 } } });
  });
});
