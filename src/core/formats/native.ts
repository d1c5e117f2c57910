/**
 * Stint's own envelope, version 2 (schemas/envelope-2.json): what the events of a batch share is sent
 * once, in `contexts`, and each event carries its own fields and the index of its context (`c`).
 * `{"v":2,"appId":...,"sentAt":ISO,"dropped":n,"contexts":[...],"events":[{"c":0,...},...]}`
 * An entry left whole by an earlier version goes as it is, without `c`. `expandEnvelope`
 * (core/envelope.ts) rebuilds every event whole.
 */
import { array, member, object, type Format } from './format';

export const nativeFormat: Format = {
  path: '',
  // (measured as an event whole: its `c` is counted in ITEM_BYTES)
  item: (entry) => object([entry.fields]),
  body(_items, entries, batch) {
    const index = new Map<string, number>();
    const contexts: string[] = [];
    const events = entries.map(({ ctx, fields }) => {
      if (ctx === undefined) return object([fields]);
      let c = index.get(ctx);
      if (c === undefined) index.set(ctx, (c = contexts.push(ctx) - 1));
      return object([member('c', '' + c), fields]);
    });
    return object([
      member('v', '2'),
      member('appId', JSON.stringify(entries[0].appId)),
      member('sentAt', JSON.stringify(new Date(batch.sentAt).toISOString())),
      member('dropped', '' + batch.dropped),
      member('contexts', array(contexts)),
      member('events', array(events)),
    ]);
  },
};
