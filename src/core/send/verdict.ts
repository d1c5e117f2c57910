/**
 * A beacon's fate. A beacon has no answer, nor has a request still in flight when its page leaves: while delivery is
 * known to work (send.ts `works`) their entries leave the queue's sends, but are not yet taken as delivered. They
 * await a verdict: the site's next delivery outcome after they left (this page's answers, another tab's delivery,
 * and, for a page that has left, what the site's pages share: delivery/sent-marks.ts). A 2xx says the collector took
 * them; a failure (a retryable answer, no answer, the browser offline) says it may not have, and they are sent again.
 * Without news for `VERDICT` ms, they count as delivered: nothing twice in the normal course. So a collector that went
 * down, or a network that went silent, the moment before a page left loses nothing once the next request meets it
 * (test/sim regression: an offline reload, and a collector that fails while a page is reloaded, lost every event).
 */
import { delivered } from './send-queue';
import { TRUST, type Delivery, type Outcome, type Queued, type Verdicts } from './send-model';
import { type Fx } from './send-effect';

/** How long a beacon's entries wait for news of delivery before they count as delivered. */
export const VERDICT = 10_000;

/**
 * What the site's pages hold of this page's entries that await a verdict (the pages share one record, which whichever
 * learns the first outcome after they left updates: a page away in the cache or frozen heard none of it): still
 * handed over, awaiting; judged to be sent again, sent again; in neither, judged sent (and maybe gone from the outbox).
 */
export function follow(d: Delivery, fx: Fx, { left, again, outcome }: Verdicts): void {
  // (an outcome shared after the hand-over, by its place in the order, not its time: two in one ms are told apart)
  const failed = ([at, , seq = 0, refuted]: Verdicts['left'][number]) =>
    !!refuted ||
    (!!outcome && !outcome[0] && (outcome[2] ?? 0) > seq && outcome[1] >= at && outcome[1] - at <= VERDICT);
  const waiting = new Set(left.flatMap((g) => (failed(g) ? [] : g[1])));
  const resend = new Set([...again, ...left.flatMap((g) => (failed(g) ? g[1] : []))]);
  const judged: Queued[] = [];
  for (const e of d.queue)
    if (d.awaiting.has(e.id) && !waiting.has(e.id)) resend.has(e.id) ? d.awaiting.delete(e.id) : judged.push(e);
  delivered(d, fx, judged);
}

/** These entries left by beacon, or in flight as a page left, at `left`: they await their verdict (`now`: the time). */
export function leave(d: Delivery, fx: Fx, ids: string[], left: number, now: number): void {
  for (const id of ids) if (!d.awaiting.has(id)) d.awaiting.set(id, left);
  if (ids.length) fx.push(['wait', Math.max(0, left + VERDICT - now)]);
}

/**
 * The verdict of an outcome at `at` (a 2xx: `ok`) on the entries that left before it: delivered, or sent again; and,
 * whatever the outcome, on those that waited `VERDICT` ms for one: delivered.
 */
export function judge(d: Delivery, fx: Fx, at: number, ok?: boolean): void {
  if (!d.awaiting.size) return;
  const done: Queued[] = [];
  for (const e of d.queue) {
    const left = d.awaiting.get(e.id);
    // (an outcome learned in the moment it left came after: one before would have kept it from awaiting)
    if (left === undefined || left > at) continue;
    if (ok === false && at - left <= VERDICT) d.awaiting.delete(e.id);
    else if (ok || at - left >= VERDICT) done.push(e);
  }
  delivered(d, fx, done);
}

/**
 * Delivery is known to work: online, and the last outcome the page or the site knows is a 2xx, at most `TRUST` ago. A
 * page that knows nothing (its first moments, no page of the site has sent yet) does not know it works: an outage it
 * has not met would take its beacons (test/sim regression: a fresh page after a reload in a silent outage).
 */
export function works(d: Delivery, at: number, online: boolean, site: Outcome | null): boolean {
  const known = d.outcome && (!site || d.outcome[1] >= site[1]) ? d.outcome : site;
  return online && !!known && known[0] && at - known[1] <= TRUST;
}

/**
 * A delivery outcome this page learned: it judges what awaits, and the site's other pages learn it too. What the site's
 * pages judged before (`shared`) comes first: their outcome was the next after those entries left, not this one
 * (test/sim regression: a 2xx after another tab's failure took handed-over entries as delivered).
 */
export function learn(d: Delivery, fx: Fx, outcome: Outcome, shared?: Verdicts | null): void {
  if (shared) follow(d, fx, shared);
  d.outcome = outcome;
  judge(d, fx, outcome[1], outcome[0]);
  // (a stopped sender stores nothing: consent may have been withdrawn, and the device erased)
  if (!d.stopped) fx.push(['outcome', outcome]);
}
