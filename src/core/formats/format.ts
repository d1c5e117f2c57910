/**
 * A wire format: where a batch goes, how it is sent, and how its entries become a request's body. The
 * native format is built in; the pipelines' formats (`snowplow.ts`, `tracardi.ts`, `otlp.ts`) are imported by
 * the apps that use them (`stint/snowplow`, `stint/tracardi`, `stint/otlp`), so that the others carry none of
 * their code.
 *
 * The contract with batching (core/send/batch.ts `pack`), in the types below: pack walks the queue, asks `item`
 * for each entry's JSON (which it measures, so that a request stays under its byte limit, and never reads),
 * counts each shared context (`Entry.ctx`) once, keeps the entries of one `group` together, and hands the
 * items and entries it kept to `body` (what a body adds around them is `overhead`). Every part of a body is
 * serialised once, and a body is put together from those parts (a template of JSON values), never by editing
 * JSON text. Formats are pure: the time and the batch's facts come in `Batch`.
 */
import type { Entry } from '../event';

/** How a format's requests go. */
export interface RequestOptions {
  /** Content-Type of the body; default text/plain;charset=UTF-8 (no CORS preflight). */
  type?: string;
  /** The collector's cookies: `include` (its network user id comes back), `omit` (none; a beacon sends them still). */
  credentials?: 'include' | 'omit';
  /** Headers a beacon cannot carry: a keepalive fetch carries them instead. */
  headers?: Record<string, string>;
  /** The collector takes a gzip body (`compression: 'gzip'`): a fetch sends one where the engine can make it. */
  gzip?: boolean;
}

/** What the items of one request share. */
export interface Batch {
  /** events given up on since the last batch, reported in this one so that the loss is visible */
  dropped: number;
  /** when it is sent (ms) */
  sentAt: number;
  /** what the pipeline calls this visitor, as it told us (Tracardi's profile id), or null */
  profile: string | null;
  /** the share of sessions that send (`sampleRate`), for a collector to weight counts */
  sampleRate: number;
  /**
   * the app's version (`appVersion`): every format says it where set (the envelope's `appVersion`, Snowplow's
   * `application` context, Tracardi's `context.app.version`, OTLP's `service.version`), none says it when null
   */
  appVersion?: string | null;
}

/** What a collector's answer told a format. */
export interface Answer {
  /** the pipeline's id for this visitor, to be kept with the session (Tracardi's profile id) */
  profile?: string;
  /** what the answer said, for `debug: true` */
  said?: unknown;
}

export interface Format {
  /** Joined to the collector's base URL (empty: the collector URL is the endpoint). */
  path: string;
  /** Its pipeline's collector takes no compressed body: `compression: 'gzip'` does not apply (Snowplow, Tracardi). */
  plain?: boolean;
  /** How its requests go; `anonymous`: consent was refused (`onDenied: 'anonymous'`). */
  request?(anonymous: boolean): RequestOptions;
  /** Entries of different groups never share a request (default: one group per app id). */
  group?(entry: Entry): string;
  /** Bytes a body adds around its items past the 200 pack allows for (OTLP's resource), given its first entry. */
  overhead?(entry: Entry, batch: Batch): number;
  /** One event in this format, serialised (pack measures it). */
  item(entry: Entry, batch: Batch): string;
  /** The request's body: `items[i]` is the item of `entries[i]` (their app id is the same). */
  body(items: readonly string[], entries: readonly Entry[], batch: Batch): string;
  /** Reads the collector's answer to a delivered batch (a beacon never gets one). */
  answer?(text: string): Answer | undefined;
}

/** `collector` and a format's path, joined with one slash (a base URL may or may not end in one). */
export const joinUrl = (base: string, path: string): string => (path ? base.replace(/\/+$/, '') + path : base);
