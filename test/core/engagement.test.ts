/**
 * Engaged time (`engagement: { idle }`, core/engaged/engagement.ts): the rule as tables, with the time in the input. A page
 * starts at 0, visible and focused, its storage open; idle is 5 s unless a row says otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onEngaged } from '../../src/core/engaged/engagement';
import { activity, endSession, track } from '../../src/core/step';
import type { Inputs } from '../../src/core/model';
import { fuzzSeed } from '../seed';
import { state } from '../helpers';
import { boot, MIN, place, type Options, type Tracker } from './harness';

const S = 1000;
const IDLE = 5 * S;

function reading(o: Options = {}): Tracker {
  const t = boot({ newTab: false, ...o, settings: { engagement: { idle: IDLE }, ...o.settings } });
  t.open(0);
  t.send('page', 0, '{}', place('/a'));
  t.take();
  return t;
}

type Step = [type: keyof Inputs, at: number, ...rest: unknown[]];
const act = (at: number): Step => ['activity', at];
const hide = (at: number): Step => ['visibility', at, true];
const show = (at: number): Step => ['visibility', at, false];
const blur = (at: number): Step => ['focus', at, false];
const focus = (at: number): Step => ['focus', at, true];
const route = (at: number, path: string): Step => ['route', at, place(path), 'https://shop.example/a'];
/** Acts every `every` ms from `from` to `to`. */
const acts = (from: number, to: number, every = 2 * S): Step[] => Array.from({ length: Math.floor((to - from) / every) + 1 }, (_, i) => act(from + i * every));

const play = (t: Tracker, steps: Step[]) => {
  for (const [type, at, ...rest] of steps) (t.send as (type: string, at: number, ...rest: unknown[]) => unknown)(type, at, ...rest);
};
/** Each page_engagement: [its page's path, engaged ms, when]. */
const reports = (t: Tracker) =>
  t
    .events()
    .filter((e) => e.name === 'page_engagement')
    .map((e) => [e.context.page.path, e.properties.engaged_ms, Date.parse(e.timestamp)]);

