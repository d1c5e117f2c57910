/**
 * The flight recorder (`debug: true`): the last inputs the core took and the effects each asked for, with the
 * model before the first of them and the model now, as JSON a developer can paste into a bug report. The core's
 * inputs and models are plain data, so the log replays: test/core/replay.test.ts runs one again in Node and
 * reaches the same model (`replayLog` there). Nothing is kept without `debug: true`. The builds shorten the core's
 * internal names: `dist/names.json` gives them back (`readLog` there).
 */
import type { Effect, Input, Model } from './core/model';
import { VERSION } from './version';

/** How many inputs are kept: the latest, which are what a wrong session is made of. */
const KEPT = 200;

/** What `debugLog()` answers, parsed. */
export interface DebugLog {
  stint: string;
  /** the model before the first input kept */
  model: Model;
  /** each input, and the effects its step asked for, oldest first */
  steps: [input: Input, effects: Effect[]][];
  /** the model after the last */
  now: Model;
}

export interface Recorder {
  /** One step: the model before it, its input, and the effects it asked for. */
  note(before: Model, input: Input, effects: Effect[]): void;
  /** The log as JSON, up to the model `now`. */
  dump(now: Model): string;
}

export function startRecorder(): Recorder {
  const kept: { before: Model; input: Input; effects: Effect[] }[] = [];
  return {
    note(before, input, effects) {
      // (an entry as the core made it: delivery marks the one it keeps with its chunk and its place in the queue)
      effects = effects.map((e) => (e[0] === 'enqueue' ? [e[0], { ...e[1] }] : e));
      if (kept.push({ before, input, effects }) > KEPT) kept.shift();
    },
    dump(now) {
      const log: DebugLog = { stint: VERSION, model: kept.length ? kept[0].before : now, steps: kept.map(({ input, effects }) => [input, effects]), now };
      return JSON.stringify(log);
    },
  };
}
