/**
 * Stint's own envelope, version 3 (schemas/envelope.json): what the events of a batch share is sent once,
 * in `contexts`, and each event is an array of what is its own, `[id, name, properties, t]`, with what the
 * batch cannot imply in a fifth member:
 * `{"v":3,"appId":...,"appVersion":...,"sentAt":ISO,"at":ms,"dropped":n,"sampleRate":r,"contexts":[...],`
 * `"events":[["…","page_view",{},0,{"i":1}],["…","click",{},250],...]}`,
 * `appVersion` only where the config sets one;
 * - `t`: ms from the batch's `at` (its first event's time), not an ISO time each;
 * - `i`, the event index, only where it is not the previous event's plus one;
 * - `c`, the index of its context, only where it is not the previous event's (the first's: 0);
 * - `b: 1` for an event of a hidden page (a visible page's is the rule).
 * `expandEnvelope` (core/formats/envelope.ts) rebuilds every event whole.
 */
import type { Entry } from '../event';
import type { Format } from './format';

export const nativeFormat: Format = {
  path: '',
  // (what the body writes around it, up to 56 bytes, is counted in ITEM_BYTES)
  item: (entry) => `"${entry.id}",${JSON.stringify(entry.name)},${entry.props}`,
  body(items, entries, batch) {
    const index = new Map<string, number>();
    const contexts: string[] = [];
    const base = Math.round(entries[0].at);
    let c = 0;
    // (none before the first: its index is always said)
    let last = NaN;
    const events = entries.map((e: Entry, n) => {
      let ctx = index.get(e.ctx);
      if (ctx === undefined) index.set(e.ctx, (ctx = contexts.push(e.ctx) - 1));
      const implied: string[] = [];
      if (ctx !== c) implied.push(`"c":${(c = ctx)}`);
      if (e.index !== last + 1) implied.push(`"i":${e.index}`);
      if (e.hidden) implied.push('"b":1');
      last = e.index;
      return `[${items[n]},${Math.round(e.at) - base}${implied.length ? `,{${implied}}` : ''}]`;
    });
    const sent = new Date(batch.sentAt).toISOString();
    const version = batch.appVersion ? `,"appVersion":${JSON.stringify(batch.appVersion)}` : '';
    const head = `{"v":3,"appId":${JSON.stringify(entries[0].appId)}${version},"sentAt":"${sent}","at":${base}`;
    const counts = `"dropped":${batch.dropped},"sampleRate":${batch.sampleRate}`;
    return `${head},${counts},"contexts":[${contexts}],"events":[${events}]}`;
  },
};
