/**
 * What a GPP CMP's answers mean to Stint (gpp.ts follows the CMP). Consent is pending until `signalStatus` is `ready`
 * (1.0: the CMP has loaded and shows no UI). Where the CMP says no section applies (`applicableSections` [-1] or [0]),
 * it is granted. An opt-out of sale, sharing or targeted advertising in any section the CMP gives (the US national and
 * state sections: 1 is "opted out"; `uspv1`'s `OptOutSale` 'Y'), or `Gpc` set, refuses identifying tracking (anonymous
 * events or none, as `onDenied` says); so does a TCF section (`tcfeuv2`, `tcfcav1`) without purposes 1, 8 and 9, as
 * TCF's own rule (tcf.ts). Which sections apply decides only what a grant must have read, never which refusals count:
 * Stint asks for every section the CMP gives (`given`), and an opt-out in one that does not apply refuses too. A signal
 * Stint cannot read is never a grant: each applicable section Stint can name (by its id: Sections/Section
 * Information.md, or 1.1's 'id:prefix' in `supportedAPIs`; without applicability, each US section in the CMP's string,
 * or else each it supports) must have been read; while one is missing consent stays pending (one warning names it).
 * Otherwise consent is granted: the US laws are opt-out.
 */
import type { ConsentState } from '../ground/types';

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

/**
 * The part of GPP's PingData that Stint reads; a 1.0 CMP's has no `signalStatus`, no applicability, no parsed sections.
 */
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

/**
 * The API prefixes of the sections by their ids (Sections/Section Information.md): 2 tcfeuv2, 5 tcfcav1, 6 uspv1, 7
 * usnat, 8 usca … 27 usri.
 */
const PREFIXES = (
  ',,tcfeuv2,,,tcfcav1,uspv1,usnat,usca,usva,usco,usut,usct,usfl,usmt,' +
  'usor,ustx,usde,usia,usne,usnh,usnj,ustn,usmn,usmd,usin,usky,usri'
).split(',');

/** A section's name without its version: CMPs say 'usnatv1' or 'usnat', 'uspv1' or 'usp'. */
export const unversioned = (name: string) => name.replace(/v\d+$/, '');

const some = (ids: unknown): ids is number[] => Array.isArray(ids) && ids.length > 0;
export const readable = (section: unknown) => !!section && typeof section == 'object';

/** TCF's rule (tcf.ts `tcfConsent`): purpose 1 consented, 8 and 9 consented or by legitimate interest (`other`). */
const tcfAllows = (consents: boolean[], other: boolean[] = []) =>
  consents[0] === true && [7, 8].every((i) => consents[i] === true || other[i] === true);

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
 * `unread`: the sections a decision needs and lacks (then pending); `ask`: those and every other section the CMP gives
 * that Stint reads (US, US Privacy, TCF) and has not read: the sections of its string (`sectionList`) and, from 1.0,
 * whose ping parses none, each it supports; each by the name the CMP lists it under.
 */
export function gppConsent(
  ping: GppPing,
  data?: GppData | null,
  got: GppSections = {},
): { state: ConsentState; unread: string[]; ask: string[] } {
  const decided = (state: ConsentState, unread: string[] = [], ask: string[] = []) => ({ state, unread, ask });
  // (1.0 has no signal status: the CMP has loaded and shows no UI)
  if (
    ping.signalStatus
      ? ping.signalStatus !== 'ready'
      : ping.cmpStatus !== 'loaded' || ping.cmpDisplayStatus === 'visible'
  )
    return decided('pending');
  const sections: GppSections = { ...got, ...ping.parsedSections };
  const names = PREFIXES.slice();
  const supported: string[] = [];
  for (const entry of ([] as string[]).concat(ping.supportedAPIs || ping.apiSupport || [])) {
    const [id, name] = String(entry).split(':');
    if (name) names[+id] = name;
    supported.push(name || id);
  }
  const have = Object.keys(sections)
    .filter((name) => readable(sections[name]))
    .map(unversioned);
  const missing = (list: string[]) => [
    ...new Set(
      list
        .filter((name) => name && !have.includes(unversioned(name)))
        .map((name) => supported.find((listed) => unversioned(listed) === unversioned(name)) || name),
    ),
  ];
  const held = [ping.sectionList, data?.sectionList].find(some);
  const applicable = [ping.applicableSections, data?.applicableSections].find(some);
  const needed = applicable
    ? applicable.filter((id) => id > 0).map((id) => names[id])
    : (held ? held.map((id) => names[id]) : supported).filter((name) => /^us/.test(name));
  const unread = missing(needed);
  const given = (held || []).map((id) => names[id]).concat(ping.parsedSections ? [] : supported);
  const ask = missing(unread.concat(given).filter((name) => /^(us|tcf)/.test(name)));
  // (a refusal in any section counts, whichever apply: applicability says only what a grant needs)
  for (const section of Object.values(sections))
    if (([] as GppSection[]).concat(section).some(refuses)) return decided('denied', [], ask);
  return decided(unread.length ? 'pending' : 'granted', unread, ask);
}
