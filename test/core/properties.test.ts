/**
 * The core under random sequences of inputs (fast-check, seeded: see test/seed.ts): it never throws, never
 * changes the model it is given, gives the same effects for the same inputs, and keeps the session rules'
 * promises whatever the order of calls, signals and answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PageEvent as WholeEvent } from '../../src/core/formats/envelope';
import type { Input, Inputs, Model } from '../../src/core/model';
import { WEEKDAYS } from '../../src/core/context';
import { weekday, wholeOf } from '../../src/core/event';
import { step } from '../../src/core/step';
import { fuzzSeed } from '../seed';
import { boot, MIN, place, type Tracker } from './harness';
import { attribute, endSession, identify, newSession, shutdown, track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { opened, profile, reread } from '../../src/core/answers';
import { move, page, pagehide, restore, route, tab, tabsGone, visibility } from '../../src/core/session/site';

const SEED = fuzzSeed('core properties');
const NIL = '00000000-0000-0000-0000-000000000000';

/** One input, at its time. */
type Make = (at: number) => Input;
const make = fc.oneof<fc.Arbitrary<Make>[]>(
  fc.record({ name: fc.constantFrom('a', 'b', 'checkout'), big: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }).map(({ name, big }) => (at) => ['track', at, name, big ? JSON.stringify({ pad: 'x'.repeat(40_000) }) : '{"n":1}']),
  fc.constantFrom('/a', '/b', '/c?utm_source=x').map((path) => (at) => ['page', at, '{}', place(path)]),
  fc.constantFrom('/a', '/d').map((path) => (at) => ['route', at, place(path), 'https://shop.example/a']),
  fc.constantFrom('u1', 'u2', null).map((user) => (at) => ['identify', at, user, '{}']),
  fc.constant<Make>((at) => ['newSession', at]),
  fc.constant<Make>((at) => ['endSession', at]),
  fc.record({ key: fc.constantFrom('plan', 'n', ''), value: fc.constantFrom<unknown>('pro', 1, null, {}), increment: fc.boolean() }).map(({ key, value, increment }) => (at) => ['attribute', at, key, value, increment]),
  fc.record({ state: fc.constantFrom('granted', 'pending', 'denied') as fc.Arbitrary<'granted' | 'pending' | 'denied'>, from: fc.constantFrom('page', 'signal', 'tab') as fc.Arbitrary<'page' | 'signal' | 'tab'> }).map(({ state, from }) => (at) => ['consent', at, state, from, false]),
  fc.constantFrom('COOKIE_1', 'INDEXED_DB').map((mechanism) => (at) => ['opened', at, null, mechanism, false]),
  fc.boolean().map((hidden) => (at) => ['visibility', at, hidden]),
  fc.record({ name: fc.constantFrom('t1', 't2'), visible: fc.boolean() }).map(({ name, visible }) => (at) => ['tab', at, name, visible]),
  fc.constantFrom(['t1'], ['t1', 't2']).map((tabs) => (at) => ['tabsGone', at, tabs]),
  fc.boolean().map((persisted) => (at) => ['pagehide', at, persisted]),
  fc.constant<Make>((at) => ['restore', at, place('/a')]),
  fc.constant<Make>((at) => ['resume', at]),
  fc.constant<Make>((at) => ['reread', at, null, '']),
  fc.constantFrom('/a#x', '/e').map((path) => (at) => ['move', at, place(path)]),
  fc.constant<Make>((at) => ['profile', at, 'p-1']),
);
/** Mostly calls and signals, and storage answering; now and then a shutdown, which ends the run's interest. */
const input = fc.oneof(
  { arbitrary: make, weight: 40 },
  { arbitrary: fc.constant<Make>((at) => ['track', at, 'a', '{}']), weight: 10 },
  { arbitrary: fc.constant<Make>((at) => ['opened', at, null, 'COOKIE_1', false]), weight: 4 },
  { arbitrary: fc.constant<Make>((at) => ['shutdown', at]), weight: 1 },
);
const gap = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 29 * MIN, max: 32 * MIN }));
const life = fc.record({
  consent: fc.constantFrom('granted', 'pending', 'denied') as fc.Arbitrary<'granted' | 'pending' | 'denied'>,
  onDenied: fc.constantFrom('drop', 'anonymous') as fc.Arbitrary<'drop' | 'anonymous'>,
  lifecycleEvents: fc.boolean(),
  pageHidden: fc.boolean(),
  steps: fc.array(fc.tuple(gap, input), { minLength: 10, maxLength: 80 }),
});

type Life = typeof life extends fc.Arbitrary<infer L> ? L : never;

