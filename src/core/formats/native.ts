/**
 * Stint's own envelope, version 2 (schemas/envelope-2.json): what the events of a batch share is sent
 * once, in `contexts`, and each event carries its own fields and the index of its context (`c`).
 * `{"v":2,"appId":...,"sentAt":ISO,"dropped":n,"sampleRate":r,"contexts":[...],"events":[{"c":0,...},...]}`
 * `expandEnvelope` (core/envelope.ts) rebuilds every event whole.
 */
import type { Format } from './format';

export const nativeFormat: Format = {
  path: '',
  // (measured as an event whole: its `c` is counted in ITEM_BYTES)
  item: (entry) => `{${entry.fields}}`,
  body(_items, entries, batch) {
    const index = new Map<string, number>();
    const contexts: string[] = [];
    const events = entries.map(({ ctx, fields }) => {
      let c = index.get(ctx);
      if (c === undefined) index.set(ctx, (c = contexts.push(ctx) - 1));
      return `{"c":${c},${fields}}`;
    });
    const { appId } = entries[0];
    return `{"v":2,"appId":${JSON.stringify(appId)},"sentAt":"${new Date(batch.sentAt).toISOString()}","dropped":${batch.dropped},"sampleRate":${batch.sampleRate},"contexts":[${contexts}],"events":[${events}]}`;
  },
};
