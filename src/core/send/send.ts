/**
 * Delivery's decisions, as steps of (delivery model, input): at-least-once, nothing unbounded, nothing sent twice in
 * the normal course. The shell (delivery/sender.ts) keeps the timer, the requests and the outbox's storage; it
 * gives each signal as an input with its time (an add, a reply, a tick, online, hidden, leaving) and carries out
 * the effects in order (post, beacon, write, remove, wait...). No browser global, no clock (send.test.ts plays it).
 *
 * Events are queued and written to the outbox; a short wait sends them in batches under the 64 KB browsers allow
 * in flight (batch.ts). A batch leaves only when the collector answers 2xx; network errors and every status that may
 * pass (3xx, 404, 408, 429, 5xx...) are retried with backoff for up to a week; 400, 401, 403, 410 and 422 drop the
 * batch, counted (`retryable`); 413 halves it. While offline nothing is tried. When the page is hidden what is left
 * goes by beacon at once.
 *
 * Unlike the session core (step.ts), a step changes the model it is given, in place: the queue holds up to 5,000
 * entries, and an add must cost what a push costs. A test that wants the model before takes a `structuredClone`.
 */
import {
  MAX_AGE,
  MAX_QUEUE_CHARS,
  MAX_QUEUE_EVENTS,
  parseRetryAfter,
  retryable,
  retryDelay,
  retryEarly,
  unreached,
} from './batch';
import { FLUSH_AFTER, type Delivery, type SendInput, type SendInputs } from './send-model';
import { type Fx, type SendAnswer, type SendEffect, type SendStep } from './send-effect';
import { bound, chunkOf, cut, delivered, giveUp, live, push, take, wait } from './send-queue';
import { back, beacon, beaconed } from './send-away';
import { read, reading } from './send-read';
import { follow, judge, learn, VERDICT } from './verdict';
import type { Format } from '../formats/format';

export {
  delivery,
  FLUSH_AFTER,
  type Beacon,
  type Delivery,
  type SendInput,
  type SendInputs,
  type Shared,
} from './send-model';
export type { SendAnswer, SendEffect };
export type { Reply } from './batch';

/**
 * One input: the model changes in place; the effects are returned, with the answer to the caller that asked (a
 * `cycle`, `next` or `beacon`: what to drain, post or beacon), or none. `format` makes the bodies.
 */
export function sendStep<T extends keyof SendInputs>(
  d: Delivery,
  input: Extract<SendInput, readonly [T, ...unknown[]]>,
  format: Format,
): [effects: SendEffect[], answer: SendAnswer<T> | undefined] {
  const fx: Fx = [];
  const answer = (STEPS[input[0]] as SendStep<T>)(d, fx, input as never, format);
  return [fx, answer || undefined];
}

const add: SendStep<'add'> = (d, fx, [, at, entries]) => {
  // (a session_end another tab found too may be here already: its id is derived from the session's)
  const fresh = entries.filter((entry) => !d.known.has(entry.id));
  if (!fresh.length) return;
  // Written to the outbox at the end of the task, in one chunk (bounded after: what the bound drops leaves it again).
  const [chunk] = d.kept ? chunkOf(d, fresh) : [''];
  if (chunk) fx.push(['write', [[chunk, fresh]]]);
  for (const e of fresh) push(d, e, chunk);
  if (d.queue.length - d.head > MAX_QUEUE_EVENTS || d.chars > MAX_QUEUE_CHARS) bound(d, fx);
  else d.full = false;
  wait(d, fx, at, FLUSH_AFTER);
};

const flush: SendStep<'flush'> = (d, fx, [, , id]) => {
  // (every entry queued now has a seq up to the last one given)
  if (d.queue.length > d.head) d.waiters.push([d.seq, d.queue.length - d.head, id]);
  else fx.push(['settle', [id]]);
  fx.push(['now']);
};

const cycle: SendStep<'cycle'> = (d, fx, [, at, online, shared]) => {
  // (one drain at a time: a cycle due during one, its timer fired during a request, runs once it ends; simulator seed
  // 33341 lost a whole outbox to a read retry that fired while the tab's own events were in flight)
  if (d.draining) return void (d.missed = true);
  // Offline: `online` brings us back.
  if (d.stopped) return undefined;
  // (what left by beacon is judged by what the site's pages learned since, else by the time it waited: verdict.ts)
  if (shared) follow(d, fx, shared);
  judge(d, fx, at);
  if (d.awaiting.size) wait(d, fx, at, Math.min(...d.awaiting.values()) + VERDICT - at);
  if (!online) return undefined;
  if (d.unanswered && at < d.unanswered[1]) wait(d, fx, at, d.unanswered[1] - at);
  else if (at < d.retryAt) wait(d, fx, at, 0);
  else {
    d.asked = Object.keys(d.saved);
    d.since = new Set();
    d.draining = true;
    return ['drain', Object.keys(d.live)];
  }
  return undefined;
};

const next: SendStep<'next'> = (d, fx, [, at, shared], format) => {
  // (after a failure that is retried, the drain ends: the backoff's wait is set)
  while (!d.stopped && at >= d.retryAt) {
    const old = live(d).filter((e) => at - e.at > MAX_AGE);
    if (old.length) giveUp(d, fx, old, [44, `${old.length} events`]);
    const waiting = d.queue.filter((e) => !d.inflight.has(e.id) && !d.awaiting.has(e.id));
    if (!waiting.length) break;
    const { entries, body } = cut(d, fx, waiting.slice(0, d.limit), format, at, shared);
    if (!body) continue;
    d.carried = d.dropped;
    d.dropped = 0;
    for (const e of entries) d.inflight.add(e.id);
    // A tab that read them since this one told it so (its `sending`: unconfirmed here) holds them too, unaware of this
    // request: told now, or hidden during it, it beaconed them (scripts/chaos.mjs: twice, two tabs 12 ms apart).
    const told = entries.filter((e) => d.unconfirmed.has(e.id)).map((e) => e.id);
    if (told.length) fx.push(['sending', told]);
    return ['post', body];
  }
  return undefined;
};

