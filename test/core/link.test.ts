/**
 * Cross-domain continuity's decisions (src/core/session/link.ts, landing.ts): what a link carries, when the landing page takes it
 * (fresh, well formed, its check that of its fields in this browser), what the landing page's session becomes, and when
 * a link is decorated at all. The page's side
 * (decoration at the click, the parameter out of the URL) is e2e/lifecycle.spec.ts "crossDomain…".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adopt, linkCheck, readLink } from '../../src/core/session/landing';
import { LINK_MAX_AGE, linkFor, linkValue } from '../../src/core/session/link';
import { decodeState, encodeState } from '../../src/core/session/state';
import { state } from '../helpers';
import { fuzzSeed } from '../seed';
import { boot, MIN, place } from './harness';
import { track } from '../../src/core/step';
import { LINK_WAIT } from '../../src/core/answers';
import { page } from '../../src/core/session/site';

const NOW = 1_700_000_000_000;
/** The browser the links are made and followed in (its user agent and language: lifecycle/links.ts `browserOf`). */
const HERE = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 en-US';
/** A link as the links part decorates it (lifecycle/decorate.ts): the fields, and their check in `browser`. */
const decorated = (s: ReturnType<typeof state>, at: number, browser = HERE) => {
  const fields = linkValue(s, at);
  return fields + '.' + linkCheck(fields, browser);
};
const THERE = state({ userId: '33333333-3333-4333-8333-333333333333', sessionId: '44444444-4444-4444-8444-444444444444', sessionIndex: 3, eventIndex: 12, startedAt: NOW - 10 * MIN, lastEventAt: NOW - 3 * MIN });

describe('readLink: what a link followed now says', () => {
  const value = (at: number, s = THERE) => decorated(s, at);
  // [case, the value, taken]
  const cases: [string, string | null, boolean][] = [
    ['decorated at the click, followed now', value(NOW - 800), true],
    ['two minutes old: still fresh', value(NOW - LINK_MAX_AGE), true],
    ['a millisecond past two minutes: stale (copied, shared, bookmarked)', value(NOW - LINK_MAX_AGE - 1), false],
    ['decorated a second ahead (the click and this start on one clock): taken', value(NOW + 1000), true],
    ['from the future: not ours', value(NOW + 1001), false],
    ['a device id that is no UUID', value(NOW).replace(THERE.userId, 'x'.repeat(36)), false],
    ['a part missing', value(NOW).split('.').slice(1).join('.'), false],
    ['a part more', value(NOW) + '.1', false],
    ['no check (the fields alone)', linkValue(THERE, NOW), false],
    ['the check of another browser (a link pasted into a chat, an e-mail, another device)', decorated(THERE, NOW, HERE.replace('Chrome/156', 'Chrome/155')), false],
    ['the check of another language', decorated(THERE, NOW, HERE.replace('en-US', 'fr-FR')), false],
    ['a number that is not one', value(NOW).replace('.12.', '.1e3.'), false],
    ['activity after the decoration', decorated({ ...THERE, lastEventAt: NOW }, NOW - 1), false],
    ['session index 0', decorated({ ...THERE, sessionIndex: 0 }, NOW), false],
    ['none', null, false],
    ["Google's _gl", '1*abc*_ga*MTIzNDU2.*_ga_X*MTY4', false],
  ];
  it.each(cases)('%s', (_, v, taken) => {
    const link = readLink(v, NOW, HERE);
    expect(!!link).toBe(taken);
    if (link) expect(link).toMatchObject({ userId: THERE.userId, sessionId: THERE.sessionId, sessionIndex: 3, eventIndex: 12, startedAt: THERE.startedAt, lastEventAt: THERE.lastEventAt });
  });

  it('every change of one character: no link (each position of the value, each character a URL could carry there)', () => {
    const v = value(NOW - 800);
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEF.-_~%';
    let tried = 0;
    for (let i = 0; i < v.length; i++)
      for (const c of alphabet) {
        if (c === v[i]) continue;
        tried++;
        expect(readLink(v.slice(0, i) + c + v.slice(i + 1), NOW, HERE), `${i}: ${c}`).toBeNull();
      }
    expect(tried).toBeGreaterThan(100 * 46);
  });

  it('any text (seeded): null or a link within its bounds, never a throw; any session round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[\da-z.-]{0,130}$/)), (v) => {
        const link = readLink(v, NOW, HERE);
        if (link) expect(NOW - link.at).toBeLessThanOrEqual(LINK_MAX_AGE);
      }),
      { seed: fuzzSeed('readLink text'), numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), fc.uuid({ version: 4 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(LINK_MAX_AGE), (userId, sessionId, sessionIndex, eventIndex, ago) => {
        const s = { ...THERE, userId, sessionId, sessionIndex, eventIndex, startedAt: NOW - ago - 10, lastEventAt: NOW - ago };
        expect(readLink(decorated(s, NOW - ago), NOW, HERE)).toEqual({ userId, sessionId, sessionIndex, eventIndex, startedAt: s.startedAt, lastEventAt: s.lastEventAt, at: NOW - ago });
      }),
      { seed: fuzzSeed('readLink round trip'), numRuns: 300 },
    );
  });
});

