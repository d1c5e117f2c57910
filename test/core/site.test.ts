/**
 * The site's foreground and background and the page's life, decided by the core (src/core/session/site.ts): the
 * application_* events, what is saved and sent when the page is hidden or leaves, the other tabs' part in
 * it, and the back/forward cache.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/core/effect';
import { decodeState, encodeState, type SessionState } from '../../src/core/session/state';
import { boot, id, kinds, MIN, place, type Options } from './harness';
import { attribute, currentSession, endSession, identify, track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { reread, stored } from '../../src/core/answers';
import { page, pagehide, restore, resume, tab, tabsGone, visibility } from '../../src/core/session/site';

/** A tracker whose storage has answered (a first visit), and whose start is taken. */
function running(o: Options = {}) {
  const t = boot(o);
  t.open(0);
  t.take();
  return t;
}

const last = (t: ReturnType<typeof running>) => t.events().at(-1)!;

describe("the tab's id", () => {
  it('is on every event; left for the tab\'s next page at pagehide only with consent and once the tab is reported, with the session as the page leaves it; taken back on a restore', () => {
    const t = running();
    t.send(track, 500, 'read', '{}');
    expect(t.events().map((e) => e.context.tabId)).toEqual(['0a1b2c3d', '0a1b2c3d', '0a1b2c3d']);
    t.take();
    t.send(pagehide, 1000, true);
    const left = t.take().filter((e) => e[0] === 'leaveTab');
    // (the last effect of pagehide: the session with its exit recorded, closed)
    expect(left).toEqual([['leaveTab', encodeState(t.model.session!)]]);
    expect(decodeState(left[0][1])).toMatchObject({ closed: true, eventIndex: t.model.session!.eventIndex });
    t.send(restore, 2000, place('/'));
    expect(t.take().filter((e) => e[0] === 'leaveTab')).toEqual([['leaveTab', null]]);
    for (const consent of ['pending', 'denied'] as const) {
      const held = boot({ consent });
      held.send(pagehide, 1000, false);
      expect(held.take().filter((e) => e[0] === 'leaveTab'), consent).toEqual([]);
    }
    // Granted, but storage had not answered: application_initialized is still to come, so the next page reports it.
    const early = boot();
    early.send(pagehide, 1000, false);
    expect(early.take().filter((e) => e[0] === 'leaveTab')).toEqual([]);
    const anonymous = boot({ consent: 'denied', settings: { onDenied: 'anonymous' } });
    anonymous.open(0);
    anonymous.send(pagehide, 1000, false);
    expect(anonymous.take().filter((e) => e[0] === 'leaveTab')).toEqual([]);
  });

  it('is left, marked, when the page is hidden (Chrome may discard it without a pagehide, and reload it when shown) and again when it freezes, not after pagehide; the same conditions as at pagehide', () => {
    const tabItem = (e: Effect) => e[0] === 'leaveTab' || e[0] === 'hideTab';
    const t = running();
    t.send(track, 500, 'read', '{}');
    t.take();
    t.send(visibility, 1000, true);
    const left = t.take().filter(tabItem);
    expect(left).toEqual([['hideTab', encodeState(t.model.session!)]]);
    expect(decodeState(left[0][1])).toMatchObject({ closed: false, eventIndex: t.model.session!.eventIndex });
    // (hidden again, by setBackground or a freeze, after which Chrome may discard it: left again, with what the page
    // did while hidden; test/sim regression "a freeze after a hide": the reload repeated the hidden event's eventIndex)
    t.send(track, 1200, 'hidden', '{}');
    t.take();
    t.send(visibility, 1500, true);
    const again = t.take().filter(tabItem);
    expect(again).toEqual([['hideTab', encodeState(t.model.session!)]]);
    expect(decodeState(again[0][1])!.eventIndex).toBe(decodeState(left[0][1])!.eventIndex + 1);
    t.send(visibility, 2000, false);
    expect(t.take().filter(tabItem)).toEqual([]);
    // (a hide after pagehide, as Chromium fires it: the item pagehide left stays)
    t.send(pagehide, 3000, false);
    t.take();
    t.send(visibility, 3000, true);
    expect(t.take().filter(tabItem)).toEqual([]);
    for (const consent of ['pending', 'denied'] as const) {
      const held = boot({ consent });
      held.send(visibility, 1000, true);
      held.send(visibility, 2000, false);
      expect(held.take().filter(tabItem), consent).toEqual([]);
    }
    const early = boot();
    early.send(visibility, 1000, true);
    expect(early.take().filter(tabItem)).toEqual([]);
  });
});

