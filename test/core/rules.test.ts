import { describe, expect, it } from 'vitest';
import { ACTIVITY_EVERY, endReason, expire, onActivity, onEvent, onVisibility, restart, sampled, stop } from '../../src/core/session/rules';
import { merge } from '../../src/core/session/merge';
import { MIN, T, eventId, fixedIds, state } from '../helpers';

const S0 = state(); // one event at t=1000, foreground

describe('onEvent: the session rules of the README', () => {
  // [case, previous state, now, background after the event, new session?, reason reported]
  const cases: [string, ReturnType<typeof state> | null, number, boolean, boolean, string | null][] = [
    ['first event of the device', null, 5000, false, true, null],
    ['inside the foreground timeout', S0, 1000 + 30 * MIN - 1, false, false, null],
    ['exactly at the foreground timeout', S0, 1000 + 30 * MIN, false, false, null],
    ['just past the foreground timeout', S0, 1000 + 30 * MIN + 1, false, true, 'foreground_timeout'],
    ['background gap inside the background timeout', state({ siteBackground: true }), 1000 + 5 * MIN, true, false, null],
    ['background gap just past the background timeout', state({ siteBackground: true }), 1000 + 5 * MIN + 1, true, true, 'background_timeout'],
    ['a foreground gap is not judged by the shorter background timeout', S0, 1000 + 6 * MIN, true, false, null],
    ['coming to the foreground is judged by the background that ended', state({ siteBackground: true }), 1000 + 6 * MIN, false, true, 'background_timeout'],
    ['going to the background is judged by the foreground that ended', S0, 1000 + 6 * MIN, true, false, null],
    ['a clock that went backwards', S0, 1000 - 10 * MIN, false, false, null],
    ['a clock that went far backwards', S0, 0, false, false, null],
    ['an ended session is never continued', state({ ended: 'explicit' }), 1001, false, true, null],
  ];

  it.each(cases)('%s', (_, prev, now, background, isNew, reason) => {
    const { current: next, ending: ended } = onEvent(prev, now, eventId(9), background, null, '/', T, fixedIds());
    expect(next.sessionId !== prev?.sessionId).toBe(isNew);
    expect(ended?.reason ?? null).toBe(reason);
    expect(next.lastEventAt).toBe(now);
    expect(next.siteBackground).toBe(background);
    if (isNew) {
      expect(next.sessionIndex).toBe((prev?.sessionIndex ?? 0) + 1);
      expect(next.previousSessionId).toBe(prev?.sessionId ?? null);
      expect(next.eventIndex).toBe(1);
      expect(next.firstEventId).toBe(eventId(9));
      expect(next.firstEventAt).toBe(now);
      expect(next.startedAt).toBe(now);
      // The device id outlives sessions; the device's first session draws a fresh one (the ids' first random UUID).
      expect(next.userId).toBe(prev ? prev.userId : '00000000-0000-4000-8000-000000000001');
    } else {
      expect(next.sessionIndex).toBe(prev!.sessionIndex);
      expect(next.eventIndex).toBe(prev!.eventIndex + 1);
      expect(next.firstEventId).toBe(prev!.firstEventId);
      expect(next.firstEventAt).toBe(prev!.firstEventAt);
      expect(next.startedAt).toBe(prev!.startedAt);
      expect(next.sessionId).toBe(prev!.sessionId);
    }
  });

  it('a clock that went backwards never yields a negative gap, a crash, or an expiry later on its own', () => {
    const back = onEvent(S0, 0, eventId(2), false, null, '/', T, fixedIds()).current;
    expect(back.lastEventAt).toBe(0);
    // the gap is measured from the new clock from now on
    expect(onEvent(back, 30 * MIN, eventId(3), false, null, '/', T, fixedIds()).current.sessionId).toBe(S0.sessionId);
    expect(onEvent(back, 30 * MIN + 1, eventId(3), false, null, '/', T, fixedIds()).ending?.reason).toBe('foreground_timeout');
  });

  it('the ids, indexes and first-event fields across three sessions', () => {
    const ids = fixedIds();
    let s = onEvent(null, 0, eventId(1), false, null, '/', T, ids).current;
    const first = s;
    s = onEvent(s, 1 * MIN, eventId(2), false, null, '/', T, ids).current;
    s = onEvent(s, 2 * MIN, eventId(3), false, null, '/', T, ids).current;
    expect([s.sessionIndex, s.eventIndex, s.firstEventId, s.firstEventAt]).toEqual([1, 3, eventId(1), 0]);
    const second = onEvent(s, 40 * MIN, eventId(4), false, null, '/', T, ids);
    expect(second.ending?.session.sessionId).toBe(first.sessionId);
    expect(second.ending?.session.eventIndex).toBe(3);
    s = onEvent(second.current, 41 * MIN, eventId(5), false, null, '/', T, ids).current;
    expect(s).toMatchObject({ sessionIndex: 2, previousSessionId: first.sessionId, eventIndex: 2, firstEventId: eventId(4), firstEventAt: 40 * MIN });
    const secondId = s.sessionId;
    const third = onEvent(s, 80 * MIN, eventId(6), false, null, '/', T, ids).current;
    expect(third).toMatchObject({ sessionIndex: 3, previousSessionId: secondId, eventIndex: 1, firstEventId: eventId(6), firstEventAt: 80 * MIN });
    expect(third.userId).toBe(first.userId);
    expect(new Set([first.sessionId, secondId, third.sessionId]).size).toBe(3);
  });

  it('two tabs that find the same session over start the same session', () => {
    const a = onEvent(S0, 40 * MIN, eventId(7), false, null, '/', T, fixedIds());
    const b = onEvent(S0, 40 * MIN + 5, eventId(8), false, null, '/', T, fixedIds());
    expect(a.current.sessionId).toBe(b.current.sessionId);
    expect(a.current.sessionIndex).toBe(2);
    expect(a.ending).toEqual(b.ending);
  });

  it('a new session keeps the landing UTM and the device fields', () => {
    const utm = { source: 'news', medium: 'email', campaign: null, term: null, content: null };
    const prev = state({ businessUserId: 'u-1', appVersion: '2.0.0', closed: true });
    const next = onEvent(prev, 40 * MIN, eventId(2), false, utm, '/', T, fixedIds()).current;
    expect(next.utm).toEqual(utm);
    expect(next).toMatchObject({ businessUserId: 'u-1', appVersion: '2.0.0', closed: true });
    // ...and a continued session keeps its own landing UTM, not the page's
    expect(onEvent(next, 41 * MIN, eventId(3), false, null, '/', T, fixedIds()).current.utm).toEqual(utm);
  });

  it('maxSessionDuration ends an active session', () => {
    const t = { ...T, maxSessionDuration: 60 * MIN };
    let s = S0;
    for (let m = 10; m <= 60; m += 10) s = onEvent(s, 1000 + m * MIN, eventId(m), false, null, '/', t, fixedIds()).current;
    expect(s.sessionId).toBe(S0.sessionId);
    const over = onEvent(s, 1000 + 60 * MIN + 1, eventId(99), false, null, '/', t, fixedIds());
    expect(over.ending?.reason).toBe('max_duration');
    expect(over.current.sessionIndex).toBe(2);
  });
});