const reply: SendStep<'reply'> = (d, fx, [, at, answer, random, shared]) => {
  const { status, retryAfter, text, abandoned } = answer;
  const batch = d.queue.filter((e) => d.inflight.has(e.id));
  // (entries handed over while in flight, at a freeze or pagehide, await their verdict: verdict.ts)
  const sent = [...d.inflight];
  d.inflight.clear();
  // (no news of the collector: sent again, but what awaits a verdict, which the site's next outcome gives)
  if (abandoned) return void ((d.dropped += d.carried), wait(d, fx, at, 0));
  if (status >= 200 && status < 300) {
    // (a limit learned from a 413 holds for the rest of this drain)
    d.failures = d.retryAt = 0;
    d.said |= 1;
    learn(d, fx, [true, at], shared);
    delivered(d, fx, batch, true);
    fx.push(['answered', text]);
    return;
  }
  d.dropped += d.carried;
  // (said once per page and cause, in plain words, with or without debug: what the answer does to the batch is as ever)
  d.refusals = answer.refused ? d.refusals + 1 : 0;
  const why = unreached(answer, d.refusals, d.said & 1);
  if (why && !(d.said & (1 << why))) (fx.push(['unreached', why, status]), (d.said |= 1 << why));
  if (status === 413 && sent.length > 1) {
    d.limit = Math.ceil(sent.length / 2);
  } else if (retryable(status)) {
    learn(d, fx, [false, at], shared);
    d.triedAt = at;
    const told = parseRetryAfter(retryAfter, at);
    d.told = told !== null;
    d.retryAt = at + retryDelay(++d.failures, told, random);
    wait(d, fx, at, 0);
  } else {
    giveUp(d, fx, batch, why ? null : [45, `${sent.length} events (HTTP ${status})`]);
  }
};

/**
 * Another tab delivered these: forget them; and if the collector has just answered it, take it as news that the
 * collector is back (a verdict, or a leaving page's marks, say nothing of the collector now: verdict.ts).
 */
const elsewhere: SendStep<'elsewhere'> = (d, fx, [, at, ids, answered]) => {
  if (answered) ((d.failures = d.retryAt = 0), (d.outcome = [true, at]), (d.said |= 1));
  const set = new Set(ids);
  const mine = live(d).filter((e) => set.has(e.id) && d.live[e.chunk]);
  take(d, fx, set);
  // Their chunk here may not be the one that tab removed them from: a session_end and session_start two tabs found
  // have one id, a copy in each tab's chunk. Once nothing in it is left here, the chunk goes (test/sim seed 36285: the
  // copy left in the outbox, the chunk's other entries delivered, was read and sent again by the other tab)
  for (const { chunk: c } of mine)
    if (!--d.live[c]) (delete d.live[c], delete d.saved[c], fx.push(['remove', [[c, [], true]]]));
};

/**
 * Another tab read these from the outbox and sends them: not beaconed here (`unconfirmed`), but kept, and sent by
 * this tab's own turn if that tab fails or goes before it delivers them.
 */
const sending: SendStep<'sending'> = (d, _fx, [, , ids]) => {
  for (const id of ids) if (d.known.has(id)) d.unconfirmed.add(id);
};

/** Tries now rather than at the end of a long backoff, when `retryEarly` says so. */
const retry: SendStep<'retry'> = (d, fx, [, at]) => {
  if (!retryEarly(at, d.retryAt, d.triedAt, d.told)) return;
  d.retryAt = 0;
  fx.push(['now']);
};

/** The outbox's write answered; after one that failed, nothing more is written: the events stay queued in memory. */
const written: SendStep<'written'> = (d, fx, [, , keys, ok]) => {
  if (d.unanswered) {
    const left = d.unanswered[0].filter((c) => !keys.includes(c));
    d.unanswered = left.length ? [left, d.unanswered[1]] : null;
    if (!left.length) fx.push(['now']);
  }
  // (a chunk all of whose entries left before its write answered is no longer known: it is not there)
  if (ok) return void keys.forEach((c) => d.live[c] !== undefined && (d.saved[c] = true));
  // The chunks written before stay in the outbox, and leave it as ever, in this tab's turn: sent without the turn,
  // another tab's could read and send them too (test/sim regression: a write aborted as the page entered the cache).
  for (const c of keys) (delete d.live[c], delete d.saved[c]);
  if (!d.kept) return;
  d.kept = false;
  fx.push(['warn', 40, 'outbox']);
};

const stop: SendStep<'stop'> = (d, fx, [, , clear]) => {
  d.stopped = true;
  if (clear) {
    take(d, fx, new Set(d.known));
    fx.push(['abandon']);
  }
  // What this task queued and removed is written now (none once detached), before the database closes.
  fx.push(['commit', false]);
};

const STEPS: { [T in keyof SendInputs]: SendStep<T> } = {
  add,
  flush,
  later: (d, fx, [, at, delay]) => wait(d, fx, at, delay),
  cycle,
  drained: (d, fx) => void ((d.draining = false), d.missed && ((d.missed = false), fx.push(['cycle']))),
  reading,
  read,
  written,
  next,
  reply,
  beacon,
  beaconed,
  elsewhere,
  sending,
  retry,
  lost: (d, _fx, [, , count]) => void (d.dropped += count),
  offline: (d, fx, [, at, shared, since]) => learn(d, fx, [false, since ?? at], shared),
  back,

  stop,
};
