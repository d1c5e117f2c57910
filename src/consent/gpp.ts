/**
 * The IAB's Global Privacy Platform (GPP: https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform,
 * Core/CMP API Specification.md), followed through the CMP's `window.__gpp`, or from a frame through its
 * `__gppLocator` frame (postMessage): a consent signal (`consent: gpp()` from 'stint/gpp', or `consent: 'gpp'` with
 * the script tag). Stint carries no GPP string decoder: it reads the sections the CMP has parsed, in every published
 * shape of the API: 1.1's `parsedSections` in the ping's data, or 1.0's `getSection` for each section (a 1.0 CMP
 * lists them in `supportedAPIs`, as 1.0's text says since November 2022 and 1.1 kept, or `apiSupport`, the
 * September 2022 draft's name; it answers by return values or by callbacks, and says which sections apply in
 * `getGPPData`).
 *
 * What the fields mean to Stint (`gppConsent`): consent is pending until `signalStatus` is `ready` (1.0: the CMP has
 * loaded and shows no UI). Where the CMP says no section applies (`applicableSections` [-1] or [0]), it is granted.
 * An opt-out of sale, sharing or targeted advertising in any section the CMP gives (the US national and state
 * sections: 1 is "opted out"; `uspv1`'s `OptOutSale` 'Y'), or `Gpc` set, refuses identifying tracking (anonymous
 * events or none, as `onDenied` says); so does a TCF section (`tcfeuv2`, `tcfcav1`) without purposes 1, 8 and 9, as
 * TCF's own rule (tcf.ts). A signal Stint cannot read is never a grant: each applicable section Stint can name (by
 * its id: Sections/Section Information.md, or 1.1's 'id:prefix' in `supportedAPIs`; without applicability, each US
 * section in the CMP's string, or else each it supports) must have been read; while one is missing consent stays
 * pending (one warning names it). Otherwise consent is granted: the US laws are opt-out.
 */
import { note } from '../log';
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

/** Sections by their names ('usnat'); a section may be given as the list of its segments. */
export type GppSections = Record<string, GppSection | GppSection[]>;

/** The part of GPP's PingData that Stint reads; a 1.0 CMP's has no `signalStatus`, no applicability, no parsed sections. */
export interface GppPing {
  gppVersion?: string;
  cmpStatus?: string;
  cmpDisplayStatus?: string;
  signalStatus?: string;
  applicableSections?: number[];
  /** the ids of the sections in the CMP's GPP string */
  sectionList?: number[];
  /** 1.1: each section the CMP holds, parsed */
  parsedSections?: GppSections;
  /** the sections the CMP supports: 1.1 'id:prefix' ('7:usnat'), 1.0 the prefix ('usnatv1') */
  supportedAPIs?: string[];
  /** 1.0's September 2022 draft's name for `supportedAPIs` */
  apiSupport?: string[];
}

/** The part of 1.0's `getGPPData` answer that Stint reads: what its ping does not say. */
export interface GppData {
  applicableSections?: number[];
  sectionList?: number[];
}

/** What a listener hears: the event, with the ping's data. */
interface GppEvent {
  listenerId?: number;
  pingData?: GppPing;
}

type GppCallback = (value: unknown, success?: boolean) => void;
/** `__gpp(command, callback, parameter)`: 1.1 answers through the callback, 1.0 by the return value or the callback. */
type GppApi = (command: string, callback: GppCallback, parameter?: unknown) => unknown;

/** The API prefixes of the sections by their ids (Sections/Section Information.md): 2 tcfeuv2, 5 tcfcav1, 6 uspv1, 7 usnat, 8 usca … 27 usri. */
const PREFIXES = ',,tcfeuv2,,,tcfcav1,uspv1,usnat,usca,usva,usco,usut,usct,usfl,usmt,usor,ustx,usde,usia,usne,usnh,usnj,ustn,usmn,usmd,usin,usky,usri'.split(',');

/** A section's name without its version: CMPs say 'usnatv1' or 'usnat', 'uspv1' or 'usp'. */
const unversioned = (name: string) => name.replace(/v\d+$/, '');

const some = (ids: unknown): ids is number[] => Array.isArray(ids) && ids.length > 0;
const readable = (section: unknown) => !!section && typeof section == 'object';

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

/**
 * What the CMP's answers say (see the file's comment): its ping, 1.0's GPP data, and the sections `getSection` gave.
 * `unread`: the sections a decision needs and lacks (then pending), by the names the CMP lists them under.
 */