describe('the rule, on one page', () => {
  // [case, what happens after the page view at 0, the page_engagement events: [path, ms, at]]
  const cases: [string, Step[], unknown[][]][] = [
    ['reading with input every 2 s, then 50 s without, then hidden: to the last input + idle', [...acts(2 * S, 10 * S), hide(60 * S)], [['/a', 15 * S, 60 * S]]],
    ['arriving counts as input: a page hidden after 3 s counts 3 s', [hide(3 * S)], [['/a', 3 * S, 3 * S]]],
    ['never visible again: nothing more, no event for a hidden page', [hide(3 * S), ...acts(4 * S, 20 * S), hide(30 * S)], [['/a', 3 * S, 3 * S]]],
    ['hidden time counts 0: shown again at 100 s, hidden at 101 s', [hide(3 * S), act(50 * S), show(100 * S), hide(101 * S)], [['/a', 3 * S, 3 * S], ['/a', 1 * S, 101 * S]]],
    ['a blurred window counts nothing: blur at 5 s, input while blurred, focus at 20 s', [act(4 * S), blur(5 * S), act(8 * S), focus(20 * S), hide(22 * S)], [['/a', 7 * S, 22 * S]]],
    ['idle past the bound: two stretches', [act(20 * S), hide(21 * S)], [['/a', 6 * S, 21 * S]]],
    ['a route change ends the page view: its time, then the next one goes on', [...acts(2 * S, 10 * S), route(10 * S, '/b'), act(12 * S), hide(30 * S)], [['/a', 10 * S, 10 * S], ['/b', 7 * S, 30 * S]]],
    ['a route change after the idle: the next page view starts from it (arriving is an act)', [route(20 * S, '/b'), hide(30 * S)], [['/a', 5 * S, 20 * S], ['/b', 5 * S, 30 * S]]],
    ['the page leaves: its time is sent with the exit', [act(3 * S), ['pagehide', 4 * S, false]], [['/a', 4 * S, 4 * S]]],
    ['a freeze is a hide; the resume a show', [act(1 * S), hide(2 * S), ['resume', 60 * S], show(60 * S), ['reread', 60 * S, null, ''], hide(61 * S)], [['/a', 2 * S, 2 * S], ['/a', 1 * S, 61 * S]]],
    ['a clock that went backwards keeps the stretch', [act(4 * S), act(3 * S), hide(6 * S)], [['/a', 6 * S, 6 * S]]],
    ['shutdown() reports the time so far as its flush begins; nothing after it stops', [act(3 * S), ['shutdown', 4 * S, true], ['shutdown', 5 * S], act(6 * S), hide(7 * S)], [['/a', 4 * S, 4 * S]]],
  ];
  it.each(cases)('%s', (_, steps, expected) => {
    const t = reading();
    play(t, steps);
    expect(reports(t)).toEqual(expected);
  });

  it('a page that starts hidden, or in a window without the focus, counts from when it is shown and focused', () => {
    const hidden = boot({ newTab: false, pageHidden: true, settings: { engagement: { idle: IDLE } } });
    hidden.open(0);
    play(hidden, [['page', 0, '{}', place('/')], act(1 * S), show(10 * S), hide(12 * S)]);
    expect(reports(hidden)).toEqual([['/', 2 * S, 12 * S]]);
    const blurred = boot({ newTab: false, focused: false, settings: { engagement: { idle: IDLE } } });
    blurred.open(0);
    play(blurred, [['page', 0, '{}', place('/')], act(1 * S), focus(10 * S), act(11 * S), hide(12 * S)]);
    expect(reports(blurred)).toEqual([['/', 2 * S, 12 * S]]);
  });

  it('off (the default): no page_engagement, no engaged_ms', () => {
    const t = boot({ newTab: false });
    t.open(0);
    play(t, [['track', 0, 'a', '{}'], act(1 * S), hide(2 * S)]);
    t.send(track, 40 * MIN, 'later', '{}');
    expect(t.names()).not.toContain('page_engagement');
    expect(t.events().find((e) => e.name === 'session_end')!.properties).not.toHaveProperty('engaged_ms');
  });

  it('before the input part has handed the steps (one request at start): the stretch the page started with stays open, a hide meanwhile unseen; the next input after the part settles it, at most idle after the start', () => {
    const t = reading();
    t.model = { ...t.model, parts: [] };
    play(t, [hide(1 * S), show(30 * S)]);
    expect(reports(t)).toEqual([]);
    t.send('part', 30 * S, 'engagement');
    play(t, [act(31 * S), hide(33 * S)]);
    expect(reports(t)).toEqual([['/a', IDLE + 2 * S, 33 * S]]);
    expect(t.model.session!.engaged).toEqual([IDLE + 2 * S, 0, 33 * S]);
  });

  it('before consent: measured, held with the page view, sent in order once consent is granted; a refusal drops it', () => {
    const t = reading({ consent: 'pending' });
    play(t, [act(2 * S), hide(4 * S)]);
    expect(t.names()).toEqual([]);
    t.send('consent', 5 * S, 'granted', 'page', false);
    t.open(5 * S);
    expect(t.names()).toEqual(['session_start', 'page_view', 'page_engagement', 'application_background']);
    expect(t.model.session!.engaged).toEqual([4 * S, 0, 4 * S]);
    const refused = reading({ consent: 'pending' });
    play(refused, [act(2 * S), hide(4 * S)]);
    refused.send('consent', 5 * S, 'denied', 'page', false);
    expect(refused.names()).toEqual([]);
  });
});

