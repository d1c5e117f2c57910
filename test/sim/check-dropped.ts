/**
 * Every loss counted (docs/delivery.md, "Bounded, and every loss counted"): what a page gave up (a 4xx it took; the
 * bounds, a week's age and an entry no request can carry never come in a simulated run) is reported in the `dropped`
 * of its next batch, and the collector receives no more than was given up. The docs' one exception: "The `dropped`
 * count lives in memory: a page that closes before its next batch does not report its losses" (nor does a page whose
 * sender a consent decision started again: a refusal erases it with the rest). A report the collector took whose
 * answer its page did not hear is given back and reported again: counted twice, as such a request's events are sent.
 */
import { retryable } from '../../src/core/send/batch';
import type { Sent } from './net';
import type { Site } from './site';

/**
 * A final answer: the batch given up (core/send/batch.ts FINAL). Not a 413 of more than one event: Stint halves the batch
 * and sends it again (send.ts `reply`).
 */
export const final = (r: Sent): boolean =>
  r.status !== null && r.status >= 400 && !retryable(r.status) && !(r.status === 413 && r.ids.length > 1);

/** A final answer its page took (not late, not after a restore or a refusal): Stint gave the batch up, counted. */
const tookGiveUp = (r: Sent) => final(r) && r.heard === 'answer' && !r.ignored;

export interface DroppedCheck {
  /** the rules broken, and how many losses went unreported (the exception: those after a page's last batch) */
  judge(): { broken: string[]; unreported: number };
}

export function droppedCheck(site: Site): DroppedCheck {
  const { net } = site;
  /** A give-up: the request its page gave up, when, and how many events at least it counted (not delivered by then). */
  const givenUp = (r: Sent) => {
    const delivered = (id: string) => (net.arrived.get(id)?.at ?? Infinity) <= r.answeredAt!;
    return { r, at: r.answeredAt!, least: r.ids.filter((id) => !delivered(id)).length };
  };
  /**
   * One page's sender lives: from each consent decision it heard to the next (a decision may start another). A give-up
   * belongs to the life that sent its request, though its answer came in the next (seed 4820: an anonymous page's
   * batch refused after a grant started its page's next sender, which does not report the last one's losses).
   */
  const lives = (page: string) => {
    const edges = site.hearings.filter((h) => h.page === page).map((h) => h.at);
    return (r: Sent, at = r.at) => edges.filter((e) => e <= at).length;
  };
  const judge = () => {
    const broken: string[] = [];
    let unreported = 0;
    for (const page of site.pages.keys()) {
      const sent = net.requests.filter((r) => r.page === page);
      const ups = sent.filter(tookGiveUp).map(givenUp);
      const life = lives(page);
      // Reported in its next batch: by each request, its life has reported at least what it gave up before it.
      let paid = 0;
      let last = -1;
      for (const r of sent) {
        if (life(r) !== last) (paid = 0), (last = life(r));
        paid += r.reports;
        const before = ups.filter((g) => life(g.r) === last && g.r.n < r.n && g.at <= r.at);
        const owed = before.reduce((n, g) => n + g.least, 0);
        if (paid >= owed) continue;
        broken.push(`${page}'s request ${r.n} (${r.kind}) reports ${paid} losses of its life, after ${owed}`);
        break;
      }
      // (what a page gave up after its last batch of that life: the docs' exception)
      for (const g of ups) {
        const later = sent.some((r) => r.n > g.r.n && r.at >= g.at && life(r) === life(g.r));
        if (!later) unreported += g.least;
      }
      // The collector receives no more than was given up, but reports taken whose answer was not heard (sent again).
      const taken = sent.filter((r) => r.reached !== null && r.status === 204);
      const received = taken.reduce((n, r) => n + r.dropped, 0);
      const again = taken.filter((r) => r.heard !== 'answer' || r.ignored).reduce((n, r) => n + r.reports, 0);
      // (every final answer the collector gave this page, whether or not the simulator saw the page take it: seed
      // 18179, a 400 its page counted as it came back, which the record shows unheard)
      const finals = sent.filter((r) => r.reached !== null && final(r));
      const most = finals.reduce((n, r) => n + r.ids.length, 0) + again;
      if (received > most) broken.push(`the collector received ${received} losses from ${page}, which gave up ${most}`);
    }
    return { broken, unreported };
  };
  return { judge };
}