/** Runs a life; the inputs given, in order. */
function play({ consent, onDenied, lifecycleEvents, pageHidden, steps }: Life, frozen = false): [Tracker, Input[]] {
  const t = boot({ consent, pageHidden, settings: { onDenied, lifecycleEvents } });
  const inputs: Input[] = [];
  let at = 0;
  steps.forEach(([wait, input]) => {
    at += wait;
    const next = input(at);
    inputs.push(next);
    if (frozen) deepFreeze(t.model);
    t.send(...(next as unknown as [keyof Inputs, number, ...[]]));
  });
  return [t, inputs];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) if (typeof v !== 'function') deepFreeze(v);
  }
  return value;
}

/** The enqueued events by session, in the order they were enqueued. */
function bySession(events: WholeEvent[]): Map<string, WholeEvent[]> {
  const sessions = new Map<string, WholeEvent[]>();
  for (const e of events) sessions.set(e.session.sessionId, [...(sessions.get(e.session.sessionId) || []), e]);
  return sessions;
}

describe(`the core under random inputs (seed ${SEED})`, () => {
  const params = { seed: SEED, numRuns: 300 };

  it('never changes the model it is given (every step works on a copy)', () => {
    fc.assert(fc.property(life, (l) => void play(l, true)), params);
  });

  it('gives the same effects for the same inputs', () => {
    fc.assert(
      fc.property(life, (l) => {
        expect(play(l)[0].effects).toEqual(play(l)[0].effects);
      }),
      params,
    );
  });

  it('keeps the session rules: each event once, indices 1, 2, 3… per session, every end reported before the next session, the device kept', () => {
    fc.assert(
      fc.property(life, (l) => {
        const [t] = play(l);
        const events = t.events();
        const ids = events.map((e) => e.eventId);
        expect(new Set(ids).size, 'event ids').toBe(ids.length);
        const sessions = bySession(events);
        for (const [sessionId, list] of sessions) {
          const indices = list.map((e) => e.session.eventIndex);
          // A session's events count 1, 2, 3…, its end included (a session newSession() started too).
          expect(indices, `session ${sessionId}`).toEqual(indices.map((_, i) => i + 1));
          expect(list[0].session.firstEventId).toBe(list[0].name === 'session_end' ? null : list[0].eventId);
          // Its end is its last event.
          const end = list.findIndex((e) => e.name === 'session_end');
          if (end >= 0) expect(end, `session ${sessionId}: events after its end`).toBe(list.length - 1);
        }
        // A session's previous one is the session before it, and was reported over before it began.
        const order = [...sessions.keys()];
        for (let i = 1; i < order.length; i++) {
          const first = sessions.get(order[i])![0];
          if (first.session.userId === NIL) continue;
          const previous = first.session.previousSessionId;
          if (previous === null) continue; // a new device after a withdrawal
          expect(previous).toBe(order[i - 1]);
          expect(sessions.get(previous)!.at(-1)!.name).toBe('session_end');
        }
      }),
      params,
    );
  });

  it('sends nothing while refused or shut down, nothing identifying when anonymous', () => {
    fc.assert(
      fc.property(life, (l) => {
        const [t, inputs] = play(l);
        // Replay, checking each step.
        const r = boot({ consent: l.consent, pageHidden: l.pageHidden, settings: { onDenied: l.onDenied, lifecycleEvents: l.lifecycleEvents } });
        let model: Model = r.model;
        const names: string[] = [];
        for (let input of inputs) {
          const before = model;
          // An event tracked while consent is refused is dropped (no id), and never sent, whatever comes after:
          // it is renamed so that it would be recognised.
          const refused = before.consentMode === 'denied' && (input[0] === 'track' || input[0] === 'page' || input[0] === 'identify');
          if (refused && input[0] === 'track') input = ['track', input[1], 'refused', input[3]];
          const next = step(model, input);
          if (refused) expect(next.event).toBeUndefined();
          model = next.model;
          const sent = next.effects.filter((e) => e[0] === 'enqueue');
          for (const [, entry] of sent) names.push(wholeOf(entry).name);
          if (before.shutDown) expect(next.effects).toEqual([]);
          if (before.consentMode === 'denied' && model.consentMode === 'denied') expect(sent).toEqual([]);
          if (model.consentMode === 'anonymous' && before.consentMode === 'anonymous') {
            for (const [, entry] of sent) expect(JSON.parse(entry.ctx!).session.userId).toBe(NIL);
          }
        }
        expect(model.session).toEqual(t.model.session);
        expect(names.filter((name) => name === 'refused')).toEqual([]);
      }),
      params,
    );
  });

  it("gives the weekday where the visitor is (their offset from UTC), not where the code runs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (at, offset) => {
        expect(weekday(at, offset)).toBe(WEEKDAYS[new Date(at + offset * 60_000).getUTCDay()]);
      }),
      params,
    );
    // 23:30 UTC on Sunday 22 November 2026 is Monday in Paris in winter (+60), still Sunday in New York (-300)
    const at = Date.parse('2026-11-22T23:30:00Z');
    expect([weekday(at, 60), weekday(at, 0), weekday(at, -300)]).toEqual(['Monday', 'Sunday', 'Sunday']);
  });
});
