/**
 * The session for the site's own requests (src/core/session/headers.ts): `sessionHeaders()` in the page, and `readSession` on a
 * server, which must decide the end of a session exactly as the browser does (the timeouts' boundaries, a fake clock);
 * the server's copy of the session (`serverCookie`): when the page sends it, and what the endpoint answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COPY_EVERY, copyDue } from '../../src/core/session/copy';
import { copyAnswer, readSession, SESSION_HEADER, sessionHeaders } from '../../src/core/session/headers';
import { complete, decodeState, encodeState } from '../../src/core/session/state';
import { currentSession, track } from '../../src/core/step';
import { visibility } from '../../src/core/session/site';
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

describe("the server's copy (serverCookie): renewed when the page is hidden or leaves, at most once a day per device", () => {
  /** A page with a live session, its last event at T0 + 1, the copy part come. */
  const page = (consent: 'granted' | 'pending' | 'denied' = 'granted', onDenied: 'drop' | 'anonymous' = 'drop', mechanism = 'COOKIE_1') => {
    const t = boot({ newTab: false, at: T0, consent, settings: { onDenied } });
    t.open(T0, null, mechanism);
    t.send('part', T0, 'copy');
    t.send(track, T0 + 1, 'a', '{}');
    t.take();
    return t;
  };
  const copies = (t: ReturnType<typeof page>) => t.take().filter((e) => e[0] === 'copy');
  const DAY = COPY_EVERY;

  it('a hide sends the lean session, as sessionHeaders gives it, and records it in the session (every tab of the device sees it)', () => {
    const t = page();
    t.send(visibility, T0 + 2, true);
    const sent = copies(t);
    expect(sent).toEqual([['copy', sessionHeaders(t.model, T0 + 2)[SESSION_HEADER]]]);
    expect(t.model.session!.copiedAt).toBe(T0 + 2);
    expect(decodeState(decodeURIComponent(sent[0][1] as string))!.copiedAt).toBe(T0 + 2);
  });

  // [case, the session's last renewal (ms before the hide), due]
  const cases: [string, number | null, boolean][] = [
    ['never renewed on this device (a first visit, a device whose storage was cleared): due', null, true],
    ['renewed by this device less than a day ago (this page, another tab, an earlier page): not due', DAY - 1, false],
    ['a day ago, to the ms: due', DAY, true],
  ];
  it.each(cases)('%s', (_, ago, due) => {
    const t = page();
    t.model = { ...t.model, session: { ...t.model.session!, copiedAt: ago === null ? null : T0 + 2 - ago } };
    t.send(visibility, T0 + 2, true);
    expect(copies(t).length).toBe(due ? 1 : 0);
  });

  it('once a day: a page hidden and shown again sends nothing more, nor does its exit; a day later it does', () => {
    const t = page();
    t.send(visibility, T0 + 2, true);
    t.send(visibility, T0 + 3, false);
    t.send(track, T0 + 4, 'b', '{}');
    t.send(visibility, T0 + 5, true);
    t.send('pagehide', T0 + 6, false);
    expect(copies(t)).toHaveLength(1);
    t.send(visibility, T0 + DAY, false);
    t.send(track, T0 + DAY + 1, 'c', '{}');
    t.send(visibility, T0 + DAY + 2, true);
    expect(copies(t)).toHaveLength(1);
  });

  it('never before the copy part has come', () => {
    const t = page();
    t.model = { ...t.model, parts: [] };
    t.send(visibility, T0 + 2, true);
    expect(copies(t)).toEqual([]);
  });

  // [case, consent, onDenied]
  const never: [string, 'pending' | 'denied', 'drop' | 'anonymous'][] = [
    ['consent pending', 'pending', 'drop'],
    ['refused', 'denied', 'drop'],
    ['refused, anonymous', 'denied', 'anonymous'],
  ];
  it.each(never)('never: %s', (_, consent, onDenied) => {
    expect(copyDue(page(consent, onDenied).model, T0 + 2)).toBe(false);
  });

  it('never for a session that is over (the next event starts another)', () => {
    expect(copyDue(page().model, T0 + 31 * MIN)).toBe(false);
  });

  it.each(['INDEXED_DB', 'MEMORY', 'my-store'])('never where the session is not in the cookie (%s): the server could not set one either, or the store is the site\'s own', (mechanism) => {
    expect(copyDue(page('granted', 'drop', mechanism).model, T0 + 2)).toBe(false);
  });
});