describe('session attributes and ends', () => {
  it('an ended session reports its attributes; the next one starts without them', () => {
    const prev = state({ attributes: { plan: 'pro' } });
    const step = onEvent(prev, 40 * MIN, eventId(2), false, null, '/', T, fixedIds());
    expect(step.ending?.session.attributes).toEqual({ plan: 'pro' });
    expect(step.current.attributes).toEqual({});
  });

  it('attributes set after an end belong to the next session', () => {
    const ended = stop(state({ attributes: { plan: 'pro' } }), 2000);
    expect(ended.ending?.reason).toBe('explicit');
    const withNew = { ...ended.current, attributes: { cart: 1 }, attributesAt: 3000 };
    expect(onEvent(withNew, 4000, eventId(2), false, null, '/', T, fixedIds()).current.attributes).toEqual({ cart: 1 });
  });

  // [reason given, reason reported and kept]
  it.each([[undefined, 'explicit'], ['explicit', 'explicit'], ['user_changed', 'user_changed']] as const)('stop(%s) ends the session now, reported as %s, and the state says so', (given, reason) => {
    const { current, ending } = stop(S0, 2000, given);
    expect([ending?.reason, ending?.session, current.ended, current.attributesAt]).toEqual([reason, S0, reason, 2000]);
    // The next event starts the next session, whatever the reason.
    expect(onEvent(current, 2500, eventId(2), false, null, '/', T, fixedIds()).current.sessionIndex).toBe(S0.sessionIndex + 1);
  });

  it('stop twice reports once', () => {
    const once = stop(S0, 2000);
    expect(stop(once.current, 3000).ending).toBeNull();
  });

  it('expire reports a session that is over and leaves a live one alone', () => {
    expect(expire(S0, 2000, T)).toEqual({ current: S0, ending: null });
    const over = expire(S0, 1000 + 31 * MIN, T);
    expect(over.ending?.reason).toBe('foreground_timeout');
    expect(over.current.ended).toBe('foreground_timeout');
    expect(endReason(over.current, 0, T)).toBe('foreground_timeout');
  });
});

