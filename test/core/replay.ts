/**
 * Reads and replays a flight recorder's log (`debugLog()`, src/ground/recorder.ts). The builds shorten the core's internal
 * property names; `dist/names.json` (written by the build) maps each back, and `readLog` renames every key it knows,
 * but not the keys of a session's attributes (the site's own names). `replayLog` runs the log's inputs through the
 * core from the model it starts with, checks (`check`: the test's own expect) that each step asks for the effects
 * logged, and answers the model reached. Used by test/core/replay.test.ts and, on a real browser's log, e2e/core.spec.ts.
 */
import { nativeFormat } from '../../src/core/formats/native';
import type { Format } from '../../src/core/formats/format';
import type { Model } from '../../src/core/model';
import { sendStep, type Delivery } from '../../src/core/send/send';
import { step } from '../../src/core/step';
import type { DebugLog } from '../../src/ground/recorder';
import { keepParts } from './harness';

/** A log as JSON, with the build's short names (`$name` -> short, dist/names.json) read back. */
export function readLog(json: string, names: Record<string, string> = {}): DebugLog {
  const long = new Map(Object.entries(names).map(([name, short]) => [short, name.slice(1)]));
  const read = (value: unknown, own = false): unknown => {
    if (Array.isArray(value)) return value.map((v) => read(v));
    if (!value || typeof value !== 'object') return value;
    // (delivery's sets, as the recorder writes them)
    if (Object.keys(value).length === 1 && Array.isArray((value as { $set?: unknown }).$set)) return new Set(read((value as { $set: unknown[] }).$set) as unknown[]);
    if (Object.keys(value).length === 1 && Array.isArray((value as { $map?: unknown }).$map)) return new Map(read((value as { $map: unknown[] }).$map) as [unknown, unknown][]);
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [own ? key : (long.get(key) ?? key), read(v, key === 'attributes')]));
  };
  return read(JSON.parse(json)) as DebugLog;
}

/**
 * Replays a log: the models its inputs reach (the session core's; delivery's, where the log holds its start), each step
 * checked against the effects logged. What the parts handed the core (engaged time's steps, a landing page's link
 * reader, the copy's rule) is code, which JSON does not carry: it is kept here as the shell kept it (core/parts.ts); the
 * log's `part` inputs say when it came. Delivery's steps make its bodies in `format` (the page's).
 */
export function replayLog(log: DebugLog, check: (actual: unknown, logged: unknown) => void, format: Format = nativeFormat): { model: Model; delivery: Delivery | null } {
  keepParts();
  let model = log.model;
  const delivery = log.delivery && structuredClone(log.delivery);
  const json = (value: unknown) => JSON.parse(JSON.stringify(value, (_, v) => (v instanceof Set || v instanceof Map ? [...v] : v)));
  for (const [input, effects] of log.steps) {
    if (input[0] === 'send') {
      if (delivery) {
        // (the log shows a step's answer after its effects: delivery/sender.ts)
        const [fx, answer] = sendStep(delivery, input[1], format);
        check(json(answer ? [...fx, answer] : fx), json(effects));
      }
      continue;
    }
    const next = step(model, input);
    check(json(next.effects), json(effects));
    model = next.model;
  }
  return { model, delivery };
}
