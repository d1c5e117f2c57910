/** How a batch of outbox entries becomes a request body. */
import type { Entry } from './outbox';

export interface Format {
  /** Appended to the collector URL. */
  path: string;
  /** One event in this format (the native format is the entry itself). */
  item(entry: Entry): string;
  /** The body of a batch of items; `dropped` counts events the outbox had to give up since the last batch. */
  body(items: string[], appId: string, dropped: number): string;
}

/** `{"v":1,"appId":...,"sentAt":ISO,"dropped":n,"events":[...]}` */
export const nativeFormat: Format = {
  path: '',
  item: (entry) => entry.body,
  body: (items, appId, dropped) =>
    `{"v":1,"appId":${JSON.stringify(appId)},"sentAt":"${new Date().toISOString()}","dropped":${dropped},"events":[${items}]}`,
};