describe('newSession (restart)', () => {
  it('ends the current session as explicit and starts the next one at once', () => {
    const { current: next, ending: ended } = restart(S0, 5000, false, null, fixedIds());
    expect(ended?.reason).toBe('explicit');
    expect(next).toMatchObject({ sessionIndex: 2, previousSessionId: S0.sessionId, eventIndex: 0, firstEventId: null, firstEventAt: null });
    const after = onEvent(next, 6000, eventId(5), false, null, '/', T, fixedIds()).current;
    expect(after).toMatchObject({ sessionId: next.sessionId, eventIndex: 1, firstEventId: eventId(5), firstEventAt: 6000 });
  });

  it('on a device without a session, starts the first one', () => {
    const { current: next, ending: ended } = restart(null, 5000, false, null, fixedIds());
    expect(ended).toBeNull();
    expect(next.sessionIndex).toBe(1);
  });
});

describe('onVisibility (lifecycle events off)', () => {
  it('is judged by the state that ended and restarts the gap', () => {
    const hidden = onVisibility(S0, 1000 + 10 * MIN, true, T)!;
    expect(hidden.ending).toBeNull();
    expect(hidden.current).toMatchObject({ lastEventAt: 1000 + 10 * MIN, siteBackground: true, eventIndex: 1 });
    const back = onVisibility(hidden.current, 1000 + 16 * MIN, false, T)!;
    expect(back.ending?.reason).toBe('background_timeout');
    expect(back.current.ended).toBe('background_timeout');
    expect(onVisibility(null, 0, true, T)).toBeNull();
  });
});

describe("onActivity (activity: 'input')", () => {
  // [case, state, the input's time, the next lastEventAt (null: nothing to write), reason reported, a new session]
  const cases: [string, ReturnType<typeof state> | null, number, number | null, string | null, boolean][] = [
    ['no session yet: the first event starts it', null, 5000, null, null, false],
    ['within 5 s of the last activity: nothing to write', S0, 1000 + ACTIVITY_EVERY - 1, null, null, false],
    ['5 s after: the gap starts again', S0, 1000 + ACTIVITY_EVERY, 1000 + ACTIVITY_EVERY, null, false],
    ['29 minutes after: the gap starts again', S0, 1000 + 29 * MIN, 1000 + 29 * MIN, null, false],
    ['past the foreground timeout: reported, the next session starts now', S0, 1000 + 30 * MIN + 1, 1000 + 30 * MIN + 1, 'foreground_timeout', true],
    ['past the background timeout after a background gap', state({ siteBackground: true }), 1000 + 30 * MIN + 1, 1000 + 30 * MIN + 1, 'background_timeout', true],
    ['a session already reported over: the next one starts', state({ ended: 'explicit' }), 2000, 2000, null, true],
  ];
  it.each(cases)('%s', (_, prev, at, lastEventAt, reason, fresh) => {
    const outcome = onActivity(prev, at, false, null, T, fixedIds());
    if (lastEventAt === null) return expect(outcome).toBeNull();
    expect(outcome!.ending?.reason ?? null).toBe(reason);
    // No event: the index stays (a new session has none yet), and the site is in the foreground (a person's input).
    expect(outcome!.current).toMatchObject({ lastEventAt, siteBackground: false, ended: null, eventIndex: fresh ? 0 : prev!.eventIndex });
    expect(outcome!.current.sessionIndex).toBe(prev!.sessionIndex + (fresh ? 1 : 0));
    if (fresh) expect([outcome!.current.previousSessionId, outcome!.current.firstEventId]).toEqual([prev!.sessionId, null]);
  });
});