describe('the page leaving opens no session', () => {
  // [case, what happens after the first event at 500, the leaving signal's time, the events sent from then on]
  const cases: [string, 'idle' | 'endSession' | 'busy', number, 'hidden' | 'exit', string[]][] = [
    ['idle past the timeout, then hidden: the end is reported, no application_background', 'idle', 500 + 31 * MIN, 'hidden', ['session_end']],
    ['idle past the timeout, then the page exits: the end is reported, no application_exit', 'idle', 500 + 31 * MIN, 'exit', ['session_end']],
    ['after endSession(), hidden: nothing (the end was reported at the call)', 'endSession', 1000, 'hidden', []],
    ['within the timeout, hidden: application_background, in the session', 'busy', 500 + 29 * MIN, 'hidden', ['application_background']],
    ['within the timeout, the page exits: application_exit, in the session', 'busy', 500 + 29 * MIN, 'exit', ['application_exit']],
  ];
  it.each(cases)('%s', (_, before, at, signal, sent) => {
    const t = running();
    t.send(track, 500, 'read', '{}');
    const reading = last(t).session;
    if (before === 'endSession') t.send(endSession, 600);
    const from = t.events().length;
    if (signal === 'hidden') t.send(visibility, at, true);
    else t.send(pagehide, at, false);
    const events = t.events().slice(from);
    expect(events.map((e) => e.name)).toEqual(sent);
    // Whatever was sent is in the session the visitor was in; no second session was opened.
    for (const e of events) expect(e.session.sessionId).toBe(reading.sessionId);
    expect(t.model.session!.sessionIndex).toBe(1);
    // getSession() answers none once the session is over.
    if (before === 'busy') expect(currentSession(t.model, at)).toMatchObject({ sessionId: reading.sessionId });
    else expect(currentSession(t.model, at)).toBeNull();
    // Back in the foreground, the person came back: that opens the next session, if the last is over (its session_start first).
    if (signal !== 'hidden') return;
    const shown = t.events().length;
    t.send(visibility, at + MIN, false);
    const back = t.events().slice(shown);
    expect(back.map((e) => [e.name, e.session.sessionIndex])).toEqual(before === 'busy' ? [['application_foreground', 1]] : [['session_start', 2], ['application_foreground', 2]]);
    if (before !== 'busy') expect([back[0].properties.reason, back[1].session.previousSessionId]).toEqual([before === 'idle' ? 'foreground_timeout' : 'explicit', reading.sessionId]);
  });
});

describe('a page that leaves beside another tab', () => {
  it.each([
    ['another tab shown: the site stays in the foreground (test/sim seed 4787)', true, false],
    ['no tab shown: the site is in the background, unreported', false, true],
  ])('%s', (_, shown, background) => {
    const t = running();
    t.send(tab, 100, 't2', true);
    if (!shown) t.send(tab, 200, 't2', false);
    t.send(pagehide, 1000, false);
    expect(t.model.session).toMatchObject({ siteBackground: background, lastEventAt: 1000 });
    expect(t.model.session!.backgroundReported).toBeFalsy();
    expect(t.names().slice(-1)).toEqual(['application_exit']);
  });
});

