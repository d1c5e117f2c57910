/**
 * Consent and the hold, decided by the core (src/core/step.ts `decide`, src/core/record.ts `run`): what is
 * stored, held, dropped, erased and sent for each consent state and each change of it.
 */
import { describe, expect, it } from 'vitest';
import { MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS } from '../../src/core/send/batch';
import { OWN_CHARS } from '../../src/core/event';
import { isReady } from '../../src/core/step';
import { state } from '../helpers';
import { boot, id, kinds, MIN, place } from './harness';
import { attribute, identify, shutdown, track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { profile, stored } from '../../src/core/answers';
import { page, pagehide, tab, visibility } from '../../src/core/session/site';

describe('the consent a tracker starts with', () => {
  // [case, configured consent, the browser's GPC, config: respect GPC / onDenied, mode, effects at start]
  const cases: [string, 'granted' | 'pending' | 'denied', boolean, boolean, 'drop' | 'anonymous', string, string[]][] = [
    ['granted: storage opens at once', 'granted', false, true, 'drop', 'granted', ['debug', 'openStorage']],
    ['pending: nothing opens, nothing stored', 'pending', false, true, 'drop', 'pending', []],
    // (a refusal erases what an earlier grant may have left on the device)
    ['denied: nothing opens, ready at once', 'denied', false, true, 'drop', 'denied', ['debug', 'erase', 'resolveReady']],
    ['denied, onDenied anonymous: memory only', 'denied', false, true, 'anonymous', 'anonymous', ['debug', 'erase', 'openStorage']],
    ['Global Privacy Control refuses a granted config', 'granted', true, true, 'drop', 'denied', ['debug', 'debug', 'erase', 'resolveReady']],
    ['GPC, config opts out of it', 'granted', true, false, 'drop', 'granted', ['debug', 'openStorage']],
    ['GPC with onDenied anonymous', 'granted', true, true, 'anonymous', 'anonymous', ['debug', 'debug', 'erase', 'openStorage']],
  ];
  it.each(cases)('%s', (_, consent, gpc, respect, onDenied, mode, effects) => {
    const t = boot({ consent, gpc, settings: { respectGlobalPrivacyControl: respect, onDenied } });
    expect(t.model.consentMode).toBe(mode);
    expect(kinds(t.effects)).toEqual(effects);
    if (mode === 'anonymous') expect(t.effects).toContainEqual(['openStorage', true]);
    expect(isReady(t.model)).toBe(mode === 'denied');
  });
});

describe('what is held, and what happens to it', () => {
  it('pending holds calls with their own times; a grant runs them in order once storage answers', () => {
    const t = boot({ consent: 'pending' });
    // A held call answers its event's id at once: the id the event is sent with.
    const first = t.send(track, 1000, 'first', '{"n":1}');
    t.send(attribute, 2000, 'plan', 'pro', false);
    const second = t.send(track, 3000, 'second', '{}');
    expect(t.events()).toEqual([]);
    expect(kinds(t.take())).toEqual([]);
    t.send(consent, 4000, 'granted', 'page', false);
    expect(kinds(t.take())).toEqual(['tellConsent', 'debug', 'openStorage']);
    expect(isReady(t.model)).toBe(false);
    t.open(5000);
    expect(isReady(t.model)).toBe(true);
    const events = t.events();
    expect(events.map((e) => [e.name, Date.parse(e.timestamp), e.session.eventIndex])).toEqual([
      ['session_start', 0, 1],
      ['application_initialized', 0, 2],
      ['first', 1000, 3],
      ['second', 3000, 4],
    ]);
    expect(events.slice(2).map((e) => e.eventId)).toEqual([first, second]);
    expect(events[3].sessionAttributes).toEqual({ plan: 'pro' });
    expect(t.effects.at(-1)).toEqual(['resolveReady']);
    // From now on, calls run at once.
    t.send(track, 6000, 'third', '{}');
    expect(t.names().at(-1)).toBe('third');
  });

  it('storage that answers late: calls made meanwhile are held, then run with their own times', () => {
    const t = boot();
    t.send(track, 100, 'early', '{}');
    expect(t.events()).toEqual([]);
    t.open(2500);
    expect(t.events().map((e) => [e.name, Date.parse(e.timestamp)])).toEqual([
      ['session_start', 0],
      ['application_initialized', 0],
      ['early', 100],
    ]);
  });

  it('a refusal drops what is held, counts no loss, and resolves ready()', () => {
    const t = boot({ consent: 'pending' });
    t.send(track, 1000, 'held', '{}');
    t.send(consent, 2000, 'denied', 'page', false);
    expect(isReady(t.model)).toBe(true);
    expect(t.model.hold).toEqual({ calls: null, events: 0, chars: 0 });
    expect(t.send(track, 3000, 'refused', '{}')).toBeUndefined();
    t.send(consent, 4000, 'granted', 'page', false);
    t.open(5000);
    expect(t.names()).toEqual(['session_start', 'application_initialized']);
    expect(t.model.losses).toBe(0);
  });
});

describe('the hold is bounded like the outbox: 5,000 events or 5 M characters', () => {
  const WARNING = [26, 'held events'];
  const small = (i: number) => JSON.stringify({ i });
  const large = JSON.stringify({ pad: 'x'.repeat(9_000) });
  // (what the hold counts of an event: its name, its properties and 200 for the rest)
  const byChars = Math.floor(MAX_QUEUE_CHARS / ('big'.length + large.length + OWN_CHARS));
  // [case, events tracked while pending, their name, their properties, how many are held]
  const cases: [string, number, string, (i: number) => string, number][] = [
    [`${MAX_QUEUE_EVENTS} events are held, none dropped, no warning`, MAX_QUEUE_EVENTS, 'e', () => '{}', MAX_QUEUE_EVENTS],
    [`past ${MAX_QUEUE_EVENTS} held events the newest are dropped, with one warning, and counted once granted`, MAX_QUEUE_EVENTS + 10, 'e', () => '{}', MAX_QUEUE_EVENTS],
    ['1,000 past the bound: still one warning, and all counted', MAX_QUEUE_EVENTS + 1000, 'e', () => '{}', MAX_QUEUE_EVENTS],
    // (a page's loop: each event with properties of its own, small)
    ['5,010 events with properties of their own: the first 5,000 held', 5010, 'many', small, MAX_QUEUE_EVENTS],
    [`bounded by characters too: ${byChars} events of 9,000 characters fill 5 M`, byChars, 'big', () => large, byChars],
    ['past 5 M characters the newest are dropped, with one warning, and counted once granted', 600, 'big', () => large, byChars],
  ];
  it.each(cases)('%s', (_, tracked, name, props, held) => {
    const dropped = tracked - held;
    const t = boot({ consent: 'pending' });
    t.take();
    const ids = Array.from({ length: tracked }, (_, i) => t.send(track, i, name, props(i)));
    // The oldest are held (each answers its id), the newest dropped (undefined): nothing is sent meanwhile.
    expect(ids.slice(0, held).every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids.slice(0, held)).size).toBe(held);
    expect(ids.slice(held)).toEqual(Array(dropped).fill(undefined));
    expect(t.model.hold).toMatchObject({ events: held });
    // One warning, however many are dropped, and nothing else.
    expect(t.take()).toEqual(dropped ? [['warn', ...WARNING]] : []);
    t.send(consent, 9000, 'granted', 'page', false);
    // The loss is counted on the events after the grant: when storage answers, a `lost` effect tells the shell's
    // delivery, in the same step as the held events' `enqueue`, before any batch is cut: the first batch's `dropped`.
    expect(t.model.losses).toBe(dropped);
    t.open(9000);
    expect(t.model.losses).toBe(0);
    const after = t.take();
    expect(after.filter((e) => e[0] === 'warn' || e[0] === 'lost')).toEqual(dropped ? [['lost', dropped]] : []);
    // What was held runs, in order, with the ids its calls answered.
    const events = t.events();
    expect(events.slice(0, 2).map((e) => e.name)).toEqual(['session_start', 'application_initialized']);
    expect(events.slice(2).map((e) => e.eventId)).toEqual(ids.slice(0, held));
    // Later events go at once, with no new warning and no loss.
    expect(t.send(track, 10_000, 'later', '{}')).toBeDefined();
    expect(t.names().at(-1)).toBe('later');
    expect(t.effects.filter((e) => e[0] === 'warn')).toHaveLength(dropped ? 1 : 0);
    expect(t.model.losses).toBe(0);
  });
});

