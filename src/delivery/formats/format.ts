/** How a batch of outbox entries becomes a request body. */
import type { Entry } from '../outbox-store';

export interface Format {
  /** Appended to the collector URL. */
  path: string;
  /** One event in this format (the native format: the entry's own part; its shared context goes once per batch). */
  item(entry: Entry): string;
  /**
   * The body of a batch of items (`entries[i]` made `items[i]`); `dropped` counts events the outbox had to
   * give up since the last batch.
   */
  body(items: string[], appId: string, dropped: number, entries: Entry[]): string;
}
