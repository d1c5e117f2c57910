import { describe, expect, it } from 'vitest';
import { complete, decodeState, encodeState } from '../../src/core/session/state';
import { state } from '../helpers';

describe('the stored value', () => {
  it('round-trips, versioned', () => {
    const s = state({ attributes: { plan: 'pro', n: 2, ok: true, none: null }, utm: { source: 'a', medium: null, campaign: 'c', term: null, content: null } });
    const value = encodeState(s);
    expect(value.startsWith('1.')).toBe(true);
    expect(decodeState(value)).toEqual(s);
  });

  it("the lean value (the cookie's) leaves the visitor out: the business user id, attributes, UTM, last page, the pipeline's id", () => {
    const s = state({
      lastPage: '/checkout/payment',
      businessUserId: 'alice@example.com',
      profileId: 'tracardi-profile-1',
      attributes: { plan: 'pro' },
      attributesAt: 1_700_000_000_500,
      utm: { source: 'newsletter', medium: 'email', campaign: 'spring', term: null, content: null },
    });
    const lean = encodeState(s, true);
    expect(lean.startsWith('2.')).toBe(true);
    for (const text of ['alice', 'tracardi-profile', 'plan', 'newsletter', 'checkout']) expect(lean).not.toContain(text);
    expect(lean.length).toBeLessThan(encodeState(s).length - 150);
    const read = decodeState(lean)!;
    // Every field the session rules read, as it was; the visitor's unknown (undefined) until completed.
    expect(read).toEqual({ ...s, businessUserId: undefined, profileId: undefined, attributes: undefined, attributesAt: undefined, utm: undefined, lastPage: undefined });
  });

  it("complete: the visitor's fields from what is known of the same device (user ids), and of the same session (attributes, UTM)", () => {
    const known = state({ businessUserId: 'alice', profileId: 'p-1', attributes: { plan: 'pro' }, attributesAt: 5, utm: { source: 'a', medium: null, campaign: null, term: null, content: null }, lastPage: '/cart' });
    const lean = decodeState(encodeState(known, true))!;
    // [what is known, what the completed state has of the visitor]
    const cases: [string, ReturnType<typeof state> | null, object][] = [
      ['the same session', known, { businessUserId: 'alice', profileId: 'p-1', attributes: { plan: 'pro' }, attributesAt: 5, utm: known.utm, lastPage: '/cart' }],
      ['another session of the device', { ...known, sessionId: '11111111-1111-4111-8111-111111111111' }, { businessUserId: 'alice', profileId: 'p-1', attributes: {}, utm: null, lastPage: null }],
      ['another device', { ...known, userId: '22222222-2222-4222-8222-222222222222' }, { businessUserId: null, profileId: null, attributes: {}, utm: null, lastPage: null }],
      ['nothing', null, { businessUserId: null, profileId: null, attributes: {}, utm: null, lastPage: null }],
    ];
    for (const [what, with_, visitor] of cases) expect(complete(lean, with_), what).toMatchObject({ ...visitor, sessionId: known.sessionId, eventIndex: known.eventIndex });
    // A whole state is its own.
    expect(complete(known, null)).toBe(known);
  });

  it.each(['foreground_timeout', 'background_timeout', 'max_duration', 'explicit', 'user_changed', 'new_campaign'] as const)('keeps a session ended by %s', (ended) => {
    const s = state({ ended });
    expect(decodeState(encodeState(s))).toEqual(s);
  });

  it('a path too long to be a last page is refused', () => {
    expect(decodeState(encodeState(state({ lastPage: '/' + 'x'.repeat(1000) })))).toBeNull();
  });

  const tampered: [string, unknown][] = [
    ['missing', null],
    ['not a string', 42],
    ['another version', '3.' + encodeState(state()).slice(2)],
    ['a lean value without a session field', '2.' + JSON.stringify({ ...JSON.parse(encodeState(state(), true).slice(2)), e: undefined })],
    ['foreign', 'GA1.2.12345.67890'],
    ['not JSON', '1.{"u":'],
    ['JSON but not an object', '1."hello"'],
    ['a field missing', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), s: undefined })],
    ['a session id that is not a UUID', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), s: 'abc' })],
    ['a negative index', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), i: -1 })],
    ['a zero session index', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), i: 0 })],
    ['an index that is a string', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), e: '3' })],
    ['an unknown end reason', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), x: 'bored' })],
    ['an attribute that is an object', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), a: { x: {} } })],
    ['a time that is NaN', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), l: 'NaN' })],
    ['a time that is not whole milliseconds', '1.' + JSON.stringify({ ...JSON.parse(encodeState(state()).slice(2)), l: 1700000000000.5 })],
  ];
  it.each(tampered)('%s reads as no session, without throwing', (_, value) => {
    expect(decodeState(value)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps only its own fields: a "__proto__" key in a stored value reaches neither the state nor any prototype', () => {
    // JSON.parse makes "__proto__" an own property; copying it with a plain assignment would set the prototype.
    const short = JSON.parse(encodeState(state()).slice(2));
    const value = '1.' + JSON.stringify(short).replace(/^{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
    const decoded = decodeState(value) as unknown as Record<string, unknown>;
    expect(decoded).toEqual(state());
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a field missing is no record (no earlier development snapshot is read: the first release is the first format)', () => {
    for (const key of ['id', 'av', 'lp', 'br', 'g']) {
      const short = JSON.parse(encodeState(state()).slice(2));
      delete short[key];
      expect(decodeState('1.' + JSON.stringify(short)), key).toBeNull();
    }
  });
});
