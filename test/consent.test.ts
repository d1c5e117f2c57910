import { describe, expect, it } from 'vitest';
import { tcfConsent } from '../src/consent/tcf';

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
