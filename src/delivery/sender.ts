/**
 * Delivery's shell: the timer, the requests, the turn and the outbox's storage. What to send, when, and what a
 * reply means are the send core's steps (core/send/send.ts); this file turns signals into its inputs, with their time,
 * and carries out its effects in order.
 *
 * Events are written to the outbox (when storage is allowed) at the end of the task that tracked them; delivered and
 * given-up entries leave it the same way, one transaction per task. Sending never waits for an outbox write, and a read
 * of the outbox has a bound (`bounded.ts`). Tabs share the outbox: one tab at a time sends (`turn.ts`), every entry,
 * its own, other tabs' and closed or crashed pages'. A hidden page beacons what is left (what it sent: `outbox.ts`).
 */
import type { Entry } from '../core/event';
import type { Answer, Format, RequestOptions } from '../core/formats/format';
import {
  delivery,
  sendStep,
  type Delivery,
  type SendAnswer,
  type SendEffect,
  type SendInput,
  type Shared,
} from '../core/send/send';
import type { Outcome } from '../core/send/send-model';
import { note, type Recording } from '../ground/recorder';
import { guard, tell, warn } from '../ground/log';
import type { Tabs } from '../session/tabs';
import { alarm, cycler, online, shared, type Alarm, type Run } from './cycle';
import { startOutbox, type Outbox } from './outbox';
import { readOutcome, shareOutcome } from './outcome';
import { handOver, judgeHandedOver, judgeLast } from './sent-marks';
import type { OutboxStore } from './outbox-store';
import { beacon, sendNow, watchNetwork } from './transport';
import type { Turn } from './turn';
import { unreachedText } from './unreached';

export interface SenderOptions {
  /** where batches go */
  url: string;
  format: Format;
  /** how its requests go (content type, cookies, headers) */
  request: RequestOptions;
  /** events lost before they could be queued (held past the bound): counted in the first batch's `dropped` */
  dropped: number;
  /** the last delivery outcome this page knew before (a sender stopped by a withdrawal, then started anonymous) */
  outcome?: Outcome | null;
  /** when the page last saw the browser offline before the sender started (at its start, or an `offline` event) */
  offline?: number | null;
  /** the outbox, where storage is allowed */
  store: OutboxStore | null;
  /** the site's tabs, told what was delivered (none when anonymous) */
  tabs: Tabs | null;
  /** one sender at a time among the tabs that share the outbox */
  turn: Turn | null;
  /** what the next batch says of the page: the pipeline's name for the visitor, the share of sessions that send */
  batch(): Shared;
  /** what the collector's answer to a delivered batch told the format */
  heard(answer: Answer): void;
  /** before each request: a withdrawal another tab stored, its message late (test/sim seed 18728), stops it here */
  heed?(): void;
  /** the flight recorder's steps (`debug: true`), delivery's too */
  recording?: Recording | null;
}

export interface Sender {
  /** The `track()` path: appended, bounded, written at the end of the task, sent after a short timer. */
  add(entry: Entry): void;
  /** Resolves once every entry queued so far is delivered or given up on. */
  flush(): Promise<void>;
  /**
   * The page is hidden (and may never come back): every entry that is not already in flight goes out by
   * beacon now (core/send/send.ts `beaconed` says what then counts as delivered). `leaving`: pagehide.
   */
  beacon(leaving: boolean): void;
  /** Another tab delivered these (`answered`: the collector's 2xx, just now): forget them. */
  sentElsewhere(ids: string[], answered?: boolean): void;
  /** Another tab read these from the outbox and sends them: a beacon here leaves them out. */
  sendingElsewhere(ids: string[]): void;
  /** The page is back in the foreground: a failing collector may be tried now, not at a long backoff's end. */
  retry(): void;
  /** Events lost before they could be queued (held past the bound): counted in the next batch's `dropped`. */
  lost(count: number): void;
  /**
   * The page is frozen (Page Lifecycle): what it holds goes by beacon, its requests in flight count as delivered
   * (they outlive the freeze), and it gives the turn back, since it cannot send until it runs again.
   */
  freeze(): void;
  /**
   * The page runs again after a freeze, or is back from the back/forward cache: another tab may have taken the turn
   * and sent what this one holds meanwhile. A claim or a send begun before is void (a send stops after its request);
   * the next claims the turn and reads the outbox first, and until it has, what the page holds is not beaconed (it
   * stays in the outbox: core/send/send.ts `back`).
   */
  resume(): void;
  /** Stops sending; `clear` (consent withdrawn) also drops everything queued, so that nothing more is sent. */
  stop(clear?: boolean): void;
  /** Delivery's model, for the flight recorder's log (read only). */
  readonly model: Delivery;
}

type Performs = { [T in SendEffect[0]]?: (payload: Extract<SendEffect, [T, ...unknown[]]>[1], more: never) => void };

/**
 * The send core, stepped: each input with its time, noted by the flight recorder (`debug: true`), then its effects in
 * order; `run` gives its answer (what to drain, post, beacon) back to the caller that asked.
 * The entries tracked in a task are given to the core at its end, or before any other input: one step for a burst (a
 * step per event, with its input and effects, cost a `track()` half as much again). The outbox writes at the end of
 * the task anyway, and every other input (a flush, a beacon at pagehide) comes after them.
 */
