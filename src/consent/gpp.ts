/**
 * The IAB's Global Privacy Platform (GPP, CMP API 1.1: https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform),
 * followed through the CMP's `window.__gpp`, or from a frame through its `__gppLocator` frame (postMessage): a
 * consent signal (`consent: gpp()` from 'stint/gpp', or `consent: 'gpp'` with the script tag). The sections are read
 * parsed from the API (`parsedSections`): Stint carries no GPP string decoder.
 *
 * What the fields mean to Stint (`gppConsent`): consent is pending until `signalStatus` is `ready`. An opt-out of
 * sale, sharing or targeted advertising in any section the CMP holds (the US national and state sections: 1 is
 * "opted out"; `uspv1`'s `OptOutSale` 'Y'), or `Gpc` set, refuses identifying tracking (anonymous events or none, as
 * `onDenied` says); so does a TCF section (`tcfeuv2`, `tcfcav1`) without purposes 1, 8 and 9, as TCF's own rule
 * (tcf.ts). Otherwise consent is granted: the US laws are opt-out. Where the CMP says no section applies
 * (`applicableSections` [-1]), it is granted.
 */
import { warn } from '../log';
import type { ConsentState } from '../types';

/** A parsed section's fields that Stint reads (the US sections: 0 not applicable, 1 yes, 2 no). */
export interface GppSection {
  SaleOptOut?: number;
  SharingOptOut?: number;
  TargetedAdvertisingOptOut?: number;
  /** uspv1: the US Privacy string's letter ('Y': opted out) */
  OptOutSale?: string;
  Gpc?: boolean;
  /** tcfeuv2 */
  PurposeConsents?: boolean[];
  PurposeLegitimateInterests?: boolean[];
  /** tcfcav1 */
  PurposesExpressConsent?: boolean[];
  PurposesImpliedConsent?: boolean[];
}

/** The part of GPP's PingData that Stint reads; a 1.0 CMP's has no `signalStatus` and no parsed sections. */
export interface GppPing {
  gppVersion?: string;
  cmpStatus?: string;
  cmpDisplayStatus?: string;
  signalStatus?: string;
  applicableSections?: number[];
  /** 1.1: each section the CMP holds, parsed (some CMPs give a section as a list of its segments) */
  parsedSections?: Record<string, GppSection | GppSection[]>;
  /** 1.0: the sections the CMP supports ('usnatv1'), asked for one by one */
  apiSupport?: string[];
}

/** What a listener hears: the event, with the ping's data in 1.1 (1.0 CMPs give it too). */
interface GppEvent {
  listenerId?: number;
  pingData?: GppPing;
}

type GppCallback = (value: unknown, success: boolean) => void;
/** `__gpp(command, callback, parameter)`: 1.1 answers through the callback, 1.0 stubs by the return value. */
type GppApi = (command: string, callback: GppCallback, parameter?: unknown) => unknown;

/** TCF's rule (tcf.ts `tcfConsent`): purpose 1 consented, 8 and 9 consented or by legitimate interest (`other`). */
const tcfAllows = (consents: boolean[], other: boolean[] = []) => consents[0] === true && [7, 8].every((i) => consents[i] === true || other[i] === true);

const refuses = (s: GppSection | null) =>
  !!s &&
  (s.SaleOptOut === 1 ||
    s.SharingOptOut === 1 ||
    s.TargetedAdvertisingOptOut === 1 ||
    s.OptOutSale === 'Y' ||
    s.Gpc === true ||
    (!!s.PurposeConsents && !tcfAllows(s.PurposeConsents, s.PurposeLegitimateInterests)) ||
    (!!s.PurposesExpressConsent && !tcfAllows(s.PurposesExpressConsent, s.PurposesImpliedConsent)));

/** What a ping says (see the file's comment). */
export function gppConsent(ping: GppPing): ConsentState {
  // (1.0 has no signal status: the CMP has loaded and shows no UI)
  if (ping.signalStatus ? ping.signalStatus !== 'ready' : ping.cmpStatus !== 'loaded' || ping.cmpDisplayStatus === 'visible') return 'pending';
  const applicable = ping.applicableSections;
  if (Array.isArray(applicable) && applicable.length && applicable.every((id) => id < 1)) return 'granted';
  for (const section of Object.values(ping.parsedSections || {})) if (([] as GppSection[]).concat(section).some(refuses)) return 'denied';
  return 'granted';
}

