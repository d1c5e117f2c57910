/**
 * GPP to a consent state (src/consent/gpp.ts): the fields' table, what Stint cannot read (never a grant), and the
 * watch of a CMP in each published shape of the API, in Node: the IAB Tech Lab's own CMP API (@iabgpp/cmpapi, which
 * encodes the sections and answers `__gpp` as the GPP specification says) behind a stub with an `events` list, behind
 * the specification's own example stub (e2e/pages/gpp-spec-stub.js, which has none) or none; hand-made 1.0 CMPs
 * (e2e/pages/gpp-10-cmp.js); a CMP behind its `__gppLocator` frame, its answers coming later. The browsers' side (the
 * part, real pages and tabs) is e2e/gpp.spec.ts.
 */
import { CmpApi, SignalStatus } from '@iabgpp/cmpapi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { watchGpp } from '../src/consent/gpp';
import { gppConsent, type GppData, type GppPing, type GppSections } from '../src/consent/gpp-read';
import { gpp10 } from '../e2e/pages/gpp-10-cmp.js';

const ready = (parsedSections: GppPing['parsedSections'], applicableSections = [7]): GppPing => ({ signalStatus: 'ready', applicableSections, parsedSections });
/** A 1.0 CMP's ping once it has loaded, its sections listed in `field`. */
const loaded10 = (listed: string[], field: 'supportedAPIs' | 'apiSupport' = 'supportedAPIs'): GppPing => ({
  gppVersion: '1.0',
  cmpStatus: 'loaded',
  cmpDisplayStatus: 'hidden',
  [field]: listed,
});

