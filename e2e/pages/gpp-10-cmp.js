// A hand-made GPP CMP of the API's first published version (CMP API 1.0, September 2022: "Core/CMP API
// Specification.md" before 1.1, in https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform's history),
// played by test/gpp.test.ts in Node and by e2e/gpp.spec.ts in the browsers (e2e/pages/app.html: &gpp10=<field>-<answers>
// &gppfields=<sections>, loaded before Stint). As 1.0 has it: its ping has no signalStatus, no applicableSections and
// no parsedSections; which sections apply is in getGPPData's answer; each section is asked for with getSection.
//   field     where its ping lists its sections: 'supportedAPIs' (1.0's published text since November 2022, the name
//             1.1 kept) or 'apiSupport' (the September 2022 draft's name)
//   answers   'return': by return values (1.0's way); 'callback': by callbacks only, as 1.1 asks
//   sections  { name: fields } under the names it lists ('usnatv1'); a section whose fields are null is listed and
//             applies, but getSection answers null: Stint cannot read it
//   applies   the names of the sections that apply (getGPPData's applicableSections); all of them if absent
/** The sections' ids by their names without version (Sections/Section Information.md). */
const IDS = { tcfeu: 2, tcfca: 5, usp: 6, usnat: 7, usca: 8, usva: 9 };

export function gpp10(field, answers, sections, applies = Object.keys(sections)) {
  const names = Object.keys(sections);
  const idOf = (name) => IDS[name.replace(/v\d+$/, '')];
  const listeners = new Map();
  let lastId = 0;
  const ping = () => ({ gppVersion: '1.0', cmpStatus: 'loaded', cmpDisplayStatus: 'hidden', [field]: names, cmpId: 7 });
  const commands = {
    ping,
    addEventListener(callback) {
      listeners.set(++lastId, callback);
      return { eventName: 'listenerRegistered', listenerId: lastId, data: true, pingData: ping() };
    },
    removeEventListener: (_, id) => ({ eventName: 'listenerRemoved', listenerId: id, data: listeners.delete(id), pingData: ping() }),
    hasSection: (_, name) => !!sections[name],
    getSection: (_, name) => sections[name] || null,
    getGPPData: () => ({
      sectionId: 3,
      gppVersion: 1,
      sectionList: names.filter((name) => sections[name]).map(idOf),
      applicableSections: applies.map(idOf),
      gppString: '',
      pingData: ping(),
    }),
  };
  return function __gpp(command, callback, parameter) {
    const value = command in commands ? commands[command](callback, parameter) : null;
    if (answers === 'return') return value;
    if (typeof callback == 'function') callback(value, value !== null);
  };
}
