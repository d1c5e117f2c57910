/**
 * What delivery's steps (send.ts) ask the shell (delivery/sender.ts) to do, in order, and the type of a step.
 */
import type { Format } from '../formats/format';
import type { Beacon, Chunks, Delivery, Outcome, Removal, SendInputs } from './send-model';

/** What the shell does, in order. */
export type SendEffect =
  /** to the outbox, at the end of the task, each chunk whole (a `written` input) */
  | [type: 'write', chunks: Chunks]
  /**
   * out of the outbox, at the end of the task: per chunk, these entries, or (`whole`) the chunk, nothing else left in
   * it
   */
  | [type: 'remove', list: Removal[]]
  /** what this task wrote and removed, now; a `leaving` page marks its removals (outbox.ts) */
  | [type: 'commit', leaving: boolean]
  /** nothing more is written or removed */
  | [type: 'abandon']
  /** the other tabs forget these: delivered */
  | [type: 'sent', ids: string[], answered?: true]
  /** the other tabs do not beacon these: this tab read them from the outbox and sends them */
  | [type: 'sending', ids: string[]]
  /** a `cycle` input after `ms`, unless one is set already */
  | [type: 'wait', ms: number]
  /** a `cycle` input now, in place of the one set */
  | [type: 'now']
  /** a cycle asked for during the drain that just ended: run it now */
  | [type: 'cycle']
  /** a delivered batch's answer, for the format */
  | [type: 'answered', text: string]
  /**
   * a delivery outcome the site's other pages should know (the shell shares it, and with it the verdict on what pages
   * that left handed over: verdict.ts)
   */
  | [type: 'outcome', outcome: Outcome]
  /**
   * these entries left by beacon, or in flight as the page left, and await a verdict: handed over to the site's pages,
   * whose next outcomes judge them (verdict.ts, delivery/sent-marks.ts), under keys of this page's (`tag`)
   */
  | [type: 'handOver', awaiting: [at: number, ids: string[]][], tag: string]
  /** these flushes resolve */
  | [type: 'settle', ids: number[]]
  /** a message (log.ts): its code, and where it comes from */
  | [type: 'warn', code: number, where: string]
  /** nothing reaches the collector, for the reason this message's code says (batch.ts `unreached`), in plain words */
  | [type: 'unreached', code: number, status: number];

/**
 * What a step answers the caller that asked (delivery/cycle.ts, sender.ts), beside its effects: the work only that
 * caller can do, at once, with what it holds (a claim of the turn, a request, the browser's beacons).
 */
export interface SendAnswers {
  /** claim the turn, read the outbox but the chunks known (a `read` input), then ask `next` until it posts nothing */
  cycle: [type: 'drain', known: string[]];
  /** the request to await (a `reply` input) */
  next: [type: 'post', body: string];
  /** beacons, in order, until the browser refuses one (a `beaconed` input) */
  beacon: [type: 'beacon', list: Beacon[], healthy: boolean];
}
export type SendAnswer<T = keyof SendAnswers> = T extends keyof SendAnswers ? SendAnswers[T] : never;

export type Fx = SendEffect[];
export type SendStep<T extends keyof SendInputs> = (
  d: Delivery,
  fx: Fx,
  input: readonly [T, number, ...SendInputs[T]],
  format: Format,
) => SendAnswer<T> | void;