describe("copyAnswer: the serverCookie endpoint's answer (stint/collector's handlers carry it out)", () => {
  const whole = state({ businessUserId: 'alice@example.com', attributes: { plan: 'pro' }, lastEventAt: T0 });
  const cookieValue = (answer: { headers: Record<string, string> }) => decodeURIComponent(/^_stint_srv=([^;]*)/.exec(answer.headers['Set-Cookie'])![1]);

  it('POST of a lean value, as the page sends it: 204, the cookie set from the server for 400 days, host-only, Lax, not HttpOnly', () => {
    const answer = copyAnswer('POST', encodeURIComponent(encodeState(whole, true)), {}, false);
    expect(answer.status).toBe(204);
    expect(answer.headers['Set-Cookie']).toMatch(/^_stint_srv=[^;]+; Path=\/; Max-Age=34560000; SameSite=Lax$/);
    expect(decodeState(cookieValue(answer))).toMatchObject({ userId: whole.userId, sessionId: whole.sessionId, eventIndex: whole.eventIndex, lastEventAt: T0 });
    expect(answer.headers['Cache-Control']).toBe('no-store');
  });

  it("the cookie holds the lean fields only, as the server wrote them again: a whole record's visitor fields are not kept", () => {
    const value = cookieValue(copyAnswer('POST', encodeURIComponent(encodeState(whole)), {}, false));
    expect(value.startsWith('2.')).toBe(true);
    for (const text of ['alice', 'plan', 'pro']) expect(value).not.toContain(text);
  });

  it('the options: name, Domain, Max-Age, Secure (by default when the request came over https)', () => {
    const body = encodeURIComponent(encodeState(whole, true));
    expect(copyAnswer('POST', body, { name: 'sid', domain: 'example.com', maxAgeDays: 30 }, true).headers['Set-Cookie']).toMatch(/^sid=[^;]+; Path=\/; Max-Age=2592000; SameSite=Lax; Domain=example.com; Secure$/);
    expect(copyAnswer('POST', body, { secure: false }, true).headers['Set-Cookie']).not.toContain('Secure');
  });

  it('DELETE (consent withdrawn): 204 and the cookie expired', () => {
    expect(copyAnswer('DELETE', '', {}, false)).toEqual({ status: 204, headers: { 'Cache-Control': 'no-store', 'Set-Cookie': '_stint_srv=; Path=/; Max-Age=0; SameSite=Lax' } });
  });

  // [case, method, body, status]
  const refused: [string, string, string, number][] = [
    ['an empty body', 'POST', '', 400],
    ['a foreign value', 'POST', 'GA1.2.3.4', 400],
    ['a tampered session', 'POST', encodeURIComponent('2.{"u":"not-a-uuid"}'), 400],
    ['malformed escapes', 'POST', '2.%E0%A4%A', 400],
    ['too long to be a session', 'POST', encodeURIComponent(encodeState(whole, true)) + 'x'.repeat(2000), 400],
    ['another method', 'GET', '', 405],
  ];
  it.each(refused)('sets nothing for %s', (_, method, body, status) => {
    const answer = copyAnswer(method, body, {}, false);
    expect(answer.status).toBe(status);
    expect(answer.headers['Set-Cookie']).toBeUndefined();
  });

  it('any body (seeded): 400 and nothing set, or 204 and a cookie that reads back as a lean session; never a throw', () => {
    const session = encodeURIComponent(encodeState(whole, true));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => '2.' + s), fc.string().map((s) => session.slice(0, -s.length - 1) + encodeURIComponent(s)), fc.constant(session)), (body) => {
        const answer = copyAnswer('POST', body, {}, false);
        if (answer.status === 400) {
          expect(answer.headers['Set-Cookie']).toBeUndefined();
        } else {
          expect(answer.status).toBe(204);
          expect(decodeState(cookieValue(answer))).not.toBeNull();
          expect(cookieValue(answer).startsWith('2.')).toBe(true);
        }
      }),
      { seed: fuzzSeed('copyAnswer'), numRuns: 500 },
    );
  });
});

describe("after a purge, the server's copy: the device and the count come back, never an index of the copied session", () => {
  /**
   * A device whose session `S` the server copied at its day's first hide (event 3 at T0), then went on (events 4 to 7),
   * or ended and started the next one; then Safari's purge: the next visit finds only the copy.
   */
  const copied = (overrides = {}) => complete(decodeState(encodeState(state({ eventIndex: 3, startedAt: T0 - MIN, lastEventAt: T0, ...overrides }), true))!, null);

  // [case, the copy, when the next visit comes after the copy's last event]
  const cases: [string, ReturnType<typeof copied>, number][] = [
    ['within the timeouts (the session may have gone on after the copy)', copied(), 10 * MIN],
    ['past them', copied(), 40 * MIN],
    ['a copy of a session that had ended (endSession): the one after it may have run since', copied({ ended: 'explicit' }), 10 * MIN],
  ];
  it.each(cases)('%s: the next session, its index after the copy\'s, the copied one its previous; no session_end of it', (_, copy, after) => {
    const t = boot({ newTab: false, at: T0 + after });
    t.send('opened', T0 + after, null, 'COOKIE_1', false, copy);
    t.send(track, T0 + after + 1, 'after the purge', '{}');
    const [start, event] = t.events();
    expect(t.names()).toEqual(['session_start', 'after the purge']);
    expect(start.session).toMatchObject({ userId: copy.userId, sessionIndex: copy.sessionIndex + 1, previousSessionId: copy.sessionId, eventIndex: 1 });
    expect(start.properties.reason).toBe('restored');
    // (a fresh id: the session the device started after the copy's, if it did, is derived from the copy's values)
    expect(start.session.sessionId).not.toBe(copy.sessionId);
    const rolled = boot({ newTab: false, at: T0 + 40 * MIN });
    rolled.open(T0 + 40 * MIN, { ...copy, ended: null });
    rolled.send(track, T0 + 40 * MIN + 1, 'x', '{}');
    expect(start.session.sessionId).not.toBe(rolled.events().find((e) => e.name === 'session_start')!.session.sessionId);
    expect(event.session.sessionId).toBe(start.session.sessionId);
  });

  it('the cookie, the mirror or IndexedDB first: the copy is read only where they hold nothing', () => {
    const t = boot({ newTab: false, at: T0 + MIN });
    const kept = state({ eventIndex: 7, startedAt: T0 - MIN, lastEventAt: T0 + 30_000 });
    t.send('opened', T0 + MIN, kept, 'COOKIE_1', false, copied());
    t.send(track, T0 + MIN + 1, 'a', '{}');
    expect(t.events().map((e) => [e.name, e.session.sessionId, e.session.eventIndex])).toEqual([['a', kept.sessionId, 8]]);
  });
});
