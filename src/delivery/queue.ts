/**
 * The entries this tab knows and has not delivered yet (its own, and what it read from the outbox): in
 * time order, bounded, and what a flush waits for. The sender decides what leaves it and when.
 */
import { MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS } from '../core/batch';
import type { Entry } from '../core/event';

export interface Queue {
  /** Every entry, oldest first. */
  queued(): readonly Entry[];
  knows(id: string): boolean;
  /** The `track()` path: appended (the newest), then bounded; false when it is here already. */
  admit(entry: Entry): boolean;
  /** Entries read from the outbox join in time order (appending is the common case), then the bounds apply. */
  merge(list: Entry[]): void;
  /** These leave: delivered, or given up on. */
  retire(ids: Set<string>): void;
  /** Resolves once every entry here now has left. */
  drained(): Promise<void>;
}

type Queued = Entry & { seq: number };

/**
 * Past 5,000 events or 5 M characters (the bound on memory: bytes are counted where they matter, per
 * request) the oldest go to `overflow`, `first` when the queue was not full at the last change: one warning
 * per overflow, not one per event. Cheap: a splice at the front.
 */
export function startQueue(overflow: (gone: Entry[], first: boolean) => void): Queue {
  let queue: Queued[] = [];
  let chars = 0;
  const known = new Set<string>();
  /** The queue overflowed at its last change. */
  let full = false;
  let seq = 0;
  /** Flushes waiting: the last `seq` each waits for. */
  let waiters: [number, () => void][] = [];

  const settle = () => {
    if (!waiters.length) return;
    const first = queue.reduce((min, e) => Math.min(min, e.seq), Infinity);
    waiters = waiters.filter(([last, resolve]) => (first > last ? void resolve() : true));
  };

  const push = (entry: Entry): Queued => {
    const e = entry as Queued;
    e.seq = ++seq;
    known.add(e.id);
    queue.push(e);
    chars += e.fields.length;
    return e;
  };

  const bound = () => {
    let over = 0;
    let left = chars;
    while (queue.length - over > MAX_QUEUE_EVENTS || left > MAX_QUEUE_CHARS) left -= queue[over++].fields.length;
    if (over) {
      const gone = queue.splice(0, over);
      chars = left;
      for (const e of gone) known.delete(e.id);
      overflow(gone, !full);
      settle();
    }
    full = over > 0;
  };

  return {
    queued: () => queue,
    knows: (id) => known.has(id),
    admit(entry) {
      if (known.has(entry.id)) return false;
      push(entry);
      if (queue.length > MAX_QUEUE_EVENTS || chars > MAX_QUEUE_CHARS) bound();
      else full = false;
      return true;
    },
    merge(list) {
      let sort = false;
      for (const entry of list) {
        if (known.has(entry.id)) continue;
        sort = sort || (queue.length > 0 && entry.at < queue[queue.length - 1].at);
        push(entry);
      }
      if (sort) queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      bound();
    },
    retire(ids) {
      queue = queue.filter((e) => !ids.has(e.id) || ((chars -= e.fields.length), false));
      for (const id of ids) known.delete(id);
      settle();
    },
    drained: () =>
      new Promise((resolve) => {
        waiters.push([seq, resolve]);
        settle();
      }),
  };
}
