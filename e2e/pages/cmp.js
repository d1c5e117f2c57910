// A consent management platform built on the IAB Tech Lab's own CMP API (@iabtechlabtcf/cmpapi, served from
// node_modules through the page's import map), for the TCF tests (e2e/tcf.spec.ts). It does what a CMP does with
// it: `start(tc)` with the visitor's stored TC string (a returning visitor: the API answers `tcloaded`), with ''
// (a first visit: the CMP shows its UI, `cmpuishown`), or with 'none' (the GDPR does not apply);
// `window.__cmp.decide(tc)` is the visitor's choice in the UI (`useractioncomplete`). The TC strings are built by
// the tests with @iabtechlabtcf/core.
import { CmpApi } from '@iabtechlabtcf/cmpapi';

export function start(tc) {
  // (cmp id 2, version 1; service-specific consent, as a publisher's own CMP is)
  const api = new CmpApi(2, 1, true);
  if (tc === 'none') api.update(null);
  else api.update(tc, !tc);
  window.__cmp = { decide: (next) => api.update(next) };
}