describe('changes of consent', () => {
  // [case, from, to, where the decision was taken, effects]
  const cases: [string, 'granted' | 'pending' | 'denied', 'granted' | 'pending' | 'denied', 'page' | 'signal' | 'tab' | 'config' | 'default', string[]][] = [
    ['a grant in this page is told to the other tabs', 'pending', 'granted', 'page', ['tellConsent', 'debug', 'openStorage']],
    ["a CMP's grant is told too", 'pending', 'granted', 'signal', ['tellConsent', 'debug', 'openStorage']],
    ["another tab's grant is not told back", 'pending', 'granted', 'tab', ['debug', 'openStorage']],
    ['the same state again changes nothing here', 'granted', 'granted', 'page', ['tellConsent']],
    // (a tab may be in it by its page's default only: Consent Mode's, which is never told)
    ["a CMP's refusal in a tab its page's default refused is told", 'denied', 'denied', 'signal', ['tellConsent']],
    ["the page's default is not told, and erases nothing another tab was granted", 'pending', 'denied', 'default', ['debug', 'resolveReady']],
    ["another tab's same state is not told back", 'granted', 'granted', 'tab', []],
    ['a withdrawal erases everything, in every tab', 'granted', 'denied', 'page', ['tellConsent', 'debug', 'erase', 'resolveReady']],
    ['back to pending after a grant erases too, and holds again', 'granted', 'pending', 'page', ['tellConsent', 'debug', 'erase']],
    ['a refusal from pending erases what an earlier grant left on the device', 'pending', 'denied', 'page', ['tellConsent', 'debug', 'erase', 'resolveReady']],
    // (that tab erased the device as it refused; a grant after it may have stored since: test/sim seed 8097)
    ["another tab's refusal erases nothing in a page that stored nothing", 'pending', 'denied', 'tab', ['debug', 'resolveReady']],
    ['a configured refusal erases it too', 'pending', 'denied', 'config', ['debug', 'erase', 'resolveReady']],
  ];
  it.each(cases)('%s', (_, from, to, where, effects) => {
    const t = boot({ consent: from });
    if (from === 'granted') t.open(0);
    t.take();
    t.send(consent, 1000, to, where, false);
    expect(kinds(t.take())).toEqual(effects);
    expect(t.model.consentMode).toBe(to);
  });

  it('after a withdrawal nothing identifying is kept; a later grant is a new life: a new tab, a new device', () => {
    const t = boot();
    t.open(0);
    t.send(identify, 100, 'user-1', '{}');
    t.send(track, 200, 'before', '{}');
    const before = t.events().at(-1)!;
    t.send(consent, 300, 'denied', 'page', false);
    expect([t.model.session, t.model.user, t.model.storageState]).toEqual([null, null, 'closed']);
    expect(t.send(track, 400, 'refused', '{}')).toBeUndefined();
    t.send(consent, 500, 'granted', 'page', false);
    t.open(600);
    t.send(track, 700, 'after', '{}');
    const [initialized, after] = t.events().slice(-2);
    // (this page's new life begins with the grant: the refusal kept nothing, and heard none of the site's changes)
    expect(initialized.name).toBe('application_initialized');
    expect(Date.parse(initialized.timestamp)).toBe(500);
    expect(after.session.userId).not.toBe(before.session.userId);
    expect(after.session.sessionIndex).toBe(1);
    expect(after.user.id).toBeNull();
  });

  it("a grant after a refusal of what was pending starts the page's life at the grant, not at its load (test/sim seed 3383)", () => {
    const t = boot({ consent: 'pending' });
    t.open(0);
    t.send(consent, 967, 'denied', 'page', false);
    t.send(consent, 99_631, 'granted', 'page', false);
    t.open(99_632);
    t.send(track, 104_631, 'next', '{}');
    const events = t.events();
    expect(events.map((e) => e.name)).toEqual(['session_start', 'application_initialized', 'next']);
    expect(events.slice(0, 2).map((e) => Date.parse(e.timestamp))).toEqual([99_631, 99_631]);
    expect(new Set(events.map((e) => e.session.sessionId)).size).toBe(1);
  });

  it('pending, it hears the last shown tab go: granted later, the session records the background at that time (test/sim seed 31172)', () => {
    const t = boot({ consent: 'pending' });
    t.open(0);
    t.send(tab, 10, 't2', true);
    t.send(visibility, 1000, true);
    t.send(track, 1500, 'a', '{}');
    // (the other tab, pending too, records nothing as it closes)
    t.send(tab, 3000, 't2', false);
    t.send(consent, 70_000, 'granted', 'page', false);
    t.open(70_001);
    expect(t.model.session!.siteBackground).toBe(true);
    const background = t.events().filter((e) => e.name === 'application_background');
    expect(background.map((e) => Date.parse(e.timestamp))).toEqual([3000]);
  });

  it('a refusal in a page that had no grant marks a withdrawal only where the device holds a session; leaving anonymous for a grant marks none', () => {
    const t = boot({ consent: 'pending' });
    t.take();
    t.send(consent, 1000, 'denied', 'page', false);
    // (the shell marks it where it finds a session: a grant this page did not hear, test/sim regression)
    expect(t.take().filter((e) => e[0] === 'erase')).toEqual([['erase', 1000, true]]);
    const anonymous = boot({ consent: 'denied', settings: { onDenied: 'anonymous' } });
    anonymous.open(0);
    anonymous.take();
    anonymous.send(consent, 2000, 'granted', 'tab', false);
    // (a grant is no withdrawal: the session another tab has just stored stays unmarked, test/sim regression)
    expect(anonymous.take().filter((e) => e[0] === 'erase')).toEqual([['erase']]);
  });

  it("a withdrawal made on the device while this page was away (the cache, a freeze) applies when it is back; one before this page's grant does not", () => {
    const t = boot();
    t.open(0);
    t.send(track, 100, 'a', '{}');
    // (the device's mark of a withdrawal before this page's grant, then one after it)
    t.send('withdrawal', 1000, 0);
    t.send('withdrawal', 1000, -1);
    expect(t.model.consentMode).toBe('granted');
    t.take();
    t.send('withdrawal', 2000, 1500);
    expect(t.model.consentMode).toBe('denied');
    expect(t.model.session).toBeNull();
    // (as another tab's decision: erased here, and nothing told back to the tabs; marked at the withdrawal's time)
    expect(t.take().filter((e) => e[0] === 'erase' || e[0] === 'tellConsent')).toEqual([['erase', 1500]]);
  });

  it.each([
    ['a grant told late does not undo a refusal taken after it (test/sim seed 27470)', 'denied', 1000, 'granted', 900, 'denied'],
    ['a refusal told late does not undo a grant taken after it', 'granted', 1000, 'denied', 900, 'granted'],
    ['a later decision applies, however late it is heard', 'denied', 1000, 'granted', 1100, 'granted'],
    ['of a grant and a refusal in the same ms, the refusal wins here (test/sim seed 7548)', 'granted', 1000, 'denied', 1000, 'denied'],
    ['... and in the tab that refused', 'denied', 1000, 'granted', 1000, 'denied'],
  ] as const)('%s', (_, mine, at, theirs, told, after) => {
    const t = boot({ consent: 'pending' });
    t.send('consent', at, mine, 'page', false);
    expect(t.take().find((e) => e[0] === 'tellConsent')).toEqual(['tellConsent', mine, at]);
    t.send('consent', at + 444, theirs, 'tab', false, told);
    expect(t.model.consentMode).toBe(after);
  });

  it('a refusal heard late marks the device at its own time, not at the hearing (test/sim seed 7548)', () => {
    const t = boot({ consent: 'pending' });
    t.send('consent', 1000, 'granted', 'page', false);
    t.take();
    t.send('consent', 1500, 'denied', 'tab', false, 1100);
    expect(t.take().filter((e) => e[0] === 'erase')).toEqual([['erase', 1100]]);
  });

  it('a decision taken here comes after any heard, though in the same ms (test/sim seed 8097)', () => {
    const t = boot({ consent: 'pending' });
    t.send('consent', 1000, 'denied', 'tab', false, 1000);
    t.send('consent', 1000, 'granted', 'page', false);
    expect(t.model.consentMode).toBe('granted');
    expect(t.take().find((e) => e[0] === 'tellConsent')).toEqual(['tellConsent', 'granted', 1001]);
    // (and another tab, which heard this page's refusal in that ms, takes the grant after it)
    const other = boot({ consent: 'pending' });
    other.send('consent', 1002, 'denied', 'tab', false, 1000);
    other.send('consent', 1003, 'granted', 'tab', false, 1001);
    expect(other.model.consentMode).toBe('granted');
  });

  it("a withdrawal on the device before a later decision heard from a tab does not undo it", () => {
    const t = boot({ consent: 'pending' });
    t.send('consent', 1000, 'granted', 'tab', false, 900);
    expect(t.model.grantedAt).toBe(900);
    t.send('withdrawal', 2000, 950);
    expect(t.model.consentMode).toBe('denied');
    t.send('consent', 3000, 'granted', 'tab', false, 1200);
    t.send('withdrawal', 3500, 950);
    expect(t.model.consentMode).toBe('granted');
  });

  it("held calls older than the session's last activity (another tab moved it on meanwhile) do not move it back", () => {
    const t = boot({ consent: 'pending', newTab: false });
    t.send(track, 1000, 'early', '{}');
    t.send(track, 40 * MIN, 'late', '{}');
    t.send(consent, 40 * MIN + 1, 'granted', 'page', false);
    // (the store's session: another tab was active a minute before the late call)
    t.open(40 * MIN + 2, state({ lastEventAt: 39 * MIN, eventIndex: 7 }));
    expect(t.names()).not.toContain('session_end');
    expect(t.events().map((e) => e.session.sessionId)).toEqual(t.events().map(() => state().sessionId));
    expect(t.model.session!.lastEventAt).toBe(40 * MIN);
  });

  it('Global Privacy Control: a later grant is refused with a warning', () => {
    const t = boot({ consent: 'pending', gpc: true });
    expect(t.model.consentMode).toBe('denied');
    t.take();
    t.send(consent, 1000, 'granted', 'page', true);
    expect(t.take()).toEqual([['warn', 33, 'consent granted']]);
    expect(t.model.consentMode).toBe('denied');
  });
});

