/**
 * An IAB TCF v2.2 consent management platform, followed through `window.__tcfapi`: a consent signal
 * (`consent: tcf()` from 'stint/tcf', or `consent: 'tcf'` with the script tag).
 */
import { note } from '../ground/log';
import type { ConsentState } from '../ground/types';

/** The part of the TCF v2.2 TCData that Stint reads. */
export interface TCData {
  gdprApplies?: boolean;
  eventStatus?: 'tcloaded' | 'cmpuishown' | 'useractioncomplete';
  listenerId?: number;
  purpose?: { consents?: Record<string, boolean>; legitimateInterests?: Record<string, boolean> };
}

type TcfApi = (
  command: string,
  version: number,
  callback: (data: TCData, success: boolean) => void,
  arg?: unknown,
) => void;

/**
 * Purpose 1 (store and access information on a device) needs consent; the measurement purposes
 * Stint serves, 8 (measure content performance) and 9 (understand audiences through statistics),
 * need consent or legitimate interest. Where the GDPR does not apply, consent is granted.
 */
export function tcfConsent(data: TCData): ConsentState {
  if (data.gdprApplies === false) return 'granted';
  if (data.eventStatus !== 'tcloaded' && data.eventStatus !== 'useractioncomplete') return 'pending';
  const consents = data.purpose?.consents || {};
  const interests = data.purpose?.legitimateInterests || {};
  const allowed = (p: number) => consents[p] === true || interests[p] === true;
  return consents[1] === true && allowed(8) && allowed(9) ? 'granted' : 'denied';
}

/**
 * Follows a TCF CMP: calls `onChange` with each decision. The CMP stub may be defined after Stint
 * starts, so `__tcfapi` is looked for a few times before giving up. Returns the stop function.
 */
export function watchTcf(onChange: (state: ConsentState) => void): () => void {
  let listenerId: number | undefined;
  let tries = 0;
  let timer: ReturnType<typeof setTimeout>;
  const api = () => (window as Window & { __tcfapi?: TcfApi }).__tcfapi;
  const attach = () => {
    const tcfapi = api();
    if (typeof tcfapi !== 'function') {
      if (++tries > 20) return note('consent follows a TCF CMP, but no __tcfapi appeared: nothing is stored or sent');
      timer = setTimeout(attach, 250);
      return;
    }
    try {
      tcfapi('addEventListener', 2, (data, success) => {
        if (!success || !data) return;
        listenerId = data.listenerId;
        const state = tcfConsent(data);
        if (state !== 'pending') onChange(state);
      });
    } catch {
      // A CMP that throws never throws into the page through Stint (the npm build starts the signal in createTracker).
      note('the TCF CMP threw: consent stays pending');
    }
  };
  attach();
  return () => {
    clearTimeout(timer);
    try {
      if (listenerId !== undefined) api()?.('removeEventListener', 2, () => {}, listenerId);
    } catch {
      // (gone or broken: nothing to remove)
    }
  };
}