export function gppConsent(ping: GppPing, data?: GppData | null, got: GppSections = {}): { state: ConsentState; unread: string[] } {
  const decided = (state: ConsentState, unread: string[] = []) => ({ state, unread });
  // (1.0 has no signal status: the CMP has loaded and shows no UI)
  if (ping.signalStatus ? ping.signalStatus !== 'ready' : ping.cmpStatus !== 'loaded' || ping.cmpDisplayStatus === 'visible') return decided('pending');
  const applicable = [ping.applicableSections, data?.applicableSections].find(some);
  if (applicable?.every((id) => id < 1)) return decided('granted');
  const sections: GppSections = { ...got, ...ping.parsedSections };
  for (const section of Object.values(sections)) if (([] as GppSection[]).concat(section).some(refuses)) return decided('denied');
  const names = PREFIXES.slice();
  const supported: string[] = [];
  for (const entry of ([] as string[]).concat(ping.supportedAPIs || ping.apiSupport || [])) {
    const [id, name] = String(entry).split(':');
    if (name) names[+id] = name;
    supported.push(name || id);
  }
  const held = [ping.sectionList, data?.sectionList].find(some);
  const needed = applicable ? applicable.map((id) => names[id]) : (held ? held.map((id) => names[id]) : supported).filter((name) => /^us/.test(name));
  const have = Object.keys(sections)
    .filter((name) => readable(sections[name]))
    .map(unversioned);
  const unread = needed
    .filter((name) => name && !have.includes(unversioned(name)))
    .map((name) => supported.find((listed) => unversioned(listed) === unversioned(name)) || name);
  return decided(unread.length ? 'pending' : 'granted', unread);
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
 * Follows a GPP CMP: calls `onChange` with each decision. The CMP, or its stub, may come after Stint starts, and a
 * CMP may replace a stub without taking over the listeners it kept (the specification's example stub has no
 * `events` command for the CMP to read them): so while Stint has heard nothing but a stub, it looks again every
 * 250 ms for 10 s, registers with the `__gpp` that is there now if it is another function (a frame's, once its
 * `ping` answers as a CMP), and then warns once. Returns the stop function.
 */
export function watchGpp(onChange: (state: ConsentState) => void): () => void {
  let api: GppApi | undefined;
  let unframe = () => {};
  // The registration whose events count (an older one may still be called by the CMP that took it over).
  let registration = 0;
  let listenerId: number | undefined;
  // The current registration has heard the CMP itself, not its stub.
  let heard = false;
  let looks = 0;
  let timer: ReturnType<typeof setTimeout>;
  let unreadTimer: ReturnType<typeof setTimeout>;
  // One warning per watch: the first reason consent stays pending.
  let warned = false;
  let stopped = false;
  let last: ConsentState | undefined;
  // What the CMP said last, 1.0's GPP data, the sections asked for since (the answers of an older ping are dropped).
  let ping: GppPing | undefined;
  let data: GppData | null;
  let got: GppSections;
  let asked: string[];
  let round = 0;

  const warnOnce = (message: string) => warned || ((warned = true), note(message));
  /**
   * Asks the CMP; the answer comes by the return value or the callback (1.0 does either; through a frame, later).
   * Returns true if the CMP threw (no answer: a getSection that throws is a section Stint cannot read).
   */
  const ask = (command: string, parameter: unknown, then: (value: unknown) => void): boolean => {
    const take = (answer: unknown) => {
      try {
        if (!stopped) then(answer);
      } catch {
        // (a CMP's data Stint cannot read: no decision, consent as it was; nothing thrown into the CMP's loop)
      }
    };
    try {
      const value = api!(command, take, parameter);
      if (value !== undefined) take(value);
      return false;
    } catch {
      return true;
    }
  };
  /** Decides on what the CMP said; the sections it needs and lacks, said once if they do not come within a second. */
  const judge = (): string[] => {
    const { state, unread } = gppConsent(ping!, data, got);
    if (state !== 'pending' && state !== last) onChange((last = state));
    clearTimeout(unreadTimer);
    if (unread.length) unreadTimer = setTimeout(() => warnOnce(`the GPP CMP says ${unread.join(', ')} applies, but gives no section Stint can read: consent stays pending`), 1000);
    return unread;
  };
  /** Judges, and asks for each section it lacks: as listed, without its version, and with 'v1'. */
  const read = () => {
    const current = round;
    for (const name of judge())
      for (const alias of [name, unversioned(name), unversioned(name) + 'v1'])
        if (!asked.includes(alias)) {
          asked.push(alias);
          ask('getSection', alias, (section) => current === round && readable(section) && ((got[alias] = section as GppSection), judge()));
        }
  };
  const hear = (from: number, value: unknown) => {
    const event = value as GppEvent | null;
    const next = event && typeof event == 'object' && event.pingData;
    if (stopped || from !== registration || !next || typeof next != 'object') return;
    if (typeof event.listenerId == 'number') listenerId = event.listenerId;
    heard ||= next.cmpStatus !== 'stub';
    [ping, data, got, asked] = [next, null, {}, []];
    const current = ++round;
    // 1.0: which sections apply is in its GPP data (1.1 says it in the ping, and has no getGPPData)
    if (!Array.isArray(next.applicableSections)) ask('getGPPData', undefined, (answer) => current === round && readable(answer) && ((data = answer as GppData), read()));
    read();
  };
  const register = (cmp: GppApi) => {
    const from = ++registration;
    api = cmp;
    listenerId = undefined;
    // A CMP that throws never throws into the page through Stint: consent stays pending.
    if (ask('addEventListener', undefined, (event) => hear(from, event)) || ask('ping', undefined, (pingData) => hear(from, { pingData })))
      warnOnce('the GPP CMP threw: consent stays pending');
  };
  const look = () => {
    if (stopped || heard) return;
    const own = (window as { __gpp?: GppApi }).__gpp;
    const cmp = typeof own == 'function' || api ? null : locate();
    if (typeof own == 'function' && own !== api) register(own);
    else if (cmp) register(([api, unframe] = framed(cmp))[0]);
    else if (api) {
      // (the same __gpp, or a frame's: a CMP that answers is registered with again, as the stub's list may be lost)
      const [current, from] = [api, registration];
      ask('ping', undefined, (pingData) => from === registration && !heard && readable(pingData) && (pingData as GppPing).cmpStatus !== 'stub' && register(current));
    }
    if (heard) return;
    if (++looks > 40) warnOnce('no GPP CMP answered in 10 s (no __gpp, or only its stub): consent stays pending');
    else timer = setTimeout(look, 250);
  };
  look();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(unreadTimer);
    try {
      if (listenerId !== undefined) api!('removeEventListener', () => {}, listenerId);
    } catch {
      // (the specification's example stub throws there: it calls splice on an entry of its list)
    }
    unframe();
  };
}
