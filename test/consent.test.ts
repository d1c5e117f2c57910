import { afterEach, describe, expect, it, vi } from 'vitest';
import { tcfConsent, watchTcf } from '../src/consent/tcf';

const consents = (...ids: number[]) => Object.fromEntries(ids.map((id) => [id, true]));

describe('TCF v2.2 to a consent state', () => {
  it.each([
    ['GDPR does not apply', { gdprApplies: false }, 'granted'],
    ['the CMP has not decided (cmpuishown)', { gdprApplies: true, eventStatus: 'cmpuishown', purpose: { consents: consents(1, 8, 9) } }, 'pending'],
    ['purposes 1, 8, 9 consented', { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents(1, 8, 9) } }, 'granted'],
    ['stored decision at load (tcloaded)', { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: consents(1, 8, 9) } }, 'granted'],
    ['8 and 9 by legitimate interest', { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: consents(1), legitimateInterests: consents(8, 9) } }, 'granted'],
    ['no storage consent (purpose 1)', { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents(8, 9) } }, 'denied'],
    ['no measurement purpose', { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents(1) } }, 'denied'],
    ['only one measurement purpose', { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: consents(1, 8) } }, 'denied'],
    ['everything refused', { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: {} } }, 'denied'],
  ] as const)('%s', (_, data, expected) => {
    expect(tcfConsent(data as never)).toBe(expected);
  });
});

describe('the watch of a TCF CMP', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('a CMP whose __tcfapi throws: nothing thrown into the page (createTracker starts the signal), one warning, consent pending', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const broken = () => {
      throw new Error('broken CMP');
    };
    vi.stubGlobal('window', { __tcfapi: broken });
    const states: string[] = [];
    let stop: () => void = () => {};
    expect(() => (stop = watchTcf((state) => states.push(state)))).not.toThrow();
    expect(() => stop()).not.toThrow();
    expect(states).toEqual([]);
    expect(warn.mock.calls.map((c) => String(c.join(' ')))).toEqual([expect.stringContaining('the TCF CMP threw')]);
  });
});