describe('sampled (sampleRate)', () => {
  // [session id, rate, sends]
  const cases: [string, number, boolean][] = [
    ['00000000-0000-4000-8000-000000000000', 0, false],
    ['00000000-0000-4000-8000-000000000000', 0.01, true],
    ['ffffffff-ffff-4fff-bfff-ffffffffffff', 1, true],
    ['ffffffff-ffff-4fff-bfff-ffffffffffff', 0.99, false],
    ['7fffffff-0000-4000-8000-000000000000', 0.5, true],
    ['80000000-0000-4000-8000-000000000000', 0.5, false],
    ['3fffffff-0000-4000-8000-000000000000', 0.25, true],
    ['40000000-0000-4000-8000-000000000000', 0.25, false],
  ];
  it.each(cases)('%s at %s: %s', (id, rate, sends) => expect(sampled(id, rate)).toBe(sends));

  it('keeps the share it is given, over many random ids', () => {
    const ids = fixedIds();
    const n = 4000;
    const kept = Array.from({ length: n }, (_, i) => ids.derive(`session/${i}`)).filter((id) => sampled(id, 0.3)).length;
    // (derived ids are hashes: uniform first 32 bits; 4,000 draws at 0.3 stay within ±3 standard deviations, ~±0.022)
    expect(Math.abs(kept / n - 0.3)).toBeLessThan(0.025);
  });
});

describe('merge', () => {
  it('the same session: highest index, latest activity, earliest first event, latest attributes', () => {
    const mine = state({ eventIndex: 5, lastEventAt: 5000, attributes: { a: 1 }, attributesAt: 4000 });
    const theirs = state({ eventIndex: 7, lastEventAt: 4000, attributes: { b: 2 }, attributesAt: 4500, closed: true });
    const merged = merge(mine, theirs);
    expect(merged).toMatchObject({ eventIndex: 7, lastEventAt: 5000, attributes: { b: 2 }, closed: true });
    expect(merge(theirs, mine)).toMatchObject({ eventIndex: 7, lastEventAt: 5000 });
  });

  it('the later write (higher rev) knows the site state, even when clocks disagree', () => {
    const mine = state({ rev: 5, lastEventAt: 5000, siteBackground: false, eventIndex: 4 });
    const theirs = state({ rev: 6, lastEventAt: 4990, siteBackground: true, eventIndex: 5 });
    expect(merge(mine, theirs)).toMatchObject({ siteBackground: true, lastEventAt: 5000, rev: 6, eventIndex: 5 });
    expect(merge(theirs, mine)).toMatchObject({ siteBackground: true, lastEventAt: 5000, rev: 6 });
  });

  it('different sessions: the later one wins, whichever side it is on', () => {
    const older = state();
    const newer = state({ sessionId: '33333333-3333-4333-8333-333333333333', sessionIndex: 2, previousSessionId: older.sessionId });
    expect(merge(older, newer).sessionId).toBe(newer.sessionId);
    expect(merge(newer, older).sessionId).toBe(newer.sessionId);
  });

  it('an end found by one tab is kept', () => {
    expect(merge(S0, { ...S0, ended: 'explicit' }).ended).toBe('explicit');
    expect(merge({ ...S0, ended: 'explicit' }, S0).ended).toBe('explicit');
  });

  it('nothing yet: theirs', () => {
    expect(merge(null, S0)).toBe(S0);
  });
});
