// A GPP consent management platform built on the IAB Tech Lab's own CMP API (@iabgpp/cmpapi, served from
// node_modules through the page's import map), for the GPP tests (e2e/gpp.spec.ts). It does what a CMP does with it:
// `start(stored)` with the visitor's stored choices as JSON ({ section: { field: value } }: the signal is ready at
// once) or null (a first visit: the CMP shows its UI, the signal is not ready); `window.__gppCmp.decide(choices)` is
// the visitor's choice in the UI: the fields set, the applicable sections, the signal ready, a section change.
// `applies` ('usnat,usca'), if given, names the sections that apply; else each the visitor's choices hold.
import { CmpApi, CmpDisplayStatus, CmpStatus, SignalStatus } from '@iabgpp/cmpapi';

/** The sections the tests use, by their ids (the GPP specification's section list). */
const IDS = { tcfeuv2: 2, uspv1: 6, usnat: 7, usca: 8, usva: 9 };

export function start(stored, applies) {
  // (cmp id 7, version 1)
  const api = new CmpApi(7, 1);
  api.setCmpStatus(CmpStatus.LOADED);
  const decide = (choices) => {
    for (const [section, fields] of Object.entries(choices)) for (const [field, value] of Object.entries(fields)) api.setFieldValue(section, field, value);
    api.setApplicableSections((applies ? applies.split(',') : Object.keys(choices)).map((section) => IDS[section]));
    api.setCmpDisplayStatus(CmpDisplayStatus.HIDDEN);
    api.setSignalStatus(SignalStatus.READY);
    for (const section of Object.keys(choices)) api.fireSectionChange(section);
  };
  if (stored) decide(JSON.parse(stored));
  else {
    api.setCmpDisplayStatus(CmpDisplayStatus.VISIBLE);
    api.setSignalStatus(SignalStatus.NOT_READY);
  }
  window.__gppCmp = { decide };
}
