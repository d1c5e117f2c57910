/**
 * `merge` is a join: commutative, associative and idempotent, so that tabs that heard the same states, in any order and
 * any number of times, hold the same session, and a tab can tell that what it heard adds nothing (answers.ts `stored`:
 * test/sim seed 26719). Proven on a table of states that differ in each field and tie in the others, every pair and
 * triple of it, then on random states drawn from small domains, so that ties are frequent (fast-check, seeded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge } from '../../src/core/session/merge';
import type { SessionState } from '../../src/core/session/state';
import { eventId, state } from '../helpers';
import { fuzzSeed } from '../seed';

const OTHER = '33333333-3333-4333-8333-333333333333';
const UTM = { source: 'news', medium: null, campaign: 'spring', term: null, content: null };

/** [what differs from state(), the state] */
const TABLE: [string, SessionState][] = [
  ['the first event', state()],
  ['a higher count, a later write', state({ eventIndex: 5, rev: 2 })],
  ['later activity, on another page', state({ lastEventAt: 3000, lastPage: '/b' })],
  ['the same activity, on yet another page', state({ lastEventAt: 3000, lastPage: '/a' })],
  ['the background, in a write of the same rev', state({ siteBackground: true, backgroundReported: true })],
  ['the background, in a later write', state({ siteBackground: true, rev: 3 })],
  ['the visitor, a version, a clean exit, in a write of the same rev', state({ businessUserId: 'ann', appVersion: '2', closed: true })],
  ['attributes set later', state({ attributes: { a: 1 }, attributesAt: 2000 })],
  ['other attributes set at the same moment', state({ attributes: { b: 2 }, attributesAt: 2000 })],
  ['an end found', state({ ended: 'explicit' })],
  ['another end found', state({ ended: 'foreground_timeout' })],
  ['a campaign', state({ utm: UTM })],
  ['an earlier first event', state({ firstEventId: eventId(2), firstEventAt: 500 })],
  ['another first event at the same moment', state({ firstEventId: eventId(3) })],
  ['no event yet', state({ firstEventId: null, firstEventAt: null, eventIndex: 0 })],
  ['an earlier start (the same session, found by another tab earlier)', state({ startedAt: 900 })],
  ['engaged time', state({ engaged: [100, 0, 100] })],
  ['as much engaged time, another stretch', state({ engaged: [100, 50, 150] })],
  ["a renewal of the server's copy", state({ copiedAt: 5000 })],
  ["a pipeline's name for the visitor", state({ profileId: 'p-1' })],
  ['the next session', state({ sessionId: OTHER, sessionIndex: 2, previousSessionId: state().sessionId, eventIndex: 1 })],
  ['another session of the same index', state({ sessionId: OTHER, eventIndex: 9, rev: 9 })],
];

describe('merge is a join', () => {
  const states = TABLE.map(([, s]) => s);

  it.each(TABLE)('idempotent: %s merged with itself is itself', (_, a) => {
    expect(merge(a, a)).toEqual(a);
    expect(merge(null, a)).toEqual(a);
  });

  it.each(TABLE)('commutative: %s, with every state of the table', (_, a) => {
    for (const b of states) expect(merge(a, b)).toEqual(merge(b, a));
  });

  it.each(TABLE)('associative: %s, with every pair of the table', (_, a) => {
    for (const b of states) for (const c of states) expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
  });

  it('takes each field from one side or the other: the count and the activity forward, the start and first event back', () => {
    const both = merge(TABLE[1][1], merge(TABLE[2][1], merge(TABLE[12][1], TABLE[15][1])));
    expect(both).toMatchObject({ eventIndex: 5, lastEventAt: 3000, lastPage: '/b', firstEventAt: 500, startedAt: 900, rev: 2 });
  });

  it('holds for random states, ties frequent (fast-check)', () => {
    const ids = [state().sessionId, OTHER];
    const maybe = <T>(...values: T[]) => fc.constantFrom<T | null>(null, ...values);
    const arbitrary: fc.Arbitrary<SessionState> = fc
      .record({
        sessionIndex: fc.constantFrom(1, 2),
        sessionId: fc.constantFrom(...ids),
        userId: fc.constantFrom('11111111-1111-4111-8111-111111111111', '44444444-4444-4444-8444-444444444444'),
        previousSessionId: maybe(...ids),
        first: fc.constantFrom<[string | null, number | null]>([null, null], [eventId(1), 1000], [eventId(2), 1000], [eventId(3), 900]),
        eventIndex: fc.integer({ min: 0, max: 3 }),
        startedAt: fc.constantFrom(900, 1000),
        lastEventAt: fc.constantFrom(1000, 2000),
        siteBackground: fc.boolean(),
        backgroundReported: maybe(true, false),
        ended: maybe<SessionState['ended']>('explicit', 'foreground_timeout'),
        attributes: fc.constantFrom<SessionState['attributes']>({}, { a: 1 }, { b: 'x' }),
        attributesAt: fc.constantFrom(1000, 2000),
        utm: maybe(UTM, { ...UTM, source: 'mail' }),
        lastPage: maybe('/a', '/b'),
        businessUserId: maybe('ann', 'bob'),
        profileId: maybe('p-1', 'p-2'),
        appVersion: maybe('1', '2'),
        closed: fc.boolean(),
        rev: fc.integer({ min: 0, max: 2 }),
        engaged: maybe<[number, number, number]>([100, 0, 100], [100, 50, 150], [300, 0, 300]),
        copiedAt: maybe(1000, 2000),
      })
      .map(({ first: [firstEventId, firstEventAt], ...rest }) => ({ ...rest, firstEventId, firstEventAt }));
    fc.assert(
      fc.property(arbitrary, arbitrary, arbitrary, (a, b, c) => {
        expect(merge(a, a)).toEqual(a);
        expect(merge(a, b)).toEqual(merge(b, a));
        expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
      }),
      { seed: fuzzSeed('merge is a join'), numRuns: 2000 },
    );
  });
});