describe("the session's engaged time", () => {
  const ended = (t: Tracker) => t.events().find((e) => e.name === 'session_end')!.properties;

  it("a one-page reader's session has the time they read", () => {
    const t = reading();
    play(t, [...acts(2 * S, 3 * MIN), hide(3 * MIN + 30 * S)]);
    t.send(track, 3 * MIN + 31 * MIN, 'back', '{}');
    expect(ended(t)).toMatchObject({ reason: 'background_timeout', engaged_ms: 3 * MIN + IDLE, duration_ms: 3 * MIN + 30 * S });
  });

  it('a wake after the timeout adds nothing to the old session: the stretch ends at its last input + idle, the new one starts', () => {
    const t = reading();
    play(t, [act(2 * S)]);
    // (the laptop slept, the page visible: its next input is two hours later)
    t.send(activity, 2 * 60 * MIN);
    expect(ended(t)).toMatchObject({ reason: 'foreground_timeout', engaged_ms: 2 * S + IDLE, duration_ms: 2 * S + IDLE });
    play(t, [hide(2 * 60 * MIN + 3 * S)]);
    expect(t.model.session!.engaged).toEqual([3 * S, 2 * 60 * MIN, 2 * 60 * MIN + 3 * S]);
    expect(reports(t)).toEqual([['/a', 2 * S + IDLE + 3 * S, 2 * 60 * MIN + 3 * S]]);
  });

  it('newSession() mid-stretch splits it: each session has its part, and the page view all of it', () => {
    const t = reading();
    play(t, [...acts(2 * S, 10 * S)]);
    t.send('newSession', 10 * S);
    play(t, [act(12 * S)]);
    t.send(endSession, 14 * S);
    const [first, second] = t.events().filter((e) => e.name === 'session_end').map((e) => e.properties);
    expect(first).toMatchObject({ reason: 'explicit', engaged_ms: 10 * S, duration_ms: 10 * S });
    expect(second).toMatchObject({ reason: 'explicit', engaged_ms: 4 * S });
    play(t, [hide(15 * S)]);
    expect(reports(t)).toEqual([['/a', 15 * S, 15 * S]]);
  });

  it('the open stretch ends where its idle ran out when a later event finds the session over: in the old session, not the next', () => {
    const t = reading();
    play(t, [act(2 * S)]);
    t.send(track, 2 * S + 31 * MIN, 'back', '{}');
    expect(ended(t)).toMatchObject({ reason: 'foreground_timeout', engaged_ms: 2 * S + IDLE });
    expect(t.model.session!.engaged).toBeNull();
  });
});

describe('onEngaged: a stretch merged into the session, counted once', () => {
  const live = (engaged: [number, number, number] | null, extra = {}) => state({ startedAt: 1000, lastEventAt: 1000, engaged, ...extra });
  // [case, the session's engaged, the stretch, settings' max duration, the session's engaged after] (its lastEventAt is kept: the end of a stretch is no activity)
  const cases: [string, [number, number, number] | null, [number, number], number, [number, number, number] | null][] = [
    ['the first stretch', null, [2000, 7000], 0, [5000, 2000, 7000]],
    ['a later one, apart: the hull spans both', [5000, 2000, 7000], [9000, 10000], 0, [6000, 2000, 10000]],
    ["another tab's, overlapping the last (a window beside this one): the overlap once", [5000, 2000, 7000], [5000, 9000], 0, [7000, 2000, 9000]],
    ['inside the last: nothing more', [5000, 2000, 7000], [3000, 6000], 0, [5000, 2000, 7000]],
    ['before the hull, apart (a tab that reports late): added', [5000, 6000, 11000], [2000, 4000], 0, [7000, 2000, 11000]],
    // (the CI failure of stop 70: a page's stretches split by a slow step, the other tab's one stretch across them)
    ["a late one across two apart: only the gap they left, never the time they had", [7000, 0, 10000], [1000, 11000], 0, [11000, 0, 11000]],
    ['inside the hull, in its gap: added up to the gap', [2000, 2000, 10000], [4000, 7000], 0, [5000, 2000, 10000]],
    ["a record that counts more than its hull (the last stretch's only, before): no gap in it", [9000, 6000, 11000], [7000, 12000], 0, [10000, 6000, 12000]],
    ["before the session's start: only from it", null, [0, 3000], 0, [2000, 1000, 3000]],
    ['past the longest duration: cut there', null, [2000, 9000], 5000, [4000, 2000, 6000]],
  ];
  it.each(cases)('%s', (_, engaged, [from, to], max, after) => {
    const t = { foregroundTimeout: 30 * MIN, backgroundTimeout: 30 * MIN, maxSessionDuration: max };
    expect(onEngaged(live(engaged), from, to, t)?.current).toMatchObject({ engaged: after, lastEventAt: 1000 });
  });
  it('in any order of any stretches: never less than their union, never more than their hull nor their sum (seeded)', () => {
    const seed = fuzzSeed('engaged union');
    const t = { foregroundTimeout: 30 * MIN, backgroundTimeout: 30 * MIN, maxSessionDuration: 0 };
    const stretch = fc.tuple(fc.integer({ min: 1000, max: 60_000 }), fc.integer({ min: 1, max: 20_000 }));
    fc.assert(
      fc.property(fc.array(stretch, { minLength: 1, maxLength: 12 }), (stretches) => {
        let s = live(null);
        for (const [from, length] of stretches) s = onEngaged(s, from, from + length, t)!.current;
        const sorted = stretches.map(([f, l]) => [f, f + l]).sort((x, y) => x[0] - y[0]);
        let union = 0;
        let end = -Infinity;
        for (const [f, e] of sorted) {
          union += Math.max(0, e - Math.max(f, end));
          end = Math.max(end, e);
        }
        const [ms, f, e] = s.engaged!;
        expect(ms).toBeGreaterThanOrEqual(union);
        expect(ms).toBeLessThanOrEqual(e - f);
        expect(ms).toBeLessThanOrEqual(stretches.reduce((sum, [, l]) => sum + l, 0));
        expect([f, e]).toEqual([sorted[0][0], end]);
      }),
      { seed, numRuns: 500 },
    );
  });
  it('none for no session, an ended one, or a stretch wholly before its start', () => {
    const t = { foregroundTimeout: 30 * MIN, backgroundTimeout: 30 * MIN, maxSessionDuration: 0 };
    expect(onEngaged(null, 0, 1000, t)).toBeNull();
    expect(onEngaged(live(null, { ended: 'explicit' }), 2000, 3000, t)).toBeNull();
    expect(onEngaged(live(null, { startedAt: 5000, lastEventAt: 5000 }), 2000, 3000, t)).toBeNull();
  });
});

