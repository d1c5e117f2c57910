/** How a batch of outbox entries becomes a request body. */
import type { Entry } from '../outbox-store';

export interface Format {
  /** Appended to the collector URL. */
  path: string;
  /** One event in this format (the native format is the entry itself). */
  item(entry: Entry): string;
  /** The body of a batch of items; `dropped` counts events the outbox had to give up since the last batch. */
  body(items: string[], appId: string, dropped: number): string;
}