describe('this page hidden or shown, alone in the site', () => {
  // [case, lifecycle events, hidden, the event, effects]
  const cases: [string, boolean, boolean, string | null, string[]][] = [
    ['hidden: the site goes to the background; what waits is saved and beaconed now', true, true, 'application_background', ['announce', 'save', 'enqueue', 'save', 'save now', 'beacon', 'hideTab']],
    ['hidden, lifecycle events off: a silent step, and still saved and beaconed', false, true, null, ['announce', 'save', 'save now', 'beacon', 'hideTab']],
  ];
  it.each(cases)('%s', (_, lifecycleEvents, hidden, event, effects) => {
    const t = running({ settings: { lifecycleEvents } });
    t.send(track, 500, 'read', '{}');
    t.take();
    const before = t.events().length;
    t.send(visibility, 1000, hidden);
    expect(kinds(t.take())).toEqual(effects);
    expect(t.events().slice(before).map((e) => [e.name, e.properties.transition_type, e.context.visibility])).toEqual(event ? [[event, event, 'background']] : []);
    expect(t.model.session!.siteBackground).toBe(true);
    // reported, so that whichever page sees the site again reports its return
    expect(!!t.model.session!.backgroundReported).toBe(lifecycleEvents);
    expect(t.model.session!.lastEventAt).toBe(1000);
  });

  it('shown again: application_foreground, in the foreground', () => {
    const t = running();
    t.send(visibility, 1000, true);
    t.send(visibility, 2000, false);
    expect([last(t).name, last(t).context.visibility]).toEqual(['application_foreground', 'foreground']);
    expect(t.model.session!.siteBackground).toBe(false);
  });

  it('setBackground(true) twice is one change', () => {
    const t = running();
    t.send(visibility, 1000, true);
    t.send(visibility, 1500, true);
    expect(t.names().filter((n) => n === 'application_background')).toHaveLength(1);
  });

  // [case, lifecycle events, the events sent from the start]
  const returns: [string, boolean, string[]][] = [
    [
      'lifecycle events on',
      true,
      ['session_start', 'application_initialized', 'one', 'application_background', 'session_end', 'session_start', 'application_foreground', 'two'],
    ],
    // (session_start and session_end are sent whatever lifecycleEvents says)
    ['lifecycle events off: none sent, and visibility still drives the timeouts', false, ['session_start', 'one', 'session_end', 'session_start', 'two']],
  ];
  it.each(returns)('the gap in the background is judged by the background timeout when the page comes back; %s', (_, lifecycleEvents, names) => {
    const t = running({ settings: { backgroundTimeout: 5 * MIN, lifecycleEvents } });
    t.send(track, 1000, 'one', '{}');
    t.send(visibility, 2000, true);
    t.send(visibility, 2000 + 5 * MIN + 1, false);
    t.send(track, 3000 + 5 * MIN, 'two', '{}');
    expect(t.names()).toEqual(names);
    const [one, end, start, two] = t.events().filter((e) => ['one', 'two', 'session_end', 'session_start'].includes(e.name)).slice(1);
    expect([end.properties.reason, end.properties.session_id, end.session.sessionIndex]).toEqual(['background_timeout', one.session.sessionId, 1]);
    expect([start.properties.reason, start.session.sessionIndex]).toEqual(['background_timeout', 2]);
    expect([two.session.sessionIndex, two.session.previousSessionId]).toEqual([2, one.session.sessionId]);
    if (lifecycleEvents) expect(t.events().find((e) => e.name === 'application_foreground')!.session.sessionIndex).toBe(2);
  });
});

