/**
 * Stint's own envelope, version 2 (schemas/envelope-2.json): what the events of a batch share is sent
 * once, in `contexts`, and each event carries its own fields and the index of its context (`c`).
 * `{"v":2,"appId":...,"sentAt":ISO,"dropped":n,"contexts":[...],"events":[{"c":0,...},...]}`
 * An entry left whole by an earlier version goes as it is, without `c`. `expandEnvelope` (src/collector.ts)
 * rebuilds every event whole.
 */
import type { Format } from './format';

export const nativeFormat: Format = {
  path: '',
  item: (entry) => entry.body,
  body: (items, appId, dropped, entries) => {
    const index = new Map<string, number>();
    const contexts: string[] = [];
    const events = items.map((item, i) => {
      const ctx = entries[i].ctx;
      if (ctx === undefined) return item;
      let c = index.get(ctx);
      if (c === undefined) index.set(ctx, (c = contexts.push(ctx) - 1));
      return `{"c":${c},${item.slice(1)}`;
    });
    return `{"v":2,"appId":${JSON.stringify(appId)},"sentAt":"${new Date().toISOString()}","dropped":${dropped},"contexts":[${contexts}],"events":[${events}]}`;
  },
};
