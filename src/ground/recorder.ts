/**
 * The flight recorder (`debug: true`): the last inputs the two cores took (the session's, core/step.ts, and delivery's,
 * core/send/send.ts, each `['send', input]`) and the effects each asked for, with the models before the first of them
 * and the models now, as JSON a developer can paste into a bug report. The cores' inputs and models are plain data, so
 * the log replays: test/core/replay.test.ts runs one again in Node and reaches the same models and the same outbox
 * (`replayLog` there). Nothing is kept without `debug: true`; what writes the log (`dump`) comes with the messages'
 * sentences (the debug part: messages.ts), and `debugLog()` answers once it has. The builds shorten the cores' internal
 * names: `dist/names.json` gives them back (`readLog` there).
 */
import type { Input, Model } from '../core/model';
import type { Effect } from '../core/effect';
import type { Delivery, SendInput } from '../core/send/send-model';
import type { SendAnswer, SendEffect } from '../core/send/send-effect';

/** A step the log keeps: the session core's input, or delivery's (`['send', input]`), and the effects it asked for. */
export type Logged = [input: Input | readonly ['send', SendInput], effects: (Effect | SendEffect | SendAnswer)[]];

/** What `debugLog()` answers, parsed. */
export interface DebugLog {
  stint: string;
  /** the session core's model before the first step kept */
  model: Model;
  /** delivery's model before its first step kept (null: its start is out of the log, or it has not started) */
  delivery: Delivery | null;
  /** each step, oldest first */
  steps: Logged[];
  /** the models after the last */
  now: Model;
  sending: Delivery | null;
}

/**
 * What the recorder keeps: the latest steps (each with the session's model before it, or null for delivery's), and
 * delivery's start.
 */
export interface Recording {
  kept: [before: Model | null, ...step: Logged][];
  start: Delivery | null;
}

/** How many steps are kept: the latest, which are what a wrong session is made of. */
const KEPT = 200;

/** Keeps a step (`before`: the session's model before it; null for one of delivery's). */
export function note(r: Recording, before: Model | null, ...step: Logged): void {
  // (an entry as the core made it; delivery's start falls out with its first step: the log then replays the session's
  // alone)
  const effects = step[1].map((e) => (e[0] === 'enqueue' ? ['enqueue', { ...e[1] }] : e)) as Logged[1];
  if (r.kept.push([before, step[0], effects]) > KEPT && r.kept.shift()![1][0] === 'send') r.start = null;
}

/** The log's writer: in the debug part (messages.ts), handed over when it comes. */
export type Dump = (r: Recording, now: Model, sending: Delivery | null) => string;
let writer: Dump | undefined;
export const setDump = (dump: Dump): void => void (writer = dump);
/** The log as JSON, or null before the debug part has come. */
export const dumpLog = (r: Recording, now: Model, sending: Delivery | null): string | null =>
  writer ? writer(r, now, sending) : null;
