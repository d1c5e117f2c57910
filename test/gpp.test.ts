/**
 * GPP to a consent state (src/consent/gpp.ts): the fields' table, and the watch of a CMP built on the IAB Tech Lab's
 * own CMP API (@iabgpp/cmpapi, which encodes the sections and answers `__gpp` as the GPP specification says), in
 * Node: its stub first or none, loaded before or after Stint, each opt-out field flipping the state. The browsers'
 * side (the part, the `__gppLocator` frame, real pages and tabs) is e2e/consent.spec.ts.
 */
import { CmpApi, SignalStatus } from '@iabgpp/cmpapi';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gppConsent, watchGpp, type GppPing } from '../src/consent/gpp';

const ready = (parsedSections: GppPing['parsedSections'], applicableSections = [7]): GppPing => ({ signalStatus: 'ready', applicableSections, parsedSections });

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
  ] as const)('%s', (_, ping, expected) => {
    expect(gppConsent(ping as GppPing)).toBe(expected);
  });
});

function consents(...purposes: number[]): boolean[] {
  return Array.from({ length: 24 }, (_, i) => purposes.includes(i + 1));
}

/** The GPP specification's stub (CMP API 1.1, "stub"): queues the calls made before the CMP loads. */
function stub() {
  const queue: unknown[][] = [];
  const events: unknown[] = [];
  const w = globalThis as unknown as { __gpp?: (...a: unknown[]) => unknown };
  w.__gpp = (...args: unknown[]) => {
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

describe('the watch of a GPP CMP (the IAB Tech Lab CMP API)', () => {
  let states: string[];
  let stop: () => void;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', globalThis);
    states = [];
  });
  afterEach(() => {
    stop?.();
    delete (globalThis as { __gpp?: unknown }).__gpp;
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

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
    stop = watchGpp((state) => states.push(state));
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
  });

  it('a CMP that loads after Stint, without a stub: looked for until it is there', () => {
    stop = watchGpp((state) => states.push(state));
    vi.advanceTimersByTime(1000);
    stub();
    cmp({ usca: { SaleOptOut: 1 } });
    expect(states).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(states).toEqual(['denied']);
  });

  it('no CMP at all: one warning after five seconds, and consent stays pending', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    stop = watchGpp((state) => states.push(state));
    vi.advanceTimersByTime(10_000);
    expect(states).toEqual([]);
    expect(warn.mock.calls.map((c) => String(c.join(' ')))).toEqual([expect.stringContaining('no __gpp appeared')]);
  });

  it('a CMP that throws, or answers with data Stint cannot read: nothing thrown, one warning, consent pending', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    (globalThis as { __gpp?: unknown }).__gpp = () => {
      throw new Error('broken CMP');
    };
    expect(() => (stop = watchGpp((state) => states.push(state)))).not.toThrow();
    expect(warn.mock.calls.map((c) => String(c.join(' ')))).toEqual([expect.stringContaining('the GPP CMP threw')]);
    (globalThis as { __gpp?: unknown }).__gpp = (command: string, callback: (v: unknown, ok: boolean) => void) =>
      callback(command === 'addEventListener' ? { listenerId: 1, pingData: { signalStatus: 'ready', applicableSections: 7, parsedSections: 'usnat' } } : null, true);
    expect(() => watchGpp((state) => states.push(state))()).not.toThrow();
    (globalThis as { __gpp?: unknown }).__gpp = (command: string, callback: (v: unknown, ok: boolean) => void) =>
      callback(command === 'addEventListener' ? { listenerId: 1, pingData: { signalStatus: 'ready', parsedSections: { usnat: null, usca: 7 } } } : null, true);
    expect(() => watchGpp((state) => states.push(state))()).not.toThrow();
    expect(states).toEqual(['granted', 'granted']);
  });

  it("a 1.0 CMP's stub that answers by return values, its sections asked for by name (usnatv1 announced, usnat answered)", () => {
    const calls: unknown[][] = [];
    (globalThis as { __gpp?: unknown }).__gpp = (command: string, _callback: unknown, parameter: string) => {
      calls.push([command, parameter]);
      const pingData = { gppVersion: '1.0', cmpStatus: 'loaded', cmpDisplayStatus: 'hidden', apiSupport: ['usnatv1'] };
      if (command === 'addEventListener') return { eventName: 'listenerRegistered', listenerId: 3, data: true, pingData };
      if (command === 'ping') return pingData;
      if (command === 'getSection') return parameter === 'usnat' ? { SaleOptOut: 1 } : null;
      return true;
    };
    stop = watchGpp((state) => states.push(state));
    expect(states).toEqual(['denied']);
    stop();
    expect(calls).toContainEqual(['removeEventListener', 3]);
  });
});