describe('GPP to a consent state', () => {
  it.each([
    ['the signal is not ready', { signalStatus: 'not ready', parsedSections: { usnat: { SaleOptOut: 2 } } }, 'pending'],
    ['no section applies ([-1])', ready({}, [-1]), 'granted'],
    ['usnat: no opt-out (2 = did not opt out)', ready({ usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2, Gpc: false } }), 'granted'],
    ['usnat: not applicable fields (0)', ready({ usnat: { SaleOptOut: 0, SharingOptOut: 0, TargetedAdvertisingOptOut: 0 } }), 'granted'],
    ['usnat: SaleOptOut', ready({ usnat: { SaleOptOut: 1, SharingOptOut: 2 } }), 'denied'],
    ['usnat: SharingOptOut', ready({ usnat: { SaleOptOut: 2, SharingOptOut: 1 } }), 'denied'],
    ['usnat: TargetedAdvertisingOptOut', ready({ usnat: { TargetedAdvertisingOptOut: 1 } }), 'denied'],
    ['usnat: Gpc', ready({ usnat: { SaleOptOut: 2, Gpc: true } }), 'denied'],
    ['usca: SaleOptOut', ready({ usca: { SaleOptOut: 1 } }, [8]), 'denied'],
    ['usva: TargetedAdvertisingOptOut', ready({ usva: { TargetedAdvertisingOptOut: 1 } }, [9]), 'denied'],
    ['a later state section, by its fields', ready({ usxx: { SharingOptOut: 1 } }, [99]), 'denied'],
    ['a key with its version (usnatv1)', ready({ usnatv1: { SaleOptOut: 1 } }), 'denied'],
    ['a section as a list of its segments (the GPC segment apart)', ready({ usnat: [{ SaleOptOut: 2 }, { Gpc: true }] }), 'denied'],
    ['uspv1: OptOutSale (the US Privacy string\'s Y)', ready({ uspv1: { OptOutSale: 'Y' } }, [6]), 'denied'],
    ['uspv1: no opt-out', ready({ uspv1: { OptOutSale: 'N' } }, [6]), 'granted'],
    ['tcfeuv2: purposes 1, 8, 9', ready({ tcfeuv2: { PurposeConsents: consents(1, 8, 9) } }, [2]), 'granted'],
    ['tcfeuv2: 8 and 9 by legitimate interest', ready({ tcfeuv2: { PurposeConsents: consents(1), PurposeLegitimateInterests: consents(8, 9) } }, [2]), 'granted'],
    ['tcfeuv2: no purpose 1', ready({ tcfeuv2: { PurposeConsents: consents(8, 9) } }, [2]), 'denied'],
    ['tcfcav1: express consent to 1, 8, 9', ready({ tcfcav1: { PurposesExpressConsent: consents(1, 8, 9) } }, [5]), 'granted'],
    ['tcfcav1: nothing', ready({ tcfcav1: { PurposesExpressConsent: consents() } }, [5]), 'denied'],
    ['1.0: loaded, no UI', { gppVersion: '1.0', cmpStatus: 'loaded', cmpDisplayStatus: 'hidden', parsedSections: { usnatv1: { SaleOptOut: 2 } } }, 'granted'],
    ['1.0: its UI shown', { gppVersion: '1.0', cmpStatus: 'loaded', cmpDisplayStatus: 'visible' }, 'pending'],
    ['the specification\'s example stub (cmpStatus stub, applicableSections [-1])', { gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', applicableSections: [-1] }, 'pending'],
  ] as const)('%s', (_, ping, expected) => {
    expect(gppConsent(ping as GppPing).state).toBe(expected);
  });
});

describe('GPP: a signal Stint cannot read is never a grant (the sections a decision needs, and those it lacks)', () => {
  const usnat = (SaleOptOut: number) => ({ SaleOptOut, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 });
  it.each<[string, GppPing, GppData | null, GppSections, string, string[]]>([
    ['1.1: usnat applies, parsedSections lacks it', ready({}), null, {}, 'pending', ['usnat']],
    ['1.1: usnat applies, given as null', ready({ usnat: null as never }), null, {}, 'pending', ['usnat']],
    ['1.1: usnat applies, getSection gave it', ready({}), null, { usnat: [usnat(2)] }, 'granted', []],
    ['1.1: usnat and usca apply, usca is missing', ready({ usnat: usnat(2) }, [7, 8]), null, {}, 'pending', ['usca']],
    ['1.1: a refusal read wins over a section missing', ready({ usca: { SaleOptOut: 1 } }, [7, 8]), null, {}, 'denied', []],
    ['1.1: uspv1 applies, given as usp', ready({ usp: { OptOutSale: 'N' } }, [6]), null, {}, 'granted', []],
    ["1.1: a later section named by supportedAPIs' id:prefix", { ...ready({}, [28]), supportedAPIs: ['7:usnat', '28:usxx'] }, null, {}, 'pending', ['usxx']],
    ['1.1: a section id Stint cannot name (judged by what the CMP gives)', ready({}, [99]), null, {}, 'granted', []],
    ['1.1: no applicability, sectionList [7]: usnat', { ...ready({}, []), sectionList: [7] }, null, {}, 'pending', ['usnat']],
    ['1.0 (supportedAPIs): getGPPData says usnat applies, nothing read', loaded10(['usnatv1']), { applicableSections: [7] }, {}, 'pending', ['usnatv1']],
    ['1.0 (apiSupport): the same', loaded10(['usnatv1'], 'apiSupport'), { applicableSections: [7] }, {}, 'pending', ['usnatv1']],
    ['1.0: usnatv1 read, SaleOptOut 1', loaded10(['usnatv1']), { applicableSections: [7] }, { usnat: usnat(1) }, 'denied', []],
    ['1.0: usnatv1 read, SaleOptOut 2', loaded10(['usnatv1']), { applicableSections: [7] }, { usnatv1: usnat(2) }, 'granted', []],
    ['1.0: no applicability: each US section it supports is needed', loaded10(['tcfeuv2', 'usnatv1', 'usca']), null, { usnatv1: usnat(2) }, 'pending', ['usca']],
    ['1.0: no applicability, getGPPData sectionList [7]: usnat only', loaded10(['tcfeuv2', 'usnatv1', 'usca']), { sectionList: [7] }, { usnatv1: usnat(2) }, 'granted', []],
    ['1.0: getGPPData says no section applies ([-1])', loaded10(['usnatv1']), { applicableSections: [-1] }, {}, 'granted', []],
    ["1.0: its text's tcfcav2, asked for as it lists it", loaded10(['tcfeuv2', 'tcfcav2']), { applicableSections: [5] }, {}, 'pending', ['tcfcav2']],
    // Applicability says what a grant needs, never which refusals count (issue 54)
    ['1.0: usnatv1 applies and grants, uscav1 (not applicable) SharingOptOut 1', loaded10(['usnatv1', 'uscav1'], 'apiSupport'), { applicableSections: [7] }, { usnatv1: usnat(2), uscav1: { SharingOptOut: 1 } }, 'denied', []],
    ['1.0: the same, uscav1 not read yet: pending on nothing, the watch waits for it', loaded10(['usnatv1', 'uscav1']), { applicableSections: [7] }, { usnatv1: usnat(2) }, 'granted', []],
    ['1.1: usnat applies, usca (not applicable) Gpc', ready({ usnat: usnat(2), usca: { Gpc: true } }), null, {}, 'denied', []],
    ['1.1: no section applies ([-1]), usva opts out of targeted advertising', ready({ usva: { TargetedAdvertisingOptOut: 1 } }, [-1]), null, {}, 'denied', []],
  ])('%s', (_, ping, data, got, state, unread) => {
    expect(gppConsent(ping, data, got)).toMatchObject({ state, unread });
  });
});

describe('GPP: the sections Stint asks for, since an opt-out in any of them refuses (ask)', () => {
  it.each<[string, GppPing, GppData | null, GppSections, string[]]>([
    ['1.0: what applies first, then each it supports, as it lists them', loaded10(['tcfeuv2', 'usnatv1', 'uscav1', 'other']), { applicableSections: [7] }, {}, ['usnatv1', 'tcfeuv2', 'uscav1']],
    ['1.0 (apiSupport): the sections of its string too; not what it gave', loaded10(['usnatv1'], 'apiSupport'), { sectionList: [7, 9] }, { usnat: {} }, ['usva']],
    ['1.1: the sections of its string that parsedSections lacks', { ...ready({ usnat: {} }), sectionList: [7, 8], supportedAPIs: ['7:usnat', '8:usca', '9:usva'] }, null, {}, ['usca']],
    ['1.1: a later section by its id:prefix', { ...ready({}, [-1]), sectionList: [28], supportedAPIs: ['28:usxx'] }, null, {}, ['usxx']],
    ['the signal not ready: nothing', { signalStatus: 'not ready', sectionList: [7] }, null, {}, []],
  ])('%s', (_, ping, data, got, names) => {
    expect(gppConsent(ping, data, got).ask).toEqual(names);
  });
});

function consents(...purposes: number[]): boolean[] {
  return Array.from({ length: 24 }, (_, i) => purposes.includes(i + 1));
}

type Gpp = (command?: string, callback?: (value: unknown, success: boolean) => void, parameter?: unknown) => unknown;
const page = globalThis as unknown as { __gpp?: Gpp & { events?: { callback: (value: unknown, success: boolean) => void }[] } };

/** A stub with an `events` list (as e2e/pages/gpp-stub.js): queues the calls made before the CMP loads, which takes its listeners over. */
function stub() {
  const queue: unknown[][] = [];
  const events: unknown[] = [];
  page.__gpp = (...args: unknown[]) => {
    if (!args.length) return queue;
    const [command, callback, parameter] = args as [string, (v: unknown, ok: boolean) => void, unknown];
    const ping = { gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', signalStatus: 'not ready', supportedAPIs: [], cmpId: 0, sectionList: [], applicableSections: [-1], gppString: '', parsedSections: {} };
    if (command === 'events') return events;
    if (command === 'ping') return callback?.(ping, true);
    if (command === 'addEventListener') {
      const id = events.length + 1;
      events.push({ id, callback, parameter });
      return callback?.({ eventName: 'listenerRegistered', listenerId: id, data: true, pingData: ping }, true);
    }
    queue.push(args);
  };
}

/** The GPP specification's example stub, the file the browsers load (its `__gppLocator` frame taken as there). */
function specStub() {
  vi.stubGlobal('frames', { __gppLocator: {} });
  vi.stubGlobal('addEventListener', () => {});
  new Function(readFileSync(join(__dirname, '../e2e/pages/gpp-spec-stub.js'), 'utf8'))();
}

describe('the watch of a GPP CMP', () => {
  let states: string[];
  let stop: () => void;
  let warned: MockInstance<typeof console.warn>;
  const warnings = () => warned.mock.calls.map((c) => String(c.join(' ')));
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', globalThis);
    warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    states = [];
  });
  afterEach(() => {
    stop?.();
    for (const name of ['__gpp', '__gpp_stub', '__gpp_addFrame', '__gpp_msghandler']) delete (globalThis as Record<string, unknown>)[name];
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });
  const watch = () => (stop = watchGpp((state) => states.push(state)));

  /** A CMP on the IAB's API: the visitor's sections, then its signal ready. */
  const cmp = (fields: Record<string, Record<string, unknown>>) => {
    const api = new CmpApi(7, 1);
    const set = (next: Record<string, Record<string, unknown>>) => {
      for (const [section, values] of Object.entries(next)) for (const [field, value] of Object.entries(values)) api.setFieldValue(section, field, value);
      api.setApplicableSections([7]);
      api.setSignalStatus(SignalStatus.READY);
      for (const section of Object.keys(next)) api.fireSectionChange(section);
    };
    set(fields);
    return { api, set };
  };

  it('its stub first: pending until the signal is ready; each opt-out field refuses, its return grants; stop removes the listener', () => {
    stub();
    watch();
    expect(states).toEqual([]);
    const { set } = cmp({ usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } });
    expect(states).toEqual(['granted']);
    for (const field of ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut']) {
      set({ usnat: { [field]: 1 } });
      set({ usnat: { [field]: 2 } });
    }
    set({ usnat: { Gpc: true } });
    set({ usnat: { Gpc: false } });
    expect(states).toEqual(['granted', ...Array(4).fill(['denied', 'granted']).flat()]);
    stop();
    set({ usnat: { SaleOptOut: 1 } });
    expect(states).toHaveLength(9);
    expect(warnings()).toEqual([]);
  });

  it("the specification's example stub, then the IAB's CMP API replacing it: Stint registers with the CMP and decides; the stub's registration no longer counts; stop removes the CMP's listener", () => {
    specStub();
    const specs = page.__gpp!;
    watch();
    vi.advanceTimersByTime(1000);
    expect(states).toEqual([]);
    const { set } = cmp({ usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } });
    // (the CMP found no `events` to take over: Stint's listener went with the stub)
    expect(states).toEqual([]);
    const cmpApi = page.__gpp!;
    const calls = vi.fn(cmpApi);
    page.__gpp = calls as typeof cmpApi;
    vi.advanceTimersByTime(250);
    expect(states).toEqual(['granted']);
    // An event through the stub's old registration (its list, which someone may still call) does not count.
    specs.events![0].callback({ eventName: 'signalStatus', listenerId: 1, data: 'ready', pingData: ready({ usnat: { SaleOptOut: 1 } }) }, true);
    expect(states).toEqual(['granted']);
    set({ usnat: { SaleOptOut: 1 } });
    expect(states).toEqual(['granted', 'denied']);
    stop();
    expect(calls).toHaveBeenCalledWith('removeEventListener', expect.any(Function), 1000);
    vi.advanceTimersByTime(20_000);
    expect(warnings()).toEqual([]);
  });

  it("the specification's example stub never replaced: looked at for 10 s, then one warning; consent pending; stop does not throw (its removeEventListener does)", () => {
    specStub();
    watch();
    vi.advanceTimersByTime(9_999);
    expect(warnings()).toEqual([]);
    vi.advanceTimersByTime(20_001);
    expect(states).toEqual([]);
    expect(warnings()).toEqual([expect.stringContaining('no GPP CMP answered in 10 s')]);
    expect(() => stop()).not.toThrow();
  });

  it('a CMP that loads after Stint, without a stub: looked for until it is there', () => {
    watch();
    vi.advanceTimersByTime(1000);
    stub();
    cmp({ usca: { SaleOptOut: 1 } });
    expect(states).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(states).toEqual(['denied']);
  });

  it('no CMP at all: one warning after ten seconds, and consent stays pending', () => {
    watch();
    vi.advanceTimersByTime(30_000);
    expect(states).toEqual([]);
    expect(warnings()).toEqual([expect.stringContaining('no GPP CMP answered in 10 s')]);
  });

  it('a CMP that throws, or answers with data Stint cannot read: nothing thrown, one warning, consent pending', () => {
    page.__gpp = () => {
      throw new Error('broken CMP');
    };
    expect(watch).not.toThrow();
    expect(warnings()).toEqual([expect.stringContaining('the GPP CMP threw')]);
    page.__gpp = (command, callback) =>
      callback!(command === 'addEventListener' ? { listenerId: 1, pingData: { signalStatus: 'ready', applicableSections: 7, parsedSections: 'usnat' } } : null, true);
    expect(() => watchGpp((state) => states.push(state))()).not.toThrow();
    page.__gpp = (command, callback) =>
      callback!(command === 'addEventListener' ? { listenerId: 1, pingData: { signalStatus: 'ready', parsedSections: { usnat: null, usca: 7 } } } : null, true);
    expect(() => watchGpp((state) => states.push(state))()).not.toThrow();
    expect(states).toEqual(['granted', 'granted']);
    expect(warnings()).toHaveLength(1);
  });

  it("a 1.0 CMP's stub that answers by return values, its sections asked for by name (usnatv1 announced, usnat answered)", () => {
    const calls: unknown[][] = [];
    page.__gpp = (command, _callback, parameter) => {
      calls.push([command, parameter]);
      const pingData = { gppVersion: '1.0', cmpStatus: 'loaded', cmpDisplayStatus: 'hidden', apiSupport: ['usnatv1'] };
      if (command === 'addEventListener') return { eventName: 'listenerRegistered', listenerId: 3, data: true, pingData };
      if (command === 'ping') return pingData;
      if (command === 'getSection') return parameter === 'usnat' ? { SaleOptOut: 1 } : null;
      return true;
    };
    watch();
    expect(states).toEqual(['denied']);
    stop();
    expect(calls).toContainEqual(['removeEventListener', 3]);
  });

  describe('a 1.0 CMP (e2e/pages/gpp-10-cmp.js), each field name and each way of answering', () => {
    it.each([
      ['supportedAPIs', 'return'],
      ['supportedAPIs', 'callback'],
      ['apiSupport', 'return'],
      ['apiSupport', 'callback'],
    ])('its sections in %s, answers by %s: usnatv1 SaleOptOut 1 refuses, 2 grants', (field, answers) => {
      page.__gpp = gpp10(field, answers, { usnatv1: { SaleOptOut: 1 } });
      watch()();
      page.__gpp = gpp10(field, answers, { usnatv1: { SaleOptOut: 2, SharingOptOut: 2 } });
      watch();
      expect(states).toEqual(['denied', 'granted']);
      expect(warnings()).toEqual([]);
    });
  });

  describe('an opt-out in a section that does not apply refuses: never a grant first (issue 54)', () => {
    const sections = { usnatv1: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 }, uscav1: { SaleOptOut: 2, SharingOptOut: 1 } };
    it.each([
      ['supportedAPIs', 'return'],
      ['supportedAPIs', 'callback'],
      ['apiSupport', 'return'],
      ['apiSupport', 'callback'],
    ])('1.0: sections in %s, answers by %s; getGPPData says only usnat applies, uscav1 opts out of sharing', (field, answers) => {
      expect(gpp10(field, 'return', sections, ['usnatv1'])('getGPPData')).toMatchObject({ applicableSections: [7], sectionList: [7, 8] });
      page.__gpp = gpp10(field, answers, sections, ['usnatv1']);
      watch();
      vi.advanceTimersByTime(30_000);
      expect(states).toEqual(['denied']);
      expect(warnings()).toEqual([]);
    });

    it("1.1: the IAB's CMP API, usnat applies (no opt-out), usca does not and opts out of sharing", () => {
      stub();
      const api = new CmpApi(7, 1);
      api.setFieldValue('usnat', 'SaleOptOut', 2);
      api.setFieldValue('usca', 'SharingOptOut', 1);
      api.setApplicableSections([7]);
      api.setSignalStatus(SignalStatus.READY);
      watch();
      vi.advanceTimersByTime(30_000);
      expect(states).toEqual(['denied']);
      expect(warnings()).toEqual([]);
    });

    it('1.1: a section of its string missing from parsedSections is asked for with getSection; its opt-out refuses', () => {
      const ping = { ...ready({ usnat: { SaleOptOut: 2 } }), sectionList: [7, 8] };
      page.__gpp = (command, callback, parameter) =>
        callback!(command === 'getSection' ? (parameter === 'usca' ? { SaleOptOut: 1 } : null) : command === 'ping' ? ping : { listenerId: 1, pingData: ping }, true);
      watch();
      expect(states).toEqual(['denied']);
    });

    it('a grant waits for a section that does not apply (a second at most): its late opt-out is the only decision; a CMP that never answers it is granted after the second', () => {
      const later: (() => void)[] = [];
      const slow = (cmp10: Gpp): Gpp => (command, callback, parameter) =>
        command === 'getSection' && String(parameter).startsWith('usca') ? (later.push(() => cmp10(command, callback, parameter)), undefined) : cmp10(command, callback, parameter);
      page.__gpp = slow(gpp10('supportedAPIs', 'callback', sections, ['usnatv1']));
      watch();
      vi.advanceTimersByTime(500);
      expect(states).toEqual([]);
      later.forEach((answer) => answer());
      expect(states).toEqual(['denied']);
      stop();
      states = [];
      later.length = 0;
      page.__gpp = slow(gpp10('supportedAPIs', 'callback', { ...sections, uscav1: { SharingOptOut: 2 } }, ['usnatv1']));
      watch();
      vi.advanceTimersByTime(999);
      expect(states).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(states).toEqual(['granted']);
      expect(warnings()).toEqual([]);
    });
  });

  describe('a section that applies and cannot be read: pending, one warning naming it', () => {
    /** A 1.0 CMP whose usnatv1 applies; `getSection` as the row says. */
    const broken10 = (getSection: Gpp) => {
      const cmp10 = gpp10('supportedAPIs', 'return', { usnatv1: { SaleOptOut: 2 } });
      return ((command, callback, parameter) => (command === 'getSection' ? getSection(command, callback, parameter) : cmp10(command, callback, parameter))) as Gpp;
    };
    it.each<[string, Gpp, string]>([
      ['1.0: getSection answers null', gpp10('supportedAPIs', 'return', { usnatv1: null }), 'usnatv1'],
      ['1.0: getSection answers nothing', broken10(() => undefined), 'usnatv1'],
      ['1.0: getSection throws', broken10(() => { throw new Error('no'); }), 'usnatv1'],
      ['1.0 by callbacks: getSection answers null', gpp10('apiSupport', 'callback', { usnatv1: null }), 'usnatv1'],
      [
        '1.1: usnat applies, not in parsedSections, getSection answers null',
        (command, callback) => callback!(command === 'getSection' ? null : command === 'ping' ? ready({}) : { listenerId: 1, pingData: ready({}) }, command !== 'getSection'),
        'usnat',
      ],
    ])('%s', (_, gpp, name) => {
      page.__gpp = gpp;
      watch();
      vi.advanceTimersByTime(999);
      expect(warnings()).toEqual([]);
      vi.advanceTimersByTime(30_000);
      expect(states).toEqual([]);
      expect(warnings()).toEqual([`[stint] the GPP CMP says ${name} applies, but gives no section Stint can read: consent stays pending`]);
    });
  });

  it('a section that comes later, by a callback: kept, and decided on', () => {
    const cmp10 = gpp10('supportedAPIs', 'callback', { usnatv1: { SaleOptOut: 1 } });
    const later: (() => void)[] = [];
    page.__gpp = (command, callback, parameter) => (command === 'getSection' ? later.push(() => cmp10(command, callback, parameter)) && undefined : cmp10(command, callback, parameter));
    watch();
    expect(states).toEqual([]);
    later.forEach((answer) => answer());
    expect(states).toEqual(['denied']);
    vi.advanceTimersByTime(30_000);
    expect(warnings()).toEqual([]);
  });

  it("a CMP behind the page's __gppLocator frame: its stub answers first; once ping answers as the CMP, Stint registers again; a section getSection gives later decides", () => {
    const posted: { __gppCall: { command: string; parameter: unknown; callId: number } }[] = [];
    let hear: (event: { data: unknown }) => void = () => {};
    vi.stubGlobal('frames', { __gppLocator: {} });
    vi.stubGlobal('addEventListener', (_: string, listener: typeof hear) => (hear = listener));
    vi.stubGlobal('removeEventListener', () => {});
    vi.stubGlobal('postMessage', (message: (typeof posted)[number]) => posted.push(message));
    /** The page's stub's message handler: what Stint posted, run by the page's `gpp`, each answer a message (as text). */
    const deliver = (gpp: Gpp) => {
      for (const { __gppCall: call } of posted.splice(0))
        gpp(call.command, (returnValue, success) => hear({ data: JSON.stringify({ __gppReturn: { returnValue, success, callId: call.callId } }) }), call.parameter);
    };
    const stubPing = { gppVersion: '1.1', cmpStatus: 'stub', applicableSections: [-1] };
    // (a stub without an events list: what it registered is lost when the CMP comes)
    const pageStub: Gpp = (command, callback) => callback!(command === 'ping' ? stubPing : { listenerId: 1, pingData: stubPing }, true);
    const pageCmp: Gpp = (command, callback, parameter) =>
      callback!(command === 'getSection' ? (parameter === 'usnat' ? [{ SaleOptOut: 1 }] : null) : command === 'ping' ? ready({}) : { listenerId: 5, pingData: ready({}) }, true);
    watch();
    deliver(pageStub);
    vi.advanceTimersByTime(250);
    expect(posted.map((m) => m.__gppCall.command)).toEqual(['ping']);
    deliver(pageCmp);
    expect(posted.map((m) => m.__gppCall.command)).toEqual(['addEventListener', 'ping']);
    deliver(pageCmp);
    // (asked again for each answer that brought the ping: the registration's, the ping's)
    expect(new Set(posted.map((m) => `${m.__gppCall.command} ${m.__gppCall.parameter}`))).toEqual(new Set(['getSection usnat', 'getSection usnatv1']));
    expect(states).toEqual([]);
    deliver(pageCmp);
    expect(states).toEqual(['denied']);
    stop();
    expect(posted.map((m) => [m.__gppCall.command, m.__gppCall.parameter])).toEqual([['removeEventListener', 5]]);
    vi.advanceTimersByTime(30_000);
    expect(warnings()).toEqual([]);
  });
});