describe('adopt: the session the landing page goes on in', () => {
  const link = readLink(decorated(THERE, NOW - 500), NOW, HERE)!;
  it("nothing on this domain: the link's visitor and session, its count (one past: the page it left takes that one at its exit) and activity; what only the other domain saw is not claimed", () => {
    const s = adopt(null, link);
    expect(s).toMatchObject({ userId: THERE.userId, sessionId: THERE.sessionId, sessionIndex: 3, eventIndex: 13, startedAt: THERE.startedAt, lastEventAt: THERE.lastEventAt, ended: null, firstEventId: null, utm: null, previousSessionId: null, businessUserId: null });
    // a state like any other: stored, read back the same
    expect(decodeState(encodeState(s))).toEqual(s);
  });

  // [case, what this domain kept, the adopted session's eventIndex, its business user id]
  const cases: [string, ReturnType<typeof state>, number, string | null][] = [
    ['the same session, further on here: the later count', { ...THERE, eventIndex: 20, businessUserId: 'alice' }, 20, 'alice'],
    ['the same session, behind: the link\'s count', { ...THERE, eventIndex: 4, businessUserId: 'alice' }, 13, 'alice'],
    ['another session of the same device: the link\'s, the user ids kept', { ...THERE, sessionId: '55555555-5555-4555-8555-555555555555', eventIndex: 40, businessUserId: 'alice' }, 13, 'alice'],
    ['another device (this domain knew another visitor id): the link\'s, nothing of the other', state({ businessUserId: 'bob', eventIndex: 40 }), 13, null],
  ];
  it.each(cases)('%s', (_, found, eventIndex, user) => {
    const s = adopt(found, link);
    expect([s.userId, s.sessionId, s.eventIndex, s.businessUserId]).toEqual([THERE.userId, THERE.sessionId, eventIndex, user]);
  });
});