describe('other tabs of the site', () => {
  it('hidden while another tab is visible: the site stays in the foreground; a roll call asks if that tab lives', () => {
    const t = running();
    t.send(tab, 500, 'other', true);
    t.send(visibility, 1000, true);
    expect(kinds(t.take())).toEqual(['announce', 'save now', 'beacon', 'hideTab', 'rollCall']);
    expect(t.effects.at(-1)).toEqual(['rollCall', ['other']]);
    expect(t.names()).not.toContain('application_background');
    // It crashed: no answer. The site is in the background after all.
    t.send(tabsGone, 2000, ['other']);
    expect([last(t).name, Date.parse(last(t).timestamp)]).toEqual(['application_background', 2000]);
  });

  it("leaves past its roll call's bound before its timer ran (a hidden page's waits for a whole second): the tabs that did not answer crashed, and the exit records the background (test/sim seed 40255)", () => {
    const leaving = (answer: boolean, at: number) => {
      const t = running();
      t.send(tab, 500, 'other', true);
      t.send(visibility, 1000, true);
      if (answer) t.send(tab, 1003, 'other', true);
      t.send(pagehide, at, false);
      return t.model.session!.siteBackground;
    };
    expect(leaving(false, 2137)).toBe(true);
    // (within the bound, it may still answer; and a tab that answered lives)
    expect(leaving(false, 1999)).toBe(false);
    expect(leaving(true, 2137)).toBe(false);
  });

  it('a tab that answers the roll call keeps the site in the foreground', () => {
    const t = running();
    t.send(tab, 500, 'other', true);
    t.send(tab, 600, 'third', true);
    t.send(visibility, 1000, true);
    t.send(tabsGone, 2000, ['third']);
    expect(t.model.visibleTabs).toEqual(['other']);
    expect(t.names()).not.toContain('application_background');
  });

  it('hidden while it took another for shown, which hid before it heard this one: the tab that records it records the background', () => {
    // (test/sim seed 44427: two tabs hidden 30 ms apart, each hide heard 48 ms late; 44 s in the background judged by
    // the foreground's timeout, and an exit sent in the session that was over)
    for (const records of [true, false]) {
      const t = running({ settings: { backgroundTimeout: 20_000, foregroundTimeout: 60_000 } });
      t.send(tab, 500, 'other', true);
      t.send(visibility, 1000, true);
      // Told to the other tabs: the tabs it took for shown, which may be hidden too.
      expect(t.effects.find((e) => e[0] === 'announce')).toEqual(['announce', false, ['other']]);
      t.send(tab, 1050, 'other', false, records);
      expect(t.names().includes('application_background'), String(records)).toBe(records);
      if (!records) continue;
      expect(Date.parse(last(t).timestamp)).toBe(1050);
      t.send(pagehide, 45_000, false);
      expect(t.names().slice(-2)).toEqual(['application_background', 'session_end']);
    }
    // Shown, or the session says the background already: nothing to record.
    const t = running();
    t.send(tab, 500, 'other', true);
    t.send(tab, 1050, 'other', false, true);
    expect(t.names()).not.toContain('application_background');
  });

  it('a tab that says it is hidden is no longer counted', () => {
    const t = running();
    t.send(tab, 500, 'other', true);
    t.send(tab, 600, 'other', false);
    t.send(visibility, 1000, true);
    expect(t.names()).toContain('application_background');
  });

  it("the lean cookie read again: its counters taken, what this tab knows of the visitor kept (the cookie leaves it out)", () => {
    const t = running();
    t.send(identify, 100, 'alice', '{}');
    t.send(attribute, 200, 'plan', 'pro', false);
    const theirs = { ...t.model.session!, eventIndex: t.model.session!.eventIndex + 3, rev: t.model.session!.rev + 1, lastEventAt: 1500 };
    t.send(stored, 1500, encodeState(theirs, true));
    t.send(track, 1600, 'next', '{}');
    const next = t.events().at(-1)!;
    expect([next.session.eventIndex, next.user.id, next.sessionAttributes]).toEqual([theirs.eventIndex + 1, 'alice', { plan: 'pro' }]);
  });

  it('another tab came to the foreground while this one was hidden: the session says so, and no event is repeated', () => {
    const t = running();
    t.send(visibility, 1000, true);
    const state = { ...t.model.session!, siteBackground: false, rev: t.model.session!.rev + 1, lastEventAt: 1500 };
    t.send(stored, 1500, encodeState(state));
    t.send(tab, 1500, 'other', true);
    t.take();
    // This tab shows up too: the site was already in the foreground, nothing to report.
    t.send(visibility, 2000, false);
    expect(kinds(t.take())).toEqual(['announce', 'retry']);
  });

  it('a shown page that hears the site is in the background (said by a page that left, or had not heard it) records its return', () => {
    const t = running();
    const theirs = (at: number, reported: boolean) => ({ ...t.model.session!, siteBackground: true, backgroundReported: reported, rev: t.model.session!.rev + 1, lastEventAt: at });
    t.send(stored, 1500, encodeState(theirs(1500, false)));
    expect(t.model.session).toMatchObject({ siteBackground: false, lastEventAt: 1500 });
    expect(t.names()).not.toContain('application_foreground');
    // (where the background was reported, so is the return)
    t.send(stored, 2000, encodeState(theirs(2000, true)));
    expect([last(t).name, Date.parse(last(t).timestamp), t.model.session!.siteBackground]).toEqual(['application_foreground', 2000, false]);
    // A hidden page takes it as it is.
    const hidden = running();
    hidden.send(visibility, 1000, true);
    hidden.send(tab, 1100, 'other', true);
    hidden.send(stored, 1500, encodeState({ ...hidden.model.session!, rev: hidden.model.session!.rev + 1, lastEventAt: 1500 }));
    expect(hidden.model.session!.siteBackground).toBe(true);
  });

  it('hidden while its restore reads the store again: the hide is judged by the session it reads, and recorded', () => {
    const t = running();
    t.send(page, 100, '{}', place('/a'));
    t.send(pagehide, 1000, true);
    t.send(restore, 5000, place('/a'));
    t.send(visibility, 5042, true);
    t.send(reread, 6000, null, '');
    expect([last(t).name, Date.parse(last(t).timestamp), t.model.session!.siteBackground]).toEqual(['application_background', 5042, true]);
  });
});

