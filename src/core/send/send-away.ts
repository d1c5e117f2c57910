/**
 * Delivery's steps as a page goes away and comes back: what is queued goes by beacon as the page hides or leaves, and
 * awaits its verdict; a page that comes back (a restore, a resume) first learns what the site did meanwhile.
 */
import type { Beacon, Queued } from './send-model';
import type { SendStep } from './send-effect';
import { cut, live } from './send-queue';
import { leave, works } from './verdict';

/** How long a page come back waits for its writes' answers before it sends what they hold (a stalled database). */
const UNANSWERED_WAIT = 3000;

/**
 * What is queued and not in flight goes by beacon now (see `Sender.beacon`): the bodies, for the shell to send in
 * order.
 */
export const beacon: SendStep<'beacon'> = (d, fx, [, at, , online, shared, site], format) => {
  // Offline, a beacon is lost for sure: the outbox keeps the entries for the next start.
  let rest = online
    ? live(d).filter((e) => !d.inflight.has(e.id) && !d.unconfirmed.has(e.id) && !d.awaiting.has(e.id))
    : [];
  const list: Beacon[] = [];
  while (rest.length) {
    const { entries, body } = cut(d, fx, rest, format, at, shared);
    rest = rest.slice(entries.length);
    if (!body) continue;
    // (the losses go with the first beacon; given back if the browser refuses it)
    list.push({ entries, body, dropped: d.dropped });
    d.dropped = 0;
  }
  return ['beacon', list, works(d, at, online, site)];
};

/**
 * While delivery works, a beacon the browser took awaits its verdict (verdict.ts): the site's next outcome, or, after
 * `VERDICT` ms without one, delivered, so the normal course sends nothing twice; so does the request in flight of a
 * page that is `leaving` (it outlives the page). Both are handed over to the site's pages. While delivery
 * is not known to work, beaconed entries stay in the outbox and are sent again once the collector answers (the
 * collector drops the duplicates by eventId).
 */
export const beaconed: SendStep<'beaconed'> = (d, fx, [, at, sent, refused, leaving, healthy]) => {
  for (const b of refused) d.dropped += b.dropped;
  const left: Queued[] = leaving && healthy ? d.queue.filter((e) => d.inflight.has(e.id)) : [];
  for (const b of sent) {
    if (healthy) left.push(...b.entries);
    else for (const e of b.entries) d.unconfirmed.add(e.id);
  }
  // (handed over to the site's pages at once: another tab that reads them from the outbox awaits the same verdict)
  // (not again what an earlier exit handed over: dated anew, it was sent again. test/sim seed 9824, frozen, then gone)
  const ids = left.map((e) => e.id).filter((id) => !d.awaiting.has(id));
  leave(d, fx, ids, at, at);
  if (ids.length) fx.push(['handOver', [[at, ids]], d.tag]);
  // Now: the page may not live to the end of the task.
  fx.push(['commit', leaving]);
};

/**
 * The page runs again (a restore, a resume): what the outbox holds, other pages may have sent meanwhile: not beaconed
 * before it is read again; what no write is known to have kept is (test/sim seed 24210: a write refused in the cache,
 * the page gone before the read).
 */
export const back: SendStep<'back'> = (d, _fx, [, at]) => {
  if (d.kept) live(d).forEach((e) => d.saved[e.chunk] && d.unconfirmed.add(e.id));
  // (a write that has not answered may have landed while the page was away, and another tab delivered it since)
  const open = Object.keys(d.live).filter((c) => !d.saved[c]);
  d.unanswered = open.length ? [open, at + UNANSWERED_WAIT] : null;
};