describe('a page that lands with a link (the core: Start.link, adopted when storage answers)', () => {
  // [case, consent, what storage found, the first event's session is the link's]
  const cases: [string, 'granted' | 'pending' | 'denied', boolean][] = [
    ['granted: the first event goes on in the link\'s session, counting on', 'granted', true],
    ['refused, anonymous: nothing of the link (nothing identifying)', 'denied', false],
  ];
  it.each(cases)('%s', (_, consent, joined) => {
    const t = boot({ newTab: false, at: NOW, consent, settings: { onDenied: 'anonymous' }, link: [decorated(THERE, NOW - 500), HERE] });
    t.open(NOW);
    t.send(track, NOW + 10, 'landed', '{}');
    const landed = t.events().find((e) => e.name === 'landed')!;
    expect(landed.session.sessionId === THERE.sessionId).toBe(joined);
    if (joined) expect([landed.session.userId, landed.session.eventIndex, t.names()]).toEqual([THERE.userId, 14, ['landed']]);
  });

  it("a landing page whose link names a campaign, with newSessionOnCampaign: the link's session goes on, with that campaign", () => {
    const t = boot({ newTab: false, at: NOW, link: [decorated(THERE, NOW - 500), HERE], place: place('/landing?utm_source=shop&utm_campaign=cross'), settings: { newSessionOnCampaign: true } });
    t.send(page, NOW + 5, '{}', place('/landing?utm_source=shop&utm_campaign=cross'));
    t.open(NOW + 10);
    expect(t.names()).toEqual(['page_view']);
    expect([t.events()[0].session.sessionId, t.events()[0].context.utm.campaign]).toEqual([THERE.sessionId, 'cross']);
  });

  // [case, what ends the wait, the landing page goes on in the link's session]
  const waits: [string, (t: ReturnType<typeof boot>) => void, boolean][] = [
    ['the links part comes: the link is taken', (t) => t.send('part', NOW + 800, 'landing'), true],
    ['it is late (LINK_WAIT): a fresh start', (t) => t.send('late', NOW + 3000, 'landing'), false],
    ['the page is hidden first (it may never come back): a fresh start', (t) => t.send('visibility', NOW + 900, true), false],
    ['the page leaves first: a fresh start', (t) => t.send('pagehide', NOW + 900, false), false],
  ];
  it.each(waits)('a landing page whose storage answers before its links part (it waits at most 3 s): %s, and what it held runs then', (_, end, joined) => {
    const t = boot({ newTab: false, at: NOW, link: [decorated(THERE, NOW - 500), HERE] });
    t.model = { ...t.model, parts: [] };
    t.open(NOW + 10);
    expect(t.take().filter((e) => e[0] === 'await')).toEqual([['await', 'landing', LINK_WAIT]]);
    const id = t.send(track, NOW + 20, 'landed', '{}');
    expect(t.names()).toEqual([]);
    end(t);
    // (a late `late` after the part came, or after the page went on, changes nothing)
    t.send('late', NOW + 3000, 'landing');
    const landed = t.events().find((e) => e.name === 'landed')!;
    expect(landed.eventId).toBe(id);
    expect(landed.session.userId === THERE.userId).toBe(joined);
    expect(t.model.linked).toBeNull();
  });

  it('a link made in another browser: a fresh start', () => {
    const t = boot({ newTab: false, at: NOW, link: [decorated(THERE, NOW - 500), HERE.replace('en-US', 'de')] });
    t.open(NOW);
    t.send(track, NOW + 10, 'landed', '{}');
    expect(t.names()).toEqual(['session_start', 'landed']);
    expect(t.events()[1].session.userId).not.toBe(THERE.userId);
  });

  it('a stale link: a fresh start', () => {
    const t = boot({ newTab: false, at: NOW, link: [decorated(THERE, NOW - LINK_MAX_AGE - 1), HERE] });
    t.open(NOW);
    t.send(track, NOW + 10, 'landed', '{}');
    expect(t.names()).toEqual(['session_start', 'landed']);
    expect(t.events()[1].session.userId).not.toBe(THERE.userId);
  });
});

describe('linkFor: what a link to another domain carries now', () => {
  it('with consent and a live session: its value; pending, refused, or the session over: none', () => {
    const t = boot({ newTab: false, at: NOW });
    t.open(NOW);
    t.send(track, NOW + 1, 'a', '{}');
    const fields = linkFor(t.model, NOW + 2)!;
    expect(readLink(fields + '.' + linkCheck(fields, HERE), NOW + 2, HERE)).toMatchObject({ sessionId: t.model.session!.sessionId, eventIndex: 2, at: NOW + 2 });
    expect(linkFor(t.model, NOW + 31 * MIN)).toBeNull();
    expect(linkFor(boot({ consent: 'pending' }).model, NOW)).toBeNull();
  });
});