describe('any sequence of input, focus, visibility, routes and exits (seeded)', () => {
  it("the page views' time never exceeds the time the page was visible and focused; the session's never its span", () => {
    const seed = fuzzSeed('engagement');
    const signal = fc.oneof(
      fc.constant('act'),
      fc.constant('hide'),
      fc.constant('show'),
      fc.constant('blur'),
      fc.constant('focus'),
      fc.constant('route'),
      fc.constant('track'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(signal, fc.integer({ min: 0, max: 40 * MIN })), { maxLength: 60 }), fc.integer({ min: 1000, max: 60_000 }), (signals, idle) => {
        const t = reading({ settings: { engagement: { idle } } });
        let at = 0;
        let hidden = false;
        let focused = true;
        /** the time the page was visible and focused (an upper bound of what it may count) */
        let open = 0;
        let n = 0;
        for (const [what, gap] of signals) {
          const next = at + gap;
          if (!hidden && focused) open += next - at;
          at = next;
          if (what === 'act') t.send(activity, at);
          else if (what === 'hide' || what === 'show') t.send('visibility', at, (hidden = what === 'hide'));
          else if (what === 'blur' || what === 'focus') t.send('focus', at, (focused = what === 'focus'));
          else if (what === 'route') t.send('route', at, place('/r' + n++), 'x');
          else t.send(track, at, 't', '{}');
        }
        if (!hidden && focused) open += 1;
        t.send('pagehide', at + 1, false);
        const counted = t.events().filter((e) => e.name === 'page_engagement');
        const total = counted.reduce((sum, e) => sum + (e.properties.engaged_ms as number), 0);
        expect(total).toBeLessThanOrEqual(open);
        for (const e of counted) expect(e.properties.engaged_ms).toBeGreaterThan(0);
        for (const end of t.events().filter((e) => e.name === 'session_end')) expect(end.properties.engaged_ms).toBeLessThanOrEqual(end.properties.duration_ms as number);
        const s = t.model.session!;
        // (its span: to its last activity, or to the end of its last engaged stretch)
        if (s.engaged) expect(s.engaged[0]).toBeLessThanOrEqual(Math.max(s.lastEventAt, s.engaged[2]) - s.startedAt);
      }),
      { seed, numRuns: 300 },
    );
  });
});