/**
 * A CMP in a parent frame, through its `__gppLocator` frame: `__gppCall` messages, answered by `__gppReturn`
 * ones with the same `callId` (a listener's events come back with its call's). Returns the API and its stop.
 */
function framed(cmp: Window): [GppApi, () => void] {
  const calls = new Map<number, GppCallback>();
  const hear = (event: MessageEvent) => {
    let data = event.data;
    try {
      if (typeof data == 'string') data = JSON.parse(data);
    } catch {
      return;
    }
    const answer = data && data.__gppReturn;
    if (answer) calls.get(answer.callId)?.(answer.returnValue, answer.success);
  };
  addEventListener('message', hear);
  const api: GppApi = (command, callback, parameter) => {
    calls.set(calls.size + 1, callback);
    cmp.postMessage({ __gppCall: { command, parameter, version: '1.1', callId: calls.size } }, '*');
  };
  return [api, () => removeEventListener('message', hear)];
}

/** The window whose frame is named `__gppLocator` (this one or a parent), where a CMP runs; null if none. */
function locate(): Window | null {
  // (the top window is its own parent)
  for (let w: Window | undefined = window, depth = 0; w && depth < 10; w = w === w.parent ? undefined : w.parent, depth++) {
    try {
      if ((w.frames as unknown as Record<string, unknown>).__gppLocator) return w;
    } catch {
      // (a frame of another origin that refuses the look: none there)
    }
  }
  return null;
}

/**
 * Follows a GPP CMP: calls `onChange` with each decision. The CMP (or its stub) may be defined after Stint starts,
 * so `__gpp` and the locator frame are looked for a few times before giving up. Returns the stop function.
 */
export function watchGpp(onChange: (state: ConsentState) => void): () => void {
  let api: GppApi | undefined;
  let unframe = () => {};
  let listenerId: number | undefined;
  let tries = 0;
  let timer: ReturnType<typeof setTimeout>;
  let last: ConsentState | undefined;
  let stopped = false;

  const decide = (ping: GppPing | undefined) => {
    if (stopped || !ping || typeof ping != 'object') return;
    // A 1.0 CMP: each section it supports, asked for by name (with its version, 'usnatv1', or without), by the return value.
    if (!ping.signalStatus && !ping.parsedSections && ping.apiSupport) {
      const parsedSections: Record<string, GppSection> = {};
      for (const name of ping.apiSupport) parsedSections[name] = (api!('getSection', () => {}, name) || api!('getSection', () => {}, name.replace(/v\d+$/, ''))) as GppSection;
      ping = { ...ping, parsedSections };
    }
    const state = gppConsent(ping);
    if (state !== 'pending' && state !== last) onChange((last = state));
  };
  const hear = (value: unknown, success: boolean) => {
    const event = value as GppEvent | null;
    if (!success || !event) return;
    if (typeof event.listenerId == 'number') listenerId = event.listenerId;
    try {
      decide(event.pingData);
    } catch {
      // (a CMP's data Stint cannot read, or a 1.0 getSection that throws: no decision, consent as it was)
    }
  };
  const attach = () => {
    const own = (window as { __gpp?: GppApi }).__gpp;
    const cmp = typeof own == 'function' ? null : locate();
    if (typeof own == 'function') api = own;
    else if (cmp) [api, unframe] = framed(cmp);
    else {
      if (++tries > 20) return warn('consent follows a GPP CMP, but no __gpp appeared: nothing is stored or sent');
      timer = setTimeout(attach, 250);
      return;
    }
    try {
      // (a 1.0 stub answers by the return value too)
      const registered = api('addEventListener', hear);
      if (registered && typeof registered == 'object') hear(registered, true);
      const ping = api('ping', (value, success) => hear({ pingData: value }, success));
      if (ping && typeof ping == 'object') hear({ pingData: ping }, true);
    } catch {
      // A CMP that throws never throws into the page through Stint: consent stays pending.
      warn('the GPP CMP threw: consent stays pending');
    }
  };
  attach();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (api && listenerId !== undefined) api('removeEventListener', () => {}, listenerId);
    unframe();
  };
}