describe('the page leaves', () => {
  it('for good (pagehide): application_exit, the tabs left, the session marked closed, what waits beaconed', () => {
    const t = running();
    t.send(pagehide, 1000, false);
    // (the tabs are left after the save, which tells them the session as this page leaves it)
    expect(kinds(t.take())).toEqual(['save', 'enqueue', 'save', 'save now', 'beacon', 'leaveTabs', 'leaveTab']);
    expect(t.effects.at(-3)).toEqual(['beacon', true]);
    expect([last(t).name, last(t).context.visibility]).toEqual(['application_exit', 'background']);
    expect(t.model.session!.closed).toBe(true);
  });

  it('into the back/forward cache (a navigation): no exit, the site in the background, not reported (the next page is no return)', () => {
    const t = running();
    const before = t.events().length;
    t.send(pagehide, 1000, true);
    expect(t.events().length).toBe(before);
    expect(t.model.session).toMatchObject({ closed: true, siteBackground: true });
    expect(t.model.session!.backgroundReported).toBeFalsy();
  });

  it('back from the cache: the tabs joined, the foreground recorded, a fresh page view when the page records them', () => {
    const t = running();
    t.send(page, 100, '{}', place('/a'));
    const before = last(t).context.page.viewId;
    t.send(pagehide, 1000, true);
    t.take();
    t.send(restore, 5000, place('/a'));
    const effects = t.take();
    expect(effects[0]).toEqual(['joinTabs', true]);
    // Back in the foreground: a failing collector may be tried now (the sender decides: core/send/batch.ts retryEarly);
    // the store is read again before anything is recorded.
    expect(kinds(effects)).toEqual(['joinTabs', 'leaveTab', 'retry', 'reread']);
    t.send(reread, 5001, null, '');
    // Back in the tab is a navigation, as the way out was: neither reported.
    expect(t.names().filter((n) => n.startsWith('application_') && n !== 'application_initialized')).toEqual([]);
    expect(t.names().at(-1)).toBe('page_view');
    expect(t.model.session!.siteBackground).toBe(false);
    // a new page view: its own view id
    expect(last(t).context.page.viewId).not.toBe(before);
    expect(t.model.session!.closed).toBe(false);
  });

  it('back from the cache: the session as the other pages left it is taken before anything is recorded (no eventIndex twice)', () => {
    const t = running();
    t.send(page, 100, '{}', place('/a'));
    t.send(pagehide, 1000, true);
    // Meanwhile the tab's next pages went on in the same session: the store holds their state.
    const later = { ...t.model.session!, eventIndex: t.model.session!.eventIndex + 7, lastEventAt: 4000, rev: t.model.session!.rev + 9, closed: true };
    const before = t.events().length;
    t.send(restore, 5000, place('/a'), 'https://shop.example/e');
    t.send(track, 5001, 'at-once', '{}');
    // Held: nothing is recorded until the store has answered, and ready() waits.
    expect(t.events().length).toBe(before);
    expect(t.model.hold).not.toBeNull();
    t.send(reread, 5002, encodeState(later), '');
    expect(t.events().slice(before).map((e) => [e.name, e.session.eventIndex])).toEqual([
      ['page_view', later.eventIndex + 1],
      ['at-once', later.eventIndex + 2],
    ]);
    expect(kinds(t.take())).toContain('resolveReady');
    expect(t.model.session).toMatchObject({ closed: false, eventIndex: later.eventIndex + 2 });
  });

  it('back from the cache: what the page it came back from handed over is taken when the store knows less (its session deleted, or its write still pending)', () => {
    for (const [store, handed] of [['none', 'later'], ['older', 'later'], ['later', 'older'], ['later', 'none']] as const) {
      const t = running();
      t.send(page, 100, '{}', place('/a'));
      t.send(pagehide, 1000, true);
      const at = t.model.session!;
      const states = {
        none: null,
        older: { ...at, eventIndex: at.eventIndex + 1, lastEventAt: 2000, rev: at.rev + 1 },
        later: { ...at, eventIndex: at.eventIndex + 4, lastEventAt: 4000, rev: at.rev + 5 },
      };
      const encoded = (name: keyof typeof states) => (states[name] ? encodeState(states[name]) : '');
      const before = t.events().length;
      t.send(restore, 5000, place('/a'));
      t.send(reread, 5001, encoded(store) || null, encoded(handed));
      expect(t.events().slice(before).map((e) => e.session.eventIndex), `the store: ${store}, handed over: ${handed}`).toEqual([states.later.eventIndex + 1]);
    }
  });

  it("the tab's next page: what the last page handed over is taken when the store knows less (its write dropped, or that page's store stalled), never in place of a store that holds nothing", () => {
    const first = running();
    first.send(page, 100, '{}', place('/a'));
    const at = first.model.session!;
    const states = {
      none: null,
      older: { ...at, eventIndex: at.eventIndex + 1, lastEventAt: 2000, rev: at.rev + 1 },
      later: { ...at, eventIndex: at.eventIndex + 6, lastEventAt: 4000, rev: at.rev + 7 },
    };
    for (const [store, handed, next] of [
      ['older', 'later', states.later.eventIndex + 1],
      ['later', 'older', states.later.eventIndex + 1],
      ['later', 'none', states.later.eventIndex + 1],
      ['none', 'later', null],
    ] as const) {
      const t = boot({ newTab: false });
      t.send('opened', 5000, states[store], 'INDEXED_DB', false, null, states[handed]);
      t.send(page, 5001, '{}', place('/b'));
      const view = t.events().find((e) => e.name === 'page_view')!;
      if (next) expect(view.session.eventIndex, `the store: ${store}, handed over: ${handed}`).toBe(next);
      expect(view.session.sessionId === at.sessionId, `the store: ${store}, handed over: ${handed}`).toBe(store !== 'none');
    }
  });

  it('running again after a freeze: the store is read again before anything is recorded, and the session the other tabs kept is taken (no eventIndex twice)', () => {
    const t = running();
    t.send(visibility, 100, true);
    t.take();
    const later = { ...t.model.session!, eventIndex: t.model.session!.eventIndex + 3, lastEventAt: 4000, rev: t.model.session!.rev + 4 };
    const before = t.events().length;
    t.send(resume, 5000);
    expect(kinds(t.take())).toEqual(['reread']);
    t.send(track, 5001, 'after-resume', '{}');
    // Held: nothing is recorded until the store has answered.
    expect(t.events().length).toBe(before);
    t.send(reread, 5002, encodeState(later), '');
    expect(t.events().slice(before).map((e) => [e.name, e.session.eventIndex])).toEqual([['after-resume', later.eventIndex + 1]]);
  });

  it('running again after a freeze, consent pending or refused, or storage not answered yet: nothing to read again, nothing held', () => {
    for (const o of [{ consent: 'pending' }, { consent: 'denied' }] as Options[]) {
      const t = running(o);
      t.take();
      t.send(resume, 5000);
      expect(kinds(t.take())).toEqual([]);
    }
    const opening = boot();
    opening.take();
    opening.send(resume, 5000);
    expect(kinds(opening.take())).toEqual([]);
  });

  it('back from the cache, and gone again before the store answered: what was held is recorded and sent as the page leaves', () => {
    const t = running();
    t.send(page, 100, '{}', place('/a'));
    t.send(pagehide, 1000, true);
    t.send(restore, 5000, place('/a'));
    t.send(track, 5001, 'held', '{}');
    t.take();
    t.send(pagehide, 5500, true);
    const effects = t.take();
    const names = t.names();
    expect(names.slice(names.lastIndexOf('page_view'))).toEqual(['page_view', 'held']);
    expect(kinds(effects)).toContain('resolveReady');
    // (recorded before the page's own leave, and saved and beaconed with it)
    expect(kinds(effects).indexOf('resolveReady')).toBeLessThan(kinds(effects).indexOf('beacon'));
    expect(t.model.hold).toBeNull();
    // The late answer finds nothing held: nothing is recorded twice.
    const count = t.events().length;
    t.send(reread, 6000, null, '');
    expect(t.events().length).toBe(count);
  });

  it("back from the cache: the page view's referrer is the page the visitor came back from, else the page's own", () => {
    for (const [from, referrer] of [['https://shop.example/e', 'https://shop.example/e'], [null, 'https://search.example/']] as const) {
      const t = running();
      t.send(page, 100, '{}', place('/a'));
      t.send(pagehide, 1000, true);
      t.send(restore, 5000, place('/a'), from);
      t.send(reread, 5001, null, '');
      expect(t.events().at(-1)!.context.page.referrer, String(from)).toBe(referrer);
    }
  });

  it('back from the cache: events the hold had to drop meanwhile are counted; a late answer after a withdrawal does nothing', () => {
    const t = running();
    t.send(pagehide, 1000, true);
    t.send(restore, 5000, place('/a'));
    for (let i = 0; i < 5001; i++) t.send(track, 5001, 'burst', '{}');
    t.take();
    t.send(reread, 6000, null, '');
    expect(t.take().filter((e) => e[0] === 'lost')).toEqual([['lost', 1]]);
    const withdrawn = running();
    withdrawn.send(pagehide, 1000, true);
    withdrawn.send(restore, 5000, place('/a'));
    withdrawn.send(consent, 5001, 'denied', 'page', false);
    withdrawn.take();
    withdrawn.send(reread, 5002, null, '');
    expect(withdrawn.take()).toEqual([]);
  });

  it('back from the cache on a page that never called page(): no page view', () => {
    const t = running();
    t.send(pagehide, 1000, true);
    t.send(restore, 5000, place('/a'));
    t.send(reread, 5001, null, '');
    expect(t.names()).toEqual(['session_start', 'application_initialized']);
  });

  it('a page hidden (the background reported) that left into the cache and came back: its return is reported', () => {
    const t = running();
    t.send(visibility, 1000, true);
    t.send(pagehide, 2000, true);
    t.send(restore, 5000, place('/a'));
    t.send(reread, 5001, null, '');
    expect(t.names()).toEqual(['session_start', 'application_initialized', 'application_background', 'application_foreground']);
    expect(t.model.session).toMatchObject({ siteBackground: false, backgroundReported: false });
  });

  it('hidden or gone before storage answered: nothing to save or beacon yet (the shell goes on with a stand-in first)', () => {
    const t = boot();
    t.take();
    t.send(visibility, 1000, true);
    expect(kinds(t.take())).toEqual(['announce']);
  });
});

