/**
 * The simulator's one clock and its event loop: every task of every page, of the network, of IndexedDB and of the
 * tabs' channel is a task here, run in the order of its time (then of its scheduling). Nothing real: no timer, no I/O.
 * A task belongs to an owner (a page, or nobody: the browser's own work); a page that is frozen or in the
 * back/forward cache keeps its tasks until it runs again, a page that is gone drops them.
 */
export type OwnerState = 'running' | 'paused' | 'gone';

export interface Owner {
  /** a page's id (liveness names the owners of the tasks that ran) */
  id?: string;
  state: OwnerState;
  /** tasks that came while it was paused, run in their order once it runs again */
  deferred: Task[];
  /** runs a task's function where the owner runs code (a page: inside its realm, its microtasks after) */
  enter(run: () => void): void;
  /** whether a task marked `frozen` runs while paused (Chromium runs a frozen page's channel messages) */
  runsWhilePaused?(task: Task): boolean;
  /** busy with a long task until then: its tasks due meanwhile run after it, in the order they came due */
  busyUntil?: number;
}

export interface Task {
  at: number;
  seq: number;
  owner: Owner | null;
  what: string;
  run: () => void;
  /** a BroadcastChannel message: Chromium runs it in a frozen page */
  message?: true;
  cancelled?: true;
}

export interface Loop {
  now(): number;
  /** a task after `delay` ms (0: as soon as what is due has run) */
  at(delay: number, owner: Owner | null, what: string, run: () => void, message?: true): Task;
  cancel(task: Task): void;
  /**
   * runs tasks until the clock reaches `until` (inclusive), then sets the clock there; false once the loop is halted:
   * by `halt`, or by this call's bound of tasks, which halts it with what was running (a livelock: liveness.ts)
   */
  runUntil(until: number, maxTasks?: number): boolean;
  /** stops the loop for good, after the task that runs now: no task runs again (a livelock, found) */
  halt(why: string): void;
  /** why the loop was halted, or null */
  halted(): string | null;
  /**
   * the owner runs again: what it deferred is due `after` ms from now, in order (Chromium queues a frozen page's
   * backlog by task source: an IndexedDB success may run after a timer its resume handler set)
   */
  resume(owner: Owner, after?: number): void;
  /** tasks run so far */
  count(): number;
  /** called after every task (the invariants) */
  afterEach: (() => void) | null;
}

/** A binary heap of tasks by (at, seq). */
function heap() {
  const items: Task[] = [];
  const less = (x: Task, y: Task) => x.at < y.at || (x.at === y.at && x.seq < y.seq);
  return {
    size: () => items.length,
    peek: () => items[0],
    push(task: Task) {
      items.push(task);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(items[i], items[parent])) break;
        [items[i], items[parent]] = [items[parent], items[i]];
        i = parent;
      }
    },
    pop(): Task {
      const top = items[0];
      const last = items.pop()!;
      if (items.length) {
        items[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < items.length && less(items[l], items[m])) m = l;
          if (r < items.length && less(items[r], items[m])) m = r;
          if (m === i) break;
          [items[i], items[m]] = [items[m], items[i]];
          i = m;
        }
      }
      return top;
    },
  };
}

/** The last tasks run, tallied when a bound stops the loop: what was running. */
const RECENT = 1000;

/** `recent`'s tasks by owner and kind (a message by its sender), most first. */
function tally(recent: Task[]): string {
  const counts = new Map<string, number>();
  for (const task of recent) {
    const key = `${task.owner?.id ?? 'the browser'}: ${task.what.replace(/^message (\S+)>\S+$/, 'message from $1')}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return top.map(([key, n]) => `${key} ×${n}`).join(', ');
}

export function startLoop(start: number): Loop {
  let clock = start;
  let seq = 0;
  let ran = 0;
  let stopped: string | null = null;
  const recent: Task[] = [];
  const queue = heap();
  const loop: Loop = {
    now: () => clock,
    at(delay, owner, what, run, message) {
      const task: Task = { at: clock + Math.max(0, delay), seq: ++seq, owner, what, run, message };
      queue.push(task);
      return task;
    },
    cancel(task) {
      task.cancelled = true;
    },
    runUntil(until, maxTasks = 200_000) {
      const from = clock;
      for (let n = 0; queue.size() && queue.peek().at <= until; n++) {
        if (stopped) return false;
        if (n >= maxTasks) {
          const span = `${n} tasks in ${clock - from} simulated ms, short of ${until - from}`;
          loop.halt(`${span}; the last ${recent.length}: ${tally(recent)}`);
          return false;
        }
        const task = queue.pop();
        if (task.cancelled) continue;
        clock = Math.max(clock, task.at);
        const owner = task.owner;
        if (owner && owner.state === 'gone') continue;
        if (owner?.busyUntil !== undefined && owner.busyUntil > task.at) {
          queue.push(Object.assign(task, { at: owner.busyUntil, seq: ++seq }));
          continue;
        }
        if (owner && owner.state === 'paused' && !owner.runsWhilePaused?.(task)) {
          owner.deferred.push(task);
          continue;
        }
        recent[ran++ % RECENT] = task;
        if (owner) owner.enter(task.run);
        else task.run();
        loop.afterEach?.();
      }
      if (stopped) return false;
      clock = Math.max(clock, until);
      return true;
    },
    halt(why) {
      stopped ??= why;
    },
    halted: () => stopped,
    resume(owner, after = 0) {
      const deferred = owner.deferred.splice(0);
      for (const task of deferred) if (!task.cancelled) queue.push(Object.assign(task, { at: clock + after, seq: ++seq }));
    },
    count: () => ran,
    afterEach: null,
  };
  return loop;
}
