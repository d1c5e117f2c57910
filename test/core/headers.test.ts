/**
 * The session for the site's own requests (src/core/headers.ts): `sessionHeaders()` in the page, and `readSession` on a
 * server, which must decide the end of a session exactly as the browser does (the timeouts' boundaries, a fake clock).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSession, SESSION_HEADER, sessionHeaders } from '../../src/core/headers';
import { encodeState } from '../../src/core/state';
import { currentSession, track } from '../../src/core/step';
import { visibility } from '../../src/core/site';
import { state } from '../helpers';
import { fuzzSeed } from '../seed';
import { boot, MIN } from './harness';

const T0 = 1_700_000_000_000;

describe('sessionHeaders: what the page gives its own requests', () => {
  it('with consent and a live session: baggage with session.id, and the session as the cookie holds it', () => {
    const t = boot({ newTab: false, at: T0 });
    t.open(T0);
    t.send(track, T0 + 1, 'a', '{}');
    const headers = sessionHeaders(t.model, T0 + 2);
    const s = currentSession(t.model, T0 + 2)!;
    expect(headers.baggage).toBe(`session.id=${s.sessionId}`);
    expect(readSession(headers[SESSION_HEADER], T0 + 2)).toEqual({ userId: s.userId, sessionId: s.sessionId, sessionIndex: 1, eventIndex: 2, startedAt: T0 + 1, lastEventAt: T0 + 1, ended: null });
    // (a header is Latin-1: the value is URI-encoded)
    expect(headers[SESSION_HEADER]).toMatch(/^[\w.~!*'()%-]+$/);
  });

  // [case, consent, onDenied, the session over]
  const none: [string, 'granted' | 'pending' | 'denied', 'drop' | 'anonymous', boolean][] = [
    ['consent pending', 'pending', 'drop', false],
    ['refused, anonymous (nothing identifying)', 'denied', 'anonymous', false],
    ['the session over (past the timeout)', 'granted', 'drop', true],
  ];
  it.each(none)('none: %s', (_, consent, onDenied, over) => {
    const t = boot({ newTab: false, at: T0, consent, settings: { onDenied } });
    t.open(T0);
    t.send(track, T0 + 1, 'a', '{}');
    expect(sessionHeaders(t.model, over ? T0 + 31 * MIN : T0 + 2)).toEqual({});
  });
});

describe('readSession: a server reads the cookie or the header as the browser would', () => {
  const lean = (overrides = {}) => encodeURIComponent(encodeState(state({ lastEventAt: T0, startedAt: T0 - MIN, ...overrides }), true));
  // [case, what the state says, the time read after its last event, the timeouts given, the end]
  const cases: [string, object, number, object, string | null][] = [
    ['the foreground timeout, to the ms: alive', {}, 30 * MIN, {}, null],
    ['a ms past it: over', {}, 30 * MIN + 1, {}, 'foreground_timeout'],
    ['the site in the background: its own timeout', { siteBackground: true }, 5 * MIN + 1, { backgroundTimeout: 5 * MIN }, 'background_timeout'],
    ["the site's shorter foreground timeout", {}, 10 * MIN + 1, { foregroundTimeout: 10 * MIN }, 'foreground_timeout'],
    ['the longest session', {}, MIN, { maxSessionDuration: 90_000 }, 'max_duration'],
    ['ended in the page (endSession)', { ended: 'explicit' }, 0, {}, 'explicit'],
    ['a clock behind the page: alive', {}, -MIN, {}, null],
  ];
  it.each(cases)('%s', (_, overrides, after, timeouts, ended) => {
    expect(readSession(lean(overrides), T0 + after, timeouts)?.ended).toBe(ended);
  });

  it('as the browser stores the cookie (some characters left unescaped) and as the whole record; null for anything else', () => {
    const cookie = encodeURIComponent(encodeState(state(), true)).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent);
    expect(readSession(cookie, T0)?.sessionId).toBe(state().sessionId);
    expect(readSession(encodeState(state()), T0)?.sessionId).toBe(state().sessionId);
    for (const bad of ['', 'GA1.2.3.4', '2.%E0%A4%A', '2.{"u":1}']) expect(readSession(bad, T0)).toBeNull();
  });

  it('any text (seeded): a session or null, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => '2.' + s), fc.string().map((s) => '2.' + encodeURIComponent(s))), (value) => {
        const read = readSession(value, T0);
        expect(read === null || typeof read.sessionId === 'string').toBe(true);
      }),
      { seed: fuzzSeed('readSession'), numRuns: 500 },
    );
  });

  it('the page and a server agree at the boundary: the page finds the session over exactly when readSession does', () => {
    const t = boot({ newTab: false, at: T0, settings: { backgroundTimeout: 5 * MIN } });
    t.open(T0);
    t.send(track, T0 + 1, 'a', '{}');
    t.send(visibility, T0 + 2, true);
    const value = sessionHeaders(t.model, T0 + 3)[SESSION_HEADER];
    for (const at of [T0 + 2 + 5 * MIN, T0 + 3 + 5 * MIN]) expect(readSession(value, at, { backgroundTimeout: 5 * MIN })!.ended === null).toBe(currentSession(t.model, at) !== null);
  });
});
