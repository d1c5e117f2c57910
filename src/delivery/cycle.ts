/**
 * The sender's cycle (sender.ts): in this tab's turn, it reads the outbox and sends one request at a time until the
 * queue is empty or the collector fails; its timer runs the next cycle when the send core asks.
 */
import { FLUSH_AFTER, type Delivery, type SendAnswer, type SendInputs } from '../core/send/send';
import type { Reply } from '../core/send/batch';
import { guard } from '../ground/log';
import type { Outbox } from './outbox';
import { readVerdicts } from './sent-marks';
import type { SenderOptions } from './sender';
import { post } from './transport';

export const online = () => navigator.onLine !== false;
/** What the site's pages hold of the entries that await a verdict, where there are some (core/send/verdict.ts). */
export const shared = (o: SenderOptions, model: Delivery) => (o.store && model.awaiting.size ? readVerdicts() : null);

/** Steps the send core with an input of now (sender.ts): its effects are carried out, its answer returned. */
export type Run = <T extends keyof SendInputs>(type: T, ...rest: SendInputs[T]) => SendAnswer<T> | undefined;
export type Alarm = ReturnType<typeof alarm>;

/**
 * The timer of the next cycle: `wait` sets it unless it is set to come sooner (an event held for a beacon's verdict,
 * 10 s: scripts/chaos.mjs seed 207; the core keeps the backoff in each wait), `now` runs the cycle at once.
 */
export function alarm(cycle: () => void) {
  let [timer, due]: [ReturnType<typeof setTimeout> | 0, number] = [0, 0];
  const wake = () => void ((timer = 0), cycle());
  const set = (ms: number) => ((due = Date.now() + ms), (timer = setTimeout(wake, ms)));
  return {
    wait: (ms: number) => void ((!timer || Date.now() + ms < due) && (clearTimeout(timer), set(ms))),
    now: () => (clearTimeout(timer), wake()),
    clear: () => clearTimeout(timer),
  };
}

/**
 * The cycle: in this tab's turn, reads the outbox and sends until the queue is empty or the collector fails. `void`:
 * a claim or a drain begun before it (a freeze, a resume) is void.
 */
export function cycler(o: SenderOptions, model: Delivery, outbox: Outbox, run: Run, replies: Set<() => void>) {
  let epoch = 0;
  const later = (delay: number) => run('later', delay);
  const heard = (answer: Reply) => guard(() => run('reply', answer, Math.random(), shared(o, model)));
  /** Sends until the queue is empty or the collector fails. Runs in this tab's turn. */
  const drain = async (known: string[]) => {
    const began = epoch;
    run('reading');
    const read = await outbox.read(known).catch(() => null);
    run('read', read && read.chunks, read ? read.keys : [], read?.handed, read?.marked);
    for (;;) {
      if (began !== epoch) return later(0);
      o.heed?.();
      const next = run('next', o.batch());
      if (!next) return;
      await post(o.url, next[1], o.request, replies, heard);
    }
  };

  const cycle = async () => {
    const asked = run('cycle', online(), shared(o, model));
    if (!asked) return;
    try {
      // Not a Web Lock, which keeps a navigating page out of Firefox's back/forward cache (turn.ts says why).
      const began = epoch;
      const mine = !o.turn || (await o.turn.claim());
      // (a claim that straddled a freeze may be another tab's turn by now: it was taken from a frozen page)
      if (began !== epoch) later(0);
      else if (mine) await drain(asked[1]);
      else later(FLUSH_AFTER);
    } catch {
      // A database that failed: the next cycle tries again.
      later(FLUSH_AFTER);
    } finally {
      o.turn?.give();
      // (a cycle asked for meanwhile runs now: the send core's `cycle` effect)
      run('drained');
    }
  };

  return { cycle, void: () => void epoch++ };
}
