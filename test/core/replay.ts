/**
 * Reads and replays a flight recorder's log (`debugLog()`, src/recorder.ts). The builds shorten the core's internal
 * property names; `dist/names.json` (written by the build) maps each back, and `readLog` renames every key it knows,
 * but not the keys of a session's attributes (the site's own names). `replayLog` runs the log's inputs through the
 * core from the model it starts with, checks (`check`: the test's own expect) that each step asks for the effects
 * logged, and answers the model reached. Used by test/core/replay.test.ts and, on a real browser's log, e2e/core.spec.ts.
 */
import type { Model } from '../../src/core/model';
import { step } from '../../src/core/step';
import type { DebugLog } from '../../src/recorder';
import { withParts } from './harness';

/** A log as JSON, with the build's short names (`$name` -> short, dist/names.json) read back. */
export function readLog(json: string, names: Record<string, string> = {}): DebugLog {
  const long = new Map(Object.entries(names).map(([name, short]) => [short, name.slice(1)]));
  const read = (value: unknown, own = false): unknown => {
    if (Array.isArray(value)) return value.map((v) => read(v));
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [own ? key : (long.get(key) ?? key), read(v, key === 'attributes')]));
  };
  return read(JSON.parse(json)) as DebugLog;
}

/**
 * Replays a log: the model its inputs reach, each step checked against the effects logged. What the parts handed the
 * shell (engaged time's steps, a landing page's link reader) is code, which JSON does not carry: handed again here.
 */
export function replayLog(log: DebugLog, check: (actual: unknown, logged: unknown) => void): Model {
  let model = { ...log.model, settings: withParts(log.model.settings, log.model.linked) };
  for (const [input, effects] of log.steps) {
    const next = step(model, input);
    check(JSON.parse(JSON.stringify(next.effects)), effects);
    model = next.model;
  }
  return model;
}
