/**
 * Delivery reads the outbox back at each cycle (send.ts `cycle`): what another tab delivered leaves the queue, what
 * other pages left joins it, and what leaving pages handed over awaits its verdict here too.
 */
import { FLUSH_AFTER } from './send-model';
import { MAX_BATCH_EVENTS } from './batch';
import type { SendStep } from './send-effect';
import { bound, delivered, live, push, take, wait } from './send-queue';
import { leave } from './verdict';

/**
 * The keys are read now: a chunk whose write answered before is there, or another tab delivered it. (Not as the cycle
 * began: test/sim seed 15392, a claim waited a second on a roll call, the tab's chunk written meanwhile, then delivered
 * and removed by another tab whose `sent` came 654 ms late; taken for a write that landed after the read, sent again.)
 */
export const reading: SendStep<'reading'> = (d) => void (d.asked = Object.keys(d.saved));

export const read: SendStep<'read'> = (d, fx, [, at, chunks, keys, handed = [], marked = []]) => {
  // A stalled or broken database must not keep this page's own events from leaving: they go now, and the outbox
  // is read again at the next cycle.
  d.limit = MAX_BATCH_EVENTS;
  const since = d.since;
  d.since = null;
  if (!chunks) return wait(d, fx, at, FLUSH_AFTER);
  // Of this tab's own entries, what a page that sent them for it marked sent as it left: delivered (and out of the
  // outbox here, since that page could not remove them; the simulator found them sent again by their tab's turn)
  const sent = new Set(marked);
  delivered(d, fx, live(d).filter((e) => sent.has(e.id) && !d.inflight.has(e.id)));
  // What another tab delivered leaves the queue (its chunks are gone); what other pages left joins it, in time order,
  // within the bounds. Gone is only what was there before the keys were read: a write of this tab that answered since
  // may have landed after (its entries were taken as delivered, and never sent: a flush resolved without them).
  const there = new Set(keys);
  const gone = d.asked.filter((c) => d.saved[c] && !there.has(c));
  for (const c of gone) (delete d.live[c], delete d.saved[c]);
  if (gone.length) take(d, fx, new Set(live(d).filter((e) => gone.includes(e.chunk)).map((e) => e.id)));
  let sort = false;
  const fresh: string[] = [];
  // (appending is the common case: only an entry older than the one before it calls for a sort)
  for (const [chunk, entries] of chunks) {
    // (this tab's own, written since the read began, is known already; another's is known in full once read whole,
    // and one with nothing new in it goes whole at once)
    if (d.live[chunk] !== undefined) continue;
    d.live[chunk] = 0;
    d.saved[chunk] = true;
    const copies = new Set<string>();
    for (const e of entries) {
      if (since?.has(e.id)) continue;
      if (!push(d, e, chunk)) {
        copies.add(e.id);
        continue;
      }
      fresh.push(e.id);
      if (d.queue.length > 1 && e.at < d.queue[d.queue.length - 2].at) sort = true;
    }
    // An entry queued here from another chunk stays in this one until it leaves both: a chunk gone tells the tab that
    // wrote it that its entries were delivered (test/sim seed 32548: a tab removed the other's chunk of their common
    // session_end, which that tab took for delivered; it removed in turn, whole, the chunk that still held it)
    if (copies.size) for (const e of live(d)) if (copies.has(e.id)) (d.live[chunk]++, (e.copies ||= []).push(chunk));
    if (!d.live[chunk]) (delete d.live[chunk], fx.push(['remove', [[chunk, [], true]]]));
  }
  if (sort) live(d).sort((a, b) => a.at - b.at || a.seq - b.seq);
  bound(d, fx);
  // What leaving pages handed over awaits its verdict here too (verdict.ts), but a refuted one: it is sent again
  for (const [left, ids, , refuted] of handed) if (!refuted) leave(d, fx, ids.filter((i) => d.known.has(i)), left, at);
  // The tab that wrote them may still hold them: were it to hide or leave while this tab's request is in flight,
  // its beacon would send them a second time (issue 37). Told now, it leaves them to this tab. (Those the bound
  // dropped here too: that tab keeps them, and sends them in its own turn.)
  if (fresh.length) fx.push(['sending', fresh]);
};
