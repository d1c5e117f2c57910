/**
 * The session rules applied to each call (src/core/record.ts): session_end, newSession / endSession,
 * identify, attributes, what another tab or the store says, and what getSession answers.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { currentSession, dueToEnd } from '../../src/core/step';
import { decodeState, encodeState } from '../../src/core/session/state';
import { state } from '../helpers';
import { boot, kinds, MIN, type Options } from './harness';
import { activity, attribute, endSession, identify, newSession, track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { profile, stored } from '../../src/core/answers';
import { page, visibility } from '../../src/core/session/site';
import { place } from './harness';

function running(o: Options = {}) {
  const t = boot({ newTab: false, ...o });
  t.open(0);
  t.take();
  return t;
}

describe('session_end', () => {
  // [case, settings, the gap, site in the background during it, reason]
  const cases: [string, Options['settings'], number, boolean, string][] = [
    ['past the foreground timeout', {}, 30 * MIN + 1, false, 'foreground_timeout'],
    ['past the background timeout', { backgroundTimeout: 5 * MIN }, 5 * MIN + 1, true, 'background_timeout'],
    ['past the longest session', { maxSessionDuration: 10 * MIN, foregroundTimeout: 60 * MIN }, 10 * MIN + 1, false, 'max_duration'],
  ];
  it.each(cases)('%s: reported before the next event, in the old session, at its last activity', (_, settings, gap, background, reason) => {
    const t = running({ settings });
    t.send(track, 1000, 'a', '{}');
    t.send(attribute, 2000, 'plan', 'pro', false);
    t.send(track, 3000, 'b', '{}');
    // (going to the background is activity too: application_background, at 3000)
    if (background) t.send(visibility, 3000, true);
    const cId = t.send(track, 3000 + gap, 'c', '{}');
    const [b, end, start, c] = t.events().filter((e) => e.name !== 'application_background').slice(-4);
    expect([end.name, start.name]).toEqual(['session_end', 'session_start']);
    // The first session was announced by its own session_start: the device's first.
    const [first] = t.events();
    expect([first.name, first.session.sessionId, first.session.eventIndex, first.properties.reason, first.properties.previous_session_id]).toEqual(['session_start', b.session.sessionId, 1, 'first', null]);
    expect(end.properties).toEqual({ session_id: b.session.sessionId, reason, duration_ms: 2000, event_count: b.session.eventIndex + (background ? 1 : 0), attributes: { plan: 'pro' }, exit_page: '/' });
    expect(end.session.sessionId).toBe(b.session.sessionId);
    expect(Date.parse(end.timestamp)).toBe(3000);
    expect(end.timestamp).toBe(b.timestamp);
    // The next session starts with its session_start (its first event, at its start: the event that opened it), then that event.
    expect(start.properties).toEqual({ session_id: c.session.sessionId, previous_session_id: b.session.sessionId, session_index: 2, reason, entry_page: '/', referrer: 'https://search.example/', utm: null });
    expect([start.session.eventIndex, start.session.firstEventId, start.eventId, Date.parse(start.timestamp)]).toEqual([1, start.eventId, start.session.firstEventId, 3000 + gap]);
    expect(c.session).toMatchObject({ sessionIndex: 2, previousSessionId: b.session.sessionId, eventIndex: 2, firstEventId: start.eventId });
    // Another session of the same visitor: a new session id, the same user id; tracked where the page was.
    expect(c.session.sessionId).not.toBe(b.session.sessionId);
    expect(c.session.userId).toBe(b.session.userId);
    expect(c.context.visibility).toBe(background ? 'background' : 'foreground');
    expect(c.eventId).toBe(cId);
    expect(c.sessionAttributes).toEqual({});
  });

  // [case, settings, the inputs (at, an event or this page hidden), the events' session indices, the ends' reasons]
  const gaps: [string, Options['settings'], [number, 'event' | 'hidden'][], number[], string[]][] = [
    ['in the foreground, a gap past the background timeout but within the foreground one: the same session', { backgroundTimeout: 5 * MIN }, [[1000, 'event'], [1000 + 6 * MIN, 'event']], [1, 1], []],
    [
      'the page hidden, the same gap: the next event, in the background, opens session 2 (background_timeout)',
      { backgroundTimeout: 5 * MIN },
      [[1000, 'event'], [1000 + 6 * MIN, 'event'], [1000 + 6 * MIN, 'hidden'], [1000 + 12 * MIN, 'event']],
      [1, 1, 2],
      ['background_timeout'],
    ],
    ['the page hidden, a gap of just the background timeout: the same session', { backgroundTimeout: 5 * MIN }, [[1000, 'event'], [1000, 'hidden'], [1000 + 5 * MIN, 'event']], [1, 1], []],
    [
      'an event every 4 minutes past maxSessionDuration (10): the session ends although still active, the event past it opens session 2',
      { maxSessionDuration: 10 * MIN },
      [[1000, 'event'], [1000 + 4 * MIN, 'event'], [1000 + 8 * MIN, 'event'], [1000 + 12 * MIN, 'event']],
      [1, 1, 1, 2],
      ['max_duration'],
    ],
  ];
  it.each(gaps)('a gap is judged by the state the site was in; %s', (_, settings, inputs, sessions, reasons) => {
    const t = running({ settings });
    let hidden = false;
    const tracked: string[] = [];
    for (const [at, input] of inputs) {
      if (input === 'hidden') t.send(visibility, at, (hidden = true));
      else tracked.push(t.send(track, at, `e${tracked.length}`, '{}')!);
      if (input === 'event') expect(t.events().at(-1)!.context.visibility, `event at ${at}`).toBe(hidden ? 'background' : 'foreground');
    }
    const events = tracked.map((id) => t.events().find((e) => e.eventId === id)!);
    expect(events.map((e) => e.session.sessionIndex)).toEqual(sessions);
    const first = events[0].session;
    const ends = t.events().filter((e) => e.name === 'session_end');
    expect(ends.map((e) => [e.properties.reason, e.properties.session_id])).toEqual(reasons.map((r) => [r, first.sessionId]));
    const starts = t.events().filter((e) => e.name === 'session_start');
    expect(starts.map((e) => e.properties.reason)).toEqual(['first', ...reasons]);
    for (const e of events.filter((e) => e.session.sessionIndex === 2)) expect([e.session.previousSessionId, e.session.userId]).toEqual([first.sessionId, first.userId]);
  });

  it('its id is derived from the session, so tabs that find the same end report one event', () => {
    const one = running();
    const two = running();
    for (const t of [one, two]) {
      t.send(track, 1000, 'a', '{}');
      t.send(track, 1000 + 31 * MIN, 'b', '{}');
    }
    const ends = [one, two].map((t) => t.events().find((e) => e.name === 'session_end')!);
    expect(ends[0].eventId).toBe(ends[1].eventId);
  });

  it('a session found over when the page starts is reported then; the next session waits for an event', () => {
    const found = state({ lastEventAt: 1000, eventIndex: 7, closed: true });
    const t = boot({ at: 1000 + 31 * MIN, newTab: false });
    t.open(1000 + 31 * MIN, found);
    expect(t.names()).toEqual(['session_end']);
    expect(t.model.session!.ended).toBe('foreground_timeout');
    expect(currentSession(t.model, 1000 + 31 * MIN)).toBeNull();
  });

  // [case, the calls after the first event (`event`: another event), the events they send: [name, session index, reason, time],
  //  what getSession() answers after them, the next event's session]
  type Call = 'endSession' | 'newSession' | 'event';
  const calls: [string, Call[], [string, number, string | null, number][], object | null, object][] = [
    ['endSession(): the end (explicit) is reported at once; no session until the next event, which opens the next', ['endSession'], [['session_end', 1, 'explicit', 1000]], null, { sessionIndex: 2, eventIndex: 2 }],
    ['endSession() twice: one end', ['endSession', 'endSession'], [['session_end', 1, 'explicit', 1000]], null, { sessionIndex: 2, eventIndex: 2 }],
    [
      'newSession(): the end (explicit) is reported, and the next session starts, at once (no event yet)',
      ['newSession'],
      [['session_end', 1, 'explicit', 1000], ['session_start', 2, 'explicit', 2000]],
      { sessionIndex: 2, eventIndex: 1 },
      { sessionIndex: 2, eventIndex: 2 },
    ],
    [
      'endSession(), an event, then newSession(): each ends the session of the moment',
      ['endSession', 'event', 'newSession'],
      [['session_end', 1, 'explicit', 1000], ['session_start', 2, 'explicit', 3000], ['b', 2, null, 3000], ['session_end', 2, 'explicit', 3000], ['session_start', 3, 'explicit', 4000]],
      { sessionIndex: 3, eventIndex: 1 },
      { sessionIndex: 3, eventIndex: 2 },
    ],
  ];
  it.each(calls)('%s', (_, made, sent, now, next) => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    const from = t.events().length;
    made.forEach((call, i) => {
      if (call === 'event') t.send(track, 2000 + i * 1000, 'b', '{}');
      else t.send(call, 2000 + i * 1000);
    });
    const events = t.events().slice(from);
    expect(events.map((e) => [e.name, e.session.sessionIndex, e.properties.reason ?? null, Date.parse(e.timestamp)])).toEqual(sent);
    // Each end is in the session it ends; each next session follows it.
    for (const [i, e] of events.entries()) {
      if (e.name === 'session_end') expect(e.properties.session_id).toBe(e.session.sessionId);
      if (e.name === 'session_start') expect([e.properties.previous_session_id, e.session.previousSessionId, e.session.eventIndex]).toEqual([events[i - 1].session.sessionId, events[i - 1].session.sessionId, 1]);
    }
    const at = 2000 + made.length * 1000;
    const ended = events.filter((e) => e.name === 'session_end').at(-1)!.session;
    if (now) expect(currentSession(t.model, at)).toMatchObject({ ...now, previousSessionId: ended.sessionId });
    else expect(currentSession(t.model, at)).toBeNull();
    t.send(track, at + 1000, 'next', '{}');
    expect(t.events().at(-1)!.session).toMatchObject({ ...next, previousSessionId: ended.sessionId });
  });
});

describe('session_start', () => {
  it('the first session of the device: its first event, reason first, no previous session', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    const [start, a] = t.events();
    expect([start.name, start.properties, start.session.eventIndex, a.session.eventIndex]).toEqual([
      'session_start',
      { session_id: a.session.sessionId, previous_session_id: null, session_index: 1, reason: 'first', entry_page: '/', referrer: 'https://search.example/', utm: null },
      1,
      2,
    ]);
    expect(a.session.firstEventId).toBe(start.eventId);
  });

  it('after endSession(): reason explicit, sent with the next event', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    t.send(endSession, 2000);
    expect(t.names()).toEqual(['session_start', 'a', 'session_end']);
    t.send(track, 3000, 'b', '{}');
    expect(t.events().slice(-2).map((e) => [e.name, e.properties.reason ?? null, Date.parse(e.timestamp)])).toEqual([['session_start', 'explicit', 3000], ['b', null, 3000]]);
  });

  it('after a withdrawal and a new grant: reason consent, a new device (no previous session)', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    t.send(consent, 2000, 'denied', 'page', false);
    t.send(consent, 3000, 'granted', 'page', false);
    t.open(3000);
    t.send(track, 4000, 'b', '{}');
    const start = t.events().filter((e) => e.name === 'session_start').at(-1)!;
    expect(start.properties).toMatchObject({ previous_session_id: null, session_index: 1, reason: 'consent' });
  });

  it('its id is derived from the session, so tabs that start the same session send one', () => {
    const one = running();
    one.send(track, 1000, 'a', '{}');
    // Another tab, whose own ids differ, that heard this session.
    const two = running({ seed: [5, 6, 7, 8] });
    two.send(stored, 1500, encodeState(one.model.session!));
    for (const t of [one, two]) t.send(track, 1000 + 31 * MIN, 'b', '{}');
    const started = (t: ReturnType<typeof running>) => t.events().filter((e) => e.name === 'session_start').at(-1)!;
    expect(started(two).session.sessionIndex).toBe(2);
    expect([started(two).eventId, started(two).session.sessionId]).toEqual([started(one).eventId, started(one).session.sessionId]);
    expect(two.events().filter((e) => e.name === 'b')[0].eventId).not.toBe(one.events().filter((e) => e.name === 'b')[0].eventId);
  });
});

describe('one next session, whatever each tab saw of the last one', () => {
  it('a tab whose held calls went on in the session starts the same next one as a tab that saw less (test/sim seed 5117)', () => {
    const one = running();
    one.send(track, 1000, 'a', '{}');
    const two = running({ seed: [5, 6, 7, 8] });
    two.send(stored, 1500, encodeState(one.model.session!));
    // (the second tab's own activity, which the first never heard, moves its last activity on)
    two.send(track, 20_000, 'later', '{}');
    for (const t of [one, two]) t.send(track, 20_000 + 31 * MIN, 'b', '{}');
    const started = (t: ReturnType<typeof running>) => t.events().filter((e) => e.name === 'session_start').at(-1)!;
    expect(started(two).session.sessionIndex).toBe(2);
    expect([started(two).eventId, started(two).session.sessionId]).toEqual([started(one).eventId, started(one).session.sessionId]);
  });
});

describe('where a session enters and leaves the site, and the campaign that opened it', () => {
  const spring = { source: 'news', medium: 'email', campaign: 'spring', term: null, content: null };
  const summer = { ...spring, campaign: 'summer' };
  const landing = (campaign: string) => place(`/landing?utm_source=news&utm_medium=email&utm_campaign=${campaign}`);

  it('session_start names the path, referrer and campaign of the page it began on; session_end the path of its last event, wherever its end is found', () => {
    const t = running();
    t.send(page, 1000, '{}', landing('spring'), 'https://mail.example/');
    t.send(page, 2000, '{}', place('/cart'));
    t.send(track, 3000, 'checkout', '{}');
    // Found over on another page, 31 minutes later: the exit page is where the last event was.
    t.send(page, 3000 + 31 * MIN, '{}', place('/blog'), 'https://other.example/');
    const starts = t.events().filter((e) => e.name === 'session_start');
    const [end] = t.events().filter((e) => e.name === 'session_end');
    expect(starts[0].properties).toMatchObject({ entry_page: '/landing', referrer: 'https://mail.example/', utm: spring });
    expect(end.properties).toMatchObject({ reason: 'foreground_timeout', exit_page: '/cart' });
    // (the next session: a page without a campaign)
    expect(starts[1].properties).toMatchObject({ entry_page: '/blog', referrer: 'https://other.example/', utm: null });
  });

  it('a session opened by a call held for consent begins on the page of that call, not the page where consent came', () => {
    const t = boot({ newTab: false, consent: 'pending' });
    t.send(page, 1000, '{}', landing('spring'), 'https://mail.example/');
    t.send(page, 2000, '{}', place('/pricing'));
    t.send(consent, 3000, 'granted', 'page', false);
    t.open(3000);
    const [start] = t.events();
    expect([start.name, start.properties.entry_page, start.properties.utm, start.context.page.path]).toEqual(['session_start', '/landing', spring, '/landing']);
  });

  // [case, newSessionOnCampaign, the landing's campaign (null: none), the next page's, a new session]
  const cases: [string, boolean, string | null, string | null, boolean][] = [
    ['off: another campaign keeps the session', false, 'spring', 'summer', false],
    ['on: another campaign starts the next session', true, 'spring', 'summer', true],
    ['on: the same campaign again (a reload of the landing page) keeps it', true, 'spring', 'spring', false],
    ['on: a page without a campaign keeps it', true, 'spring', null, false],
    ['on: a campaign after a session without one starts the next', true, null, 'summer', true],
  ];
  it.each(cases)('newSessionOnCampaign %s', (_, on, first, next, fresh) => {
    const t = running({ settings: { newSessionOnCampaign: on } });
    t.send(page, 1000, '{}', first ? landing(first) : place('/'));
    t.send(page, 2000, '{}', next ? landing(next) : place('/about'));
    const names = t.names();
    expect(names).toEqual(fresh ? ['session_start', 'page_view', 'session_end', 'session_start', 'page_view'] : ['session_start', 'page_view', 'page_view']);
    if (!fresh) return;
    const [, , end, start, view] = t.events();
    expect([end.properties.reason, end.properties.exit_page, start.properties.reason, start.properties.utm]).toEqual(['new_campaign', first ? '/landing' : '/', 'new_campaign', summer]);
    expect([start.session.sessionIndex, view.session.sessionId, view.context.utm]).toEqual([2, start.session.sessionId, summer]);
  });

  it('on: two tabs of two campaigns do not take turns ending it: a tab judges the campaign once, at its page view', () => {
    const a = running({ settings: { newSessionOnCampaign: true } });
    a.send(page, 1000, '{}', landing('spring'));
    const b = running({ seed: [5, 6, 7, 8], settings: { newSessionOnCampaign: true } });
    b.send(stored, 1500, encodeState(a.model.session!));
    b.send(page, 2000, '{}', landing('summer'));
    // A hears B's session, and goes on in it: its later events start nothing.
    a.send(stored, 2500, encodeState(b.model.session!));
    a.send(track, 3000, 'more', '{}');
    expect(a.names().filter((n) => n.startsWith('session_'))).toEqual(['session_start']);
    expect(a.events().at(-1)!.session.sessionId).toBe(b.model.session!.sessionId);
    expect(b.names().filter((n) => n.startsWith('session_'))).toEqual(['session_end', 'session_start']);
  });

  it('on: a page view held for storage is judged by the session storage answers with', () => {
    const t = boot({ newTab: false, settings: { newSessionOnCampaign: true } });
    t.send(page, 1000, '{}', landing('summer'));
    t.open(1000, state({ utm: spring, lastEventAt: 900, lastPage: '/landing' }));
    const ends = t.events().filter((e) => e.name === 'session_end');
    expect(ends.map((e) => [e.properties.reason, e.properties.exit_page])).toEqual([['new_campaign', '/landing']]);
  });
});

describe('sampleRate', () => {
  it('an unsampled session is kept and timed as usual, its end too, but nothing of it is enqueued', () => {
    const t = running({ settings: { sampleRate: 0 } });
    t.send(track, 1000, 'a', '{}');
    t.send(track, 1000 + 31 * MIN, 'b', '{}');
    expect(kinds(t.take()).filter((k) => k === 'enqueue')).toEqual([]);
    expect(currentSession(t.model, 1000 + 31 * MIN)).toMatchObject({ sessionIndex: 2, eventIndex: 2 });
    const all = running({ settings: { sampleRate: 1 } });
    all.send(track, 1000, 'a', '{}');
    all.send(track, 1000 + 31 * MIN, 'b', '{}');
    expect(all.names()).toEqual(['session_start', 'a', 'session_end', 'session_start', 'b']);
  });
});

describe("the person's input (activity: 'input')", () => {
  it('keeps the session alive without an event, written at most once per 5 s; past the timeout the next session starts', () => {
    const t = running();
    t.send(track, 1000, 'read', '{}');
    const first = t.events().at(-1)!.session;
    t.take();
    // [the input's time, the effects it asks for]
    const inputs: [number, string[]][] = [
      [1000 + 4000, []],
      [1000 + 20 * MIN, ['save']],
      [1000 + 20 * MIN + 1000, []],
      [1000 + 40 * MIN, ['save']],
    ];
    for (const [at, effects] of inputs) {
      t.send(activity, at);
      expect(kinds(t.take()), `input at ${at}`).toEqual(effects);
    }
    t.send(track, 1000 + 60 * MIN, 'still reading', '{}');
    expect(t.events().at(-1)!.session).toMatchObject({ sessionId: first.sessionId, eventIndex: 3 });
    t.send(activity, 1000 + 91 * MIN);
    const [end, start] = t.events().slice(-2);
    expect([end.name, end.properties.reason, end.properties.duration_ms]).toEqual(['session_end', 'foreground_timeout', 60 * MIN]);
    // The input opened the next session: its session_start, at the input.
    expect([start.name, start.properties.reason, Date.parse(start.timestamp)]).toEqual(['session_start', 'foreground_timeout', 1000 + 91 * MIN]);
    expect(currentSession(t.model, 1000 + 91 * MIN)).toMatchObject({ sessionIndex: 2, previousSessionId: first.sessionId, eventIndex: 1 });
  });

  it('is not held while consent is pending, and does nothing once refused', () => {
    const t = boot({ consent: 'pending' });
    t.send(activity, 1000);
    expect([t.take(), t.model.hold]).toEqual([[], { calls: null, events: 0, chars: 0 }]);
    const refused = boot({ consent: 'denied' });
    refused.take();
    refused.send(activity, 1000);
    expect(refused.take()).toEqual([]);
  });
});

describe('identify', () => {
  it('keeps the business user id with the session, across sessions, until identify(null)', () => {
    const t = running();
    t.send(identify, 1000, 'user-7', '{"plan":"pro"}');
    const event = t.events().at(-1)!;
    expect([event.name, event.user.id, event.properties]).toEqual(['identify', 'user-7', { plan: 'pro' }]);
    t.send(track, 1000 + 40 * MIN, 'later', '{}');
    expect(t.events().at(-1)!.user.id).toBe('user-7');
    t.send(identify, 1000 + 41 * MIN, null, '{}');
    t.send(track, 1000 + 42 * MIN, 'anonymous again', '{}');
    expect(t.events().at(-1)!.user.id).toBeNull();
  });

  // [case, the user before, identify(...), traits refused, whether the session ends]
  const changes: [string, string | null, string | null, boolean, boolean][] = [
    ['another user', 'user-a', 'user-b', false, true],
    ['no user after one (a logout)', 'user-a', null, false, true],
    ['another user, traits refused (no identify event)', 'user-a', 'user-b', true, true],
    ['the same user again', 'user-a', 'user-a', false, false],
    ['a first login mid-visit', null, 'user-a', false, false],
    ['still nobody', null, null, false, false],
  ];
  it.each(changes)('%s: the session ends (user_changed) exactly when the user changes', (_, before, after, refused, ends) => {
    const t = running();
    if (before) t.send(identify, 1000, before, '{}');
    t.send(track, 2000, 'browse', '{}');
    const sent = t.events().length;
    const first = t.events().at(-1)!;
    t.send(identify, 3000, after, refused ? null : '{}');
    t.send(track, 4000, 'next', '{}');
    const after1 = t.events().slice(sent);
    expect(after1.map((e) => e.name)).toEqual([...(ends ? ['session_end', 'session_start'] : []), ...(refused ? [] : ['identify']), 'next']);
    const next = after1.at(-1)!;
    expect(next.user.id).toBe(after);
    // The identify event itself: with the new user, in the session of the moment (the next one when the user changed).
    if (!refused) expect(after1.filter((e) => e.name === 'identify').map((e) => [e.user.id, e.session.sessionIndex])).toEqual([[after, ends ? 2 : 1]]);
    if (!ends) {
      expect(next.session.sessionId).toBe(first.session.sessionId);
      return;
    }
    // Reported in the old session, with its user, at its last activity; the next session follows it.
    const end = after1[0];
    expect([end.session.sessionId, end.user.id, end.timestamp]).toEqual([first.session.sessionId, before, new Date(2000).toISOString()]);
    expect(end.properties).toMatchObject({ session_id: first.session.sessionId, reason: 'user_changed', event_count: first.session.eventIndex });
    expect([next.session.sessionIndex, next.session.previousSessionId, next.session.userId]).toEqual([2, first.session.sessionId, first.session.userId]);
    // The next session's session_start says why: with the new user (the first event after the change opened it).
    const start = after1[1];
    expect([start.properties.reason, start.user.id, start.session.sessionIndex]).toEqual(['user_changed', after, 2]);
  });

  it('a first login, another user, then a logout: each change ends the session of the moment, in it, with its user', () => {
    const t = running();
    t.send(track, 1000, 'browse', '{}');
    // [identify(...), the index of the session of the moment after it]
    const logins: [string | null, number][] = [
      ['user-a', 1],
      ['user-b', 2],
      [null, 3],
    ];
    let was = currentSession(t.model, 1000)!;
    for (const [i, [user, index]] of logins.entries()) {
      t.send(identify, 2000 + i * 1000, user, '{}');
      const session = currentSession(t.model, 2000 + i * 1000)!;
      expect(session.sessionIndex, String(user)).toBe(index);
      // The same session (a first login), or the next one after it.
      if (index === was.sessionIndex) expect(session.sessionId).toBe(was.sessionId);
      else expect(session.previousSessionId).toBe(was.sessionId);
      was = session;
    }
    const ends = t.events().filter((e) => e.name === 'session_end');
    expect(ends.map((e) => [e.properties.reason, e.user.id, e.session.sessionIndex])).toEqual([
      ['user_changed', 'user-a', 1],
      ['user_changed', 'user-b', 2],
    ]);
    const identified = t.events().filter((e) => e.name === 'identify');
    expect(identified.map((e) => [e.user.id, e.session.sessionIndex])).toEqual([
      ['user-a', 1],
      ['user-b', 2],
      [null, 3],
    ]);
  });

  it('before the device has a session: the first state carries it', () => {
    const t = running();
    t.send(identify, 1000, 'user-7', null);
    expect(t.events()).toEqual([]);
    t.send(track, 2000, 'a', '{}');
    expect(t.events()[0].user.id).toBe('user-7');
  });
});

describe('session attributes', () => {
  // [case, calls, the attributes after, warnings]
  const cases: [string, [unknown, unknown, boolean][], object, [number, string][]][] = [
    ['set', [['plan', 'pro', false]], { plan: 'pro' }, []],
    ['incremented from nothing', [['views', 1, true], ['views', 2, true]], { views: 3 }, []],
    ['null is a value', [['plan', null, false]], { plan: null }, []],
    ['a non-number is not incremented', [['plan', 'pro', false], ['plan', 1, true]], { plan: 'pro' }, [[32, 'session attribute "plan"']]],
    ['an object is refused', [['plan', { a: 1 }, false]], {}, [[28, 'session attribute "plan"']]],
    ['an empty key is refused', [['', 1, false]], {}, [[27, 'setSessionAttribute']]],
    ['Infinity is refused', [['n', Infinity, false]], {}, [[28, 'session attribute "n"']]],
  ];
  it.each(cases)('%s', (_, calls, attributes, warnings) => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    calls.forEach(([key, value, increment], i) => t.send(attribute, 2000 + i, key, value, increment));
    t.send(track, 3000, 'b', '{}');
    expect(t.events().at(-1)!.sessionAttributes).toEqual(attributes);
    expect(t.effects.filter((e) => e[0] === 'warn').map((e) => e.slice(1))).toEqual(warnings);
  });

  it('set after a session ended belong to the next one', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    t.send(attribute, 1000 + 31 * MIN, 'campaign', 'spring', false);
    expect(t.names()).toEqual(['session_start', 'a', 'session_end']);
    t.send(track, 1000 + 32 * MIN, 'b', '{}');
    expect(t.events().at(-1)!.sessionAttributes).toEqual({ campaign: 'spring' });
  });
});

describe('what another tab saved, or the store holds', () => {
  it('is merged: the higher event index and the later activity are kept', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    const mine = t.model.session!;
    t.send(stored, 2000, encodeState({ ...mine, eventIndex: mine.eventIndex + 5, lastEventAt: 1900, rev: mine.rev + 1 }));
    t.send(track, 2000, 'b', '{}');
    expect(t.events().at(-1)!.session.eventIndex).toBe(mine.eventIndex + 6);
  });

  it("what a tab says while this page's storage opens is kept for the store's answer, which may be older", () => {
    const t = boot({ newTab: false });
    const held = state({ eventIndex: 4, lastEventAt: 0 });
    // (the roll call of a start after a crash waits: the tabs went on meanwhile)
    t.send(stored, 500, encodeState({ ...held, eventIndex: 7, lastEventAt: 400, rev: held.rev + 3 }));
    t.open(1000, held);
    t.send(track, 1000, 'a', '{}');
    expect(t.events().at(-1)!.session.eventIndex).toBeGreaterThan(7);
  });

  it("a lean cookie heard while storage opens keeps the visitor's fields the store holds (user id, attributes, UTM)", () => {
    const t = boot({ newTab: false });
    const held = { ...state({ eventIndex: 4, lastEventAt: 0 }), businessUserId: 'alice', attributes: { plan: 'pro' }, attributesAt: 0 };
    // (what the cookie says, lean: the visitor's fields live in the mirror alone)
    t.send(stored, 500, encodeState({ ...held, eventIndex: 5, lastEventAt: 400, rev: held.rev + 1 }, true));
    t.open(1000, held);
    t.send(track, 1000, 'a', '{}');
    const event = t.events().at(-1)!;
    expect([event.session.eventIndex > 5, event.user.id, event.sessionAttributes]).toEqual([true, 'alice', { plan: 'pro' }]);
  });

  it('a store that holds less than this tab knows is written back: a tab starting now does not count from it', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    const mine = t.model.session!;
    t.take();
    // (two tabs wrote in the same moments, and the older count landed last: to the store alone, the tabs heard this one)
    t.send(stored, 1100, encodeState({ ...mine, eventIndex: mine.eventIndex - 1, rev: mine.rev - 1 }));
    expect(t.take()).toEqual([['writeBack']]);
    expect(t.model.session).toEqual(mine);
    // (one that holds as much is not; one that holds more is written back only if this tab wrote lately: its own write,
    // made before it heard that state, may have reached the store after it. test/sim seed 369)
    t.send(stored, 1200, encodeState({ ...mine, eventIndex: mine.eventIndex + 2, rev: mine.rev + 1 }));
    expect(t.take()).toEqual([['writeBack', true]]);
    t.send(stored, 1200, encodeState(t.model.session!));
    expect(t.take()).toEqual([]);
  });

  it('two tabs whose states crossed: each saves and tells the join of both once, then they hold the same and say no more', () => {
    const a = running();
    a.send(track, 1000, 'a', '{}');
    const b = running();
    b.send(stored, 1000, encodeState(a.model.session!));
    // (each tracks before it hears the other: one counts further, the other has later activity and attributes)
    a.send(track, 2000, 'b', '{}');
    a.send(track, 2000, 'b', '{}');
    b.send(attribute, 2001, 'plan', 'pro', false);
    b.send(track, 2001, 'c', '{}');
    a.take(), b.take();
    const [fromA, fromB] = [encodeState(a.model.session!), encodeState(b.model.session!)];
    a.send(stored, 2002, fromB);
    b.send(stored, 2003, fromA);
    expect([kinds(a.take()), kinds(b.take())]).toEqual([['save'], ['save']]);
    expect(a.model.session).toEqual(b.model.session);
    expect(a.model.session).toMatchObject({ eventIndex: decodeState(fromA)!.eventIndex, lastEventAt: 2001, attributes: { plan: 'pro' } });
    // (what each told the other, and what each said before, heard late: nothing more)
    a.send(stored, 2004, encodeState(b.model.session!));
    b.send(stored, 2004, encodeState(a.model.session!));
    expect([a.take(), b.take()]).toEqual([[], []]);
  });

  it('answers end: tabs that hear each state late converge, each telling its own states and the joins it makes, once', () => {
    // Four tabs; one tracks every 2 ms, another sets an attribute and tracks every 3 ms, for 40 ms; each state a tab tells
    // reaches each other tab 0 to 3 ms later (in order per sender). An older state heard is written back, never told; a
    // join is told once by each tab that makes it (here 33 states of their own and 23 joins told, 168 heard). Each
    // older state answered, as before, made the tabs answer each other without end (test/sim seed 26719).
    const tabs = [0, 1, 2, 3].map(() => {
      const t = boot({ newTab: false });
      t.open(0, state({ eventIndex: 3, lastEventAt: 900 }));
      t.take();
      return t;
    });
    const queue: { at: number; to: number; value: string }[] = [];
    let told = 0;
    let heard = 0;
    const tell = (from: number, at: number) => {
      const effects = tabs[from].take();
      if (!effects.some((e) => e[0] === 'save')) return;
      told++;
      for (let to = 0; to < tabs.length; to++)
        if (to !== from) queue.push({ at: at + ((from * 7 + to * 3 + at) % 4), to, value: encodeState(tabs[from].model.session!) });
    };
    for (let at = 1000; at < 1040 || queue.length; at++) {
      if (at < 1040 && at % 2 === 0) (tabs[0].send(track, at, 'a', '{}'), tell(0, at));
      if (at < 1040 && at % 3 === 0) (tabs[1].send(attribute, at, 'n', at, false), tabs[1].send(track, at, 'b', '{}'), tell(1, at));
      for (const m of queue.filter((q) => q.at <= at)) {
        queue.splice(queue.indexOf(m), 1);
        heard++;
        tabs[m.to].send(stored, at, m.value);
        tell(m.to, at);
      }
      expect(told, 'the tabs never stop telling each other').toBeLessThan(150);
    }
    // (every tab holds the same session, which counted every event at least once)
    for (const t of tabs) expect(t.model.session).toEqual(tabs[0].model.session);
    expect(tabs[0].model.session!.eventIndex).toBeGreaterThanOrEqual(3 + 20);
    expect(told).toBeLessThan(heard);
  });

  it('tampered or foreign values are ignored', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    const session = t.model.session;
    for (const value of [null, 42, 'GA1.2.3', '1.{"u":1}']) t.send(stored, 1500, value);
    expect(t.model.session).toBe(session);
  });

  it('is due to be read when the session is about to be found over (another tab may have kept it alive)', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    expect(dueToEnd(t.model, 1000 + 30 * MIN)).toBe(false);
    expect(dueToEnd(t.model, 1000 + 30 * MIN + 1)).toBe(true);
    // Kept alive elsewhere: the next event continues the session.
    t.send(stored, 1000 + 31 * MIN, encodeState({ ...t.model.session!, lastEventAt: 1000 + 20 * MIN, eventIndex: 9, rev: 99 }));
    expect(dueToEnd(t.model, 1000 + 31 * MIN)).toBe(false);
    t.send(track, 1000 + 31 * MIN, 'b', '{}');
    expect(t.names()).not.toContain('session_end');
  });
});

describe('a pipeline that names the visitor (Tracardi)', () => {
  it('its profile id is kept with the session, saved once', () => {
    const t = running();
    t.send(track, 1000, 'a', '{}');
    t.take();
    t.send(profile, 2000, 'p-1');
    t.send(profile, 2000, 'p-1');
    expect(t.take()).toEqual([['save']]);
    expect(t.model.session!.profileId).toBe('p-1');
  });
});

describe('getSession()', () => {
  it('null until storage answers, then the session of this moment, null once it is over', () => {
    const t = boot();
    t.send(track, 1000, 'held', '{}');
    expect(currentSession(t.model, 1000)).toBeNull();
    t.open(2000);
    expect(currentSession(t.model, 2000)).toMatchObject({ sessionIndex: 1, eventIndex: 3, storageMechanism: 'COOKIE_1', firstEventTimestamp: '1970-01-01T00:00:00.000Z' });
    expect(currentSession(t.model, 1000 + 31 * MIN)).toBeNull();
  });
});
