/**
 * Probes, as FoundationDB's simulation counts its rare paths (its `TEST()` macro, "code probes"): each names a path of
 * the browser or of Stint that a run is meant to reach (a beacon refused over the quota, a write that fails for quota,
 * a 429 with Retry-After...). The simulator calls `probe(name)` where the path is taken; a run counts them
 * (run.ts `Outcome.probes`) and `npm run simulate` prints, over its seeds, how often each was reached and which of
 * `PROBES` no seed reached: a path no seed reaches proves nothing of what it guards.
 */

/** Every probe the simulator declares, with what reaching it means. */
export const PROBES = {
  'idb: a transaction stalled past 2 s': 'IndexedDB answered a transaction more than 2 s after it was made',
  'idb: an unfinished write lost as its page went': "a page went with a write asked to commit, and the browser lost it",
  'idb: an unfinished write landed as its page went': 'a page went with a write asked to commit, and the browser landed it',
  'idb: a cached page evicted by a deletion': 'a page in the back/forward cache held a database another page deleted',
  'idb: an upgrade aborted': "an open's versionchange transaction aborted: the open failed, the database as it was",
  'idb: an upgrade aborted as its page went': 'a page went (or entered the cache in WebKit) while its open upgraded',
  "idb: an upgrade aborted by its page's handler": 'an upgradeneeded handler threw, or called abort()',
  'idb: an upgrade waited for its page': "an open's upgradeneeded waited for its page, frozen or in the cache",
  'idb: an open waited behind an upgrade': "a page's open of the database came while another page's upgrade ran",
  'idb: a cached page evicted: its upgrade blocked another page': "a page in the cache held an upgrade another's open awaited",
  'idb: a cached page evicted: its transaction blocked another page': "a page in the cache held a transaction another's awaited",
  'idb: a write refused: the disk is full': 'a transaction that wrote aborted with QuotaExceededError at its commit',
  'idb: a database not created: the disk is full': "an open's upgrade that created the database aborted for quota",
  "storage: a localStorage read missed another tab's write": "a page read localStorage before another tab's write reached its tab",
  "storage: a cookie read missed another tab's write": "a page read document.cookie before another tab's write reached the jar",
  'storage: a localStorage write refused: its quota is full': 'a setItem threw QuotaExceededError',
  'net: a request lost on the way': 'the network went down while a request was on its way to the collector',
  'net: an answer lost on the way back': 'the collector took a request, and its answer never came back',
  'net: a beacon refused (over 64 KiB)': 'a beacon whose body alone was over what a page may have in flight',
  'net: a keepalive fetch refused (over 64 KiB)': "a keepalive fetch that would take what the page has in flight past 64 KiB",
  'net: a 429 with Retry-After': 'the collector answered 429, with the seconds to wait',
  'net: a body refused with 413': "a body over the collector's limit, refused whole",
  'net: a body near the 60 KB a request carries': 'a request or beacon over 50 KB: a burst cut at the bound',
  'channel: a message tens of ms late': "a tab heard another's channel message 10-99 ms after it was posted",
  'channel: a message hundreds of ms late': 'a tab busy with a long task heard a channel message 100-900 ms late',
  'channel: a cached page evicted by a message': 'a message reached a page in the back/forward cache on a channel it kept',
  "timers: a hidden page's timer put off to a whole second": "a hidden page's timer ran at the next whole second",
  'page: a crash mid-task': 'a page crashed at one of its calls of a browser API, in the middle of a task',
} as const satisfies Record<string, string>;

export type ProbeName = keyof typeof PROBES;

let counts = new Map<ProbeName, number>();

/** The path `name` was taken. */
export function probe(name: ProbeName): void {
  counts.set(name, (counts.get(name) || 0) + 1);
}

/** A new run: the counts from zero. */
export function resetProbes(): void {
  counts = new Map();
}

/** What this run reached, by probe. */
export function probeCounts(): Partial<Record<ProbeName, number>> {
  return Object.fromEntries(counts);
}