describe('application_initialized, once per tab', () => {
  const found = (over: object = {}) => ({
    userId: '11111111-1111-4111-8111-111111111111',
    sessionId: '22222222-2222-4222-8222-222222222222',
    sessionIndex: 3,
    previousSessionId: null,
    firstEventId: id(1),
    firstEventAt: 0,
    eventIndex: 4,
    startedAt: 0,
    lastEventAt: 0,
    siteBackground: false,
    ended: null,
    attributes: {},
    attributesAt: 0,
    utm: null,
    businessUserId: null,
    profileId: null,
    appVersion: '2.0.0',
    closed: true,
    rev: 9,
    ...over,
  });
  // [case, install type, what the device held, another tab open, expected properties]
  const cases: [string, 'auto' | 'known_install' | 'known_upgrade', object | null, boolean, object][] = [
    ['a first visit', 'auto', null, false, { is_first_run: true, is_upgrade: false, successfully_closed: true }],
    ['a return, the same version, closed cleanly', 'auto', found(), false, { is_first_run: false, is_upgrade: false, successfully_closed: true }],
    ['another version was stored: an upgrade', 'auto', found({ appVersion: '1.9.0' }), false, { is_first_run: false, is_upgrade: true, successfully_closed: true }],
    ['the last page did not close cleanly: a crash', 'auto', found({ closed: false }), false, { is_first_run: false, is_upgrade: false, successfully_closed: false }],
    ['not closed, but another tab is open: no crash', 'auto', found({ closed: false }), true, { is_first_run: false, is_upgrade: false, successfully_closed: true }],
    ['known_install overrides', 'known_install', found(), false, { is_first_run: true, is_upgrade: false, successfully_closed: true }],
    ['known_upgrade overrides', 'known_upgrade', null, false, { is_first_run: false, is_upgrade: true, successfully_closed: true }],
  ];
  it.each(cases)('%s', (_, installType, state, othersOpen, props) => {
    const t = boot({ settings: { installType } });
    t.open(10, state as never, 'COOKIE_1', othersOpen);
    const initialized = t.events().find((e) => e.name === 'application_initialized')!;
    expect(initialized.properties).toEqual({ transition_type: 'application_initialized', ...props });
    t.send(pagehide, 20, false);
    expect(t.effects.filter((e) => e[0] === 'leaveTab')).toEqual([['leaveTab', encodeState(t.model.session!)]]);
  });

  it('tab after tab, each starting from what the last one left: first run, return visit, upgrade, and installType', () => {
    // [the tab's app version, its install type, its application_initialized's properties]
    const tabs: [string, 'auto' | 'known_install' | 'known_upgrade', object][] = [
      ['1.0.0', 'auto', { is_first_run: true, is_upgrade: false, successfully_closed: true }],
      ['1.0.0', 'auto', { is_first_run: false, is_upgrade: false, successfully_closed: true }],
      ['1.1.0', 'auto', { is_first_run: false, is_upgrade: true, successfully_closed: true }],
      ['1.1.0', 'known_install', { is_first_run: true, is_upgrade: false, successfully_closed: true }],
      ['1.1.0', 'known_upgrade', { is_first_run: false, is_upgrade: true, successfully_closed: true }],
    ];
    let saved: SessionState | null = null;
    for (const [i, [appVersion, installType, props]] of tabs.entries()) {
      const t = boot({ at: i * 1000, settings: { appVersion, installType } });
      // (the earlier tabs are still open, as in a browser where each is opened beside the last)
      t.open(i * 1000, saved, 'COOKIE_1', saved !== null);
      const initialized = t.events().filter((e) => e.name === 'application_initialized');
      expect(initialized.map((e) => e.properties), `tab ${i + 1}`).toEqual([{ transition_type: 'application_initialized', ...props }]);
      // What the next tab finds: the state as this one saved it (the whole record).
      saved = decodeState(encodeState(t.model.session!));
    }
  });

  it('not again in a tab that reported it (another page of the tab)', () => {
    const t = boot({ newTab: false });
    t.open(0);
    expect(t.names()).toEqual([]);
  });

  it('a start that finds the site in another state than the session says syncs it silently', () => {
    const t = boot({ pageHidden: true });
    t.open(10, found({ closed: true, lastEventAt: 5 }) as never);
    expect(t.names()).toEqual(['application_initialized']);
    expect(t.model.session!.siteBackground).toBe(true);
    expect(t.model.session!.closed).toBe(false);
    expect(t.model.session!.appVersion).toBe('2.0.0');
  });

  // [case, the page starts hidden, what the session found says, the tab's page, the site's events at start]
  const returns: [string, boolean, object, boolean, string[]][] = [
    ['visible, the background was reported (a new tab after a tab switch): the return is reported', false, { siteBackground: true, backgroundReported: true }, true, ['application_foreground']],
    ['visible, the same in the tab\'s next page (the tab came back, then navigated)', false, { siteBackground: true, backgroundReported: true }, false, ['application_foreground']],
    ['visible, the background recorded by a page that left (a link to the next page): silent', false, { siteBackground: true, backgroundReported: false }, false, []],
    ['visible, no background reported on this device yet (no word on it): silent', false, { siteBackground: true, backgroundReported: null }, true, []],
    ['hidden, the site in the foreground (a tab opened in the background): silent', true, { siteBackground: false }, true, []],
    ['hidden, the background reported: nothing changes', true, { siteBackground: true, backgroundReported: true }, true, []],
  ];
  it.each(returns)('a start, %s', (_, pageHidden, state, newTab, events) => {
    const t = boot({ pageHidden, newTab });
    t.open(10, found({ closed: true, lastEventAt: 5, ...state }) as never);
    expect(t.names().filter((n) => n !== 'application_initialized')).toEqual(events);
    expect(t.model.session!.siteBackground).toBe(pageHidden);
    if (events.length) expect(t.model.session!.backgroundReported).toBe(false);
  });
});
