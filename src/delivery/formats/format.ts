/**
 * A wire format: where a batch goes, how it is sent, and how its outbox entries become the request's body.
 * The native format is built in; the pipelines' formats (`snowplow.ts`, `tracardi.ts`) are imported by the
 * apps that use them (`stint/snowplow`, `stint/tracardi`), so that the others carry none of their code.
 */
import type { Entry } from '../outbox-store';
import type { RequestOptions } from '../transport';

export interface Format {
  /** Joined to the collector's base URL (empty: the collector URL is the endpoint). */
  path: string;
  /** How its requests go; `anonymous`: consent was refused (`onDenied: 'anonymous'`). */
  request?(anonymous: boolean): RequestOptions;
  /** Entries with different keys never share a request (default: the app id). */
  key?(entry: Entry): string;
  /** One event in this format (the native format: the entry's own part; its shared context goes once per batch). */
  item(entry: Entry): string;
  /**
   * The body of a batch of items (`entries[i]` made `items[i]`); `dropped` counts events the outbox had to
   * give up since the last batch.
   */
  body(items: string[], appId: string, dropped: number, entries: Entry[]): string;
  /** Given what it may keep with the session, once the session is kept. */
  attach?(link: SessionLink): void;
  /** Reads the collector's answer to a delivered batch (what a beacon never gets). */
  answer?(text: string): void;
}

/** What a format may keep with the session: an id the pipeline assigned (Tracardi's profile id). */
export interface SessionLink {
  /** The id kept, or null. */
  get(): string | null;
  /** Keeps it (never in anonymous mode: then it is dropped). */
  set(id: string): void;
}

/** `collector` and a format's path, joined with one slash (a base URL may or may not end in one). */
export const joinUrl = (base: string, path: string): string => (path ? base.replace(/\/+$/, '') + path : base);
