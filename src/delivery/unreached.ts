/**
 * What Stint says when nothing reaches the collector for a reason of configuration (core/send/batch.ts `unreached`
 * tells which): once per page and cause, in plain words, with or without `debug` (the tag carries these sentences, as
 * it does not carry the others: messages.ts), each with the fix a developer most likely needs. docs/messages.md lists
 * them with the others.
 */

/**
 * The codes of these messages, each with an answer it stands for (docs/messages.md's examples): test/docs.test.ts and
 * scripts/package.mjs read them (the tag does not: nothing here is in its bytes).
 */
export const PLAIN: Record<number, number> = { 46: 0, 47: 0, 48: 404, 49: 403 };

/** Message `code` (46 to 49) for a collector at `url` that answered `status`, seen from the page at `origin`. */
export function unreachedText(code: number, url: string, status: number, origin: string): string {
  const why =
    code == 46
      ? 'it redirects. Set collector to the URL that answers'
      : code == 48
        ? `HTTP ${status}, no collector there. In development, proxy it to npx stint-collector`
        : (code == 47 ? `the connection was refused, or no CORS for ${origin}` : `it refuses ${origin}`) +
          // (what fixes both, with stint-collector)
          `. Start it with --origin ${origin}`;
  return `nothing reaches ${url}: ${why}`;
}