describe('anonymous (a refusal with onDenied: anonymous)', () => {
  const anonymous = () => {
    const t = boot({ consent: 'denied', settings: { onDenied: 'anonymous' } });
    t.open(0, null, 'MEMORY');
    return t;
  };

  it('sends cookieless events: the nil device id, no previous session, no user', () => {
    const t = anonymous();
    t.send(track, 100, 'a', '{}');
    const [e] = t.events().slice(-1);
    expect(e.session).toMatchObject({ userId: '00000000-0000-0000-0000-000000000000', previousSessionId: null, storageMechanism: 'MEMORY' });
    expect(e.user.id).toBeNull();
    t.send(pagehide, 200, false);
    expect(kinds(t.effects)).not.toContain('leaveTab');
  });

  it('ignores identify, a pipeline profile and the other tabs’ sessions', () => {
    const t = anonymous();
    t.send(track, 100, 'a', '{}');
    expect(t.send(identify, 200, 'user-1', '{}')).toBeUndefined();
    t.send(profile, 300, 'tracardi-profile');
    const session = t.model.session;
    t.send(stored, 400, '1.{}');
    expect(t.model.session).toBe(session);
    expect(t.model.session!.profileId).toBeNull();
    expect(t.model.user).toBeNull();
  });
});

describe('anonymous pages', () => {
  it("a hidden anonymous page hears the last shown tab hide: its own session goes to the background then (test/sim seed 16140)", () => {
    const t = boot({ consent: 'denied', settings: { onDenied: 'anonymous' } });
    t.open(0);
    t.send(tab, 10, 't2', true);
    t.send(visibility, 1000, true);
    expect(t.names()).not.toContain('application_background');
    t.send(tab, 20_000, 't2', false);
    const background = t.events().filter((e) => e.name === 'application_background');
    expect(background.map((e) => Date.parse(e.timestamp))).toEqual([20_000]);
    expect(t.model.session!.siteBackground).toBe(true);
    // (the other tab shown again: its own page records that; this one's return is recorded when it is shown)
    t.send(tab, 21_000, 't2', true);
    expect(t.events().filter((e) => e.name === 'application_background')).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('saves now, stops, resolves ready(); every later input is ignored', () => {
    const t = boot();
    t.open(0);
    t.take();
    t.send(shutdown, 1000);
    expect(t.take()).toEqual([['save', true], ['stop']]);
    expect(isReady(t.model)).toBe(true);
    const model = t.model;
    expect(t.send(track, 2000, 'after', '{}')).toBeUndefined();
    t.send(visibility, 2000, true);
    t.send(page, 2000, '{}', place('/b'));
    expect(t.model).toBe(model);
    expect(t.take()).toEqual([]);
  });
});