function stepper(model: Delivery, o: SenderOptions, perform: Performs) {
  let adding: Entry[] = [];
  const step = (input: SendInput) => {
    const [effects, answer] = sendStep(model, input, o.format);
    // (the log shows the answer after the effects, where the caller acts on it)
    if (o.recording) note(o.recording, null, ['send', input], answer ? [...effects, answer] : effects);
    for (const effect of effects)
      (perform[effect[0]] as ((payload: unknown, more: unknown) => void) | undefined)?.(effect[1], effect[2]);
    return answer;
  };
  const added = () => {
    if (!adding.length) return;
    const list = adding;
    adding = [];
    step(['add', Date.now(), list]);
  };
  const run: Run = (type, ...rest) => {
    added();
    return step([type, Date.now(), ...rest] as unknown as SendInput) as SendAnswer<typeof type> | undefined;
  };
  const add = (entry: Entry) => {
    if (adding.push(entry) === 1) queueMicrotask(() => guard(added));
  };
  return { run, add };
}

/** What the sender does for each of the send core's effects (those that need an answer are read by who asked). */
function performs(
  o: SenderOptions,
  outbox: Outbox,
  timer: Alarm,
  waiters: Map<number, () => void>,
  cycle: () => void,
): Performs {
  return {
    write: (list) => outbox.write(list),
    remove: (list) => outbox.remove(list),
    commit: (leaving) => outbox.commit(leaving),
    abandon: () => outbox.detach(),
    sent: (ids, answered) => o.tabs?.send(answered ? { k: 'sent', ids, a: 1 } : { k: 'sent', ids }),
    sending: (ids) => o.tabs?.send({ k: 'sending', ids }),
    wait: timer.wait,
    now: timer.now,
    cycle,
    answered(text) {
      const answer = o.format.answer?.(text);
      if (answer) o.heard(answer);
    },
    settle: (ids) => ids.forEach((id) => (waiters.get(id)?.(), waiters.delete(id))),
    // (stored with consent only, where there is an outbox; the site's last outcome judges first, since the page that
    // shared it may have died before it judged: test/sim seed 39509, a crash between the two, and the next page's own
    // outcome, 20 s later, judged the refuted hand-over sent)
    outcome: ([ok, at]) => o.store && (judgeLast(), judgeHandedOver([ok, at, shareOutcome([ok, at])])),
    handOver: (list, tag) => o.store && handOver(list, tag),
    warn,
    unreached: (code, status) =>
      tell(code, unreachedText(code, new URL(o.url, location.href).href, status, location.origin)),
  };
}

export function startSender(o: SenderOptions): Sender {
  // (this page's part of its outbox chunks' keys: random)
  const model = delivery(o.url, o.dropped, !!o.store, Math.random().toString(36).slice(2, 8));
  model.outcome = o.outcome ?? null;
  // (delivery's start, for the flight recorder's log: the model changes in place from now on)
  if (o.recording) o.recording.start = structuredClone(model);
  const outbox = startOutbox(o.store, (keys, ok) => guard(() => run('written', keys, ok)));
  const timer = alarm(() => cycle());
  /** The flushes waiting, by the id the core knows them by. */
  const waiters = new Map<number, () => void>();
  let waiter = 0;
  /** The give-up of the request awaited now. */
  const replies = new Set<() => void>();
  const { run, add } = stepper(model, o, performs(o, outbox, timer, waiters, () => void cycle()));
  const later = (delay: number) => run('later', delay);
  const { cycle, void: voidTurn } = cycler(o, model, outbox, run, replies);

  /** What is queued and not in flight goes by beacon now, in order, until the browser refuses one. */
  const beaconQueue = (leaving: boolean) => {
    sendNow(); // (a request still being gzipped leaves now, plain: in flight, it is not beaconed again)
    const site = o.store ? readOutcome() : null;
    const [, list, healthy] = run('beacon', leaving, online(), o.batch(), site)!;
    let n = 0;
    while (n < list.length && beacon(o.url, list[n].body, o.request)) n++;
    run('beaconed', list.slice(0, n), list.slice(n), leaving, healthy);
  };

  const retry = () => void run('retry');
  const unwatch = watchNetwork(() => (retry(), cycle()), () => run('offline', shared(o, model)));
  // Entries left by pages that closed or crashed before delivering them.
  if (o.store) later(0);
  // (a page that started offline, or went offline before this, learned that much: it judges what a page left in flight)
  if (o.offline) run('offline', null, o.offline);

  return {
    model,
    add,
    flush: () => new Promise((resolve) => void (waiters.set(++waiter, resolve), run('flush', waiter))),
    beacon: beaconQueue,
    retry,
    lost: (count) => void run('lost', count),
    freeze() {
      beaconQueue(true);
      voidTurn();
      o.turn?.give();
    },
    resume() {
      voidTurn();
      run('back');
      later(0);
    },
    sentElsewhere: (ids, answered) => void run('elsewhere', ids, answered),
    sendingElsewhere: (ids) => void run('sending', ids),
    stop(clear) {
      run('stop', !!clear);
      timer.clear();
      unwatch();
      // (a request in flight may still land: its entries stay in the outbox, and the next start sends them again)
      for (const giveUp of replies) giveUp();
    },
  };
}
