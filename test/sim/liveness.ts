/**
 * Liveness: a site whose pages never stop working fails, though every event arrives. In a browser a livelock is a CPU
 * storm in every tab (seed 26719: five tabs answered each other's older session with a write and a message, some
 * 5,000 tasks per simulated ms, and never converged). Two bounds, each a 'liveness' violation with its seed (run.ts),
 * and each halts the loop (loop.ts `halt`), so that the seed fails in seconds instead of running for hours:
 * - one `runUntil` of the loop runs more than `TASKS` tasks before its clock reaches the time it was asked for: the
 *   tasks that ran last are named, by page and kind (loop.ts);
 * - a page posts more than `BOUNDS.message` messages on the tabs' channel, or makes more than `BOUNDS.write` writes to
 *   IndexedDB, localStorage and cookies together, in one second of simulated time (counted from the start of the run).
 * Each is far above what the seeds do (`npm run simulate` prints the busiest of each, with its seed), and above
 * what a page that tracks every 2 ms for a whole second would do: 500 tasks, each with a save (a message; the session's
 * write and its mirror's, or the cookie's) and an outbox write.
 */
import type { Loop } from './loop';

/**
 * What a page does that liveness counts: a message on the tabs' channel, or a write (a put or a delete in IndexedDB,
 * a setItem or removeItem of localStorage, a cookie set).
 */
export type Use = 'message' | 'idb' | 'localStorage' | 'cookie';

/** The tasks one `runUntil` may run (seeds 1 to 5,000: at most 3,667, seed 1025). */
export const TASKS = 200_000;

/**
 * Per page and simulated second, at most (seeds 1 to 5,000: at most 116 messages, seed 1724, and 285 writes, seed 282;
 * seed 26719 before its fix passed 1,000 messages and 2,000 writes within 100 ms of its storm).
 */
export const BOUNDS = { message: 1000, write: 3000 } as const;

export interface Liveness {
  /** `page` did `use` now */
  use(page: string, use: Use): void;
  /** the most of each use one page did in one second of this run */
  busiest: Record<Use | 'write', number>;
}

export function startLiveness(loop: Loop): Liveness {
  const start = loop.now();
  const zero = (): Liveness['busiest'] => ({ message: 0, idb: 0, localStorage: 0, cookie: 0, write: 0 });
  /** per page: the second counted, and its uses so far */
  const seconds = new Map<string, { second: number; counts: Liveness['busiest'] }>();
  const busiest = zero();
  return {
    busiest,
    use(page, use) {
      const second = Math.floor((loop.now() - start) / 1000);
      let now = seconds.get(page);
      if (now?.second !== second) seconds.set(page, (now = { second, counts: zero() }));
      const { counts } = now!;
      counts[use]++;
      if (use !== 'message') counts.write++;
      for (const k of Object.keys(busiest) as (keyof typeof busiest)[]) busiest[k] = Math.max(busiest[k], counts[k]);
      const kind = use === 'message' ? 'message' : 'write';
      if (counts[kind] > BOUNDS[kind]) {
        const what = `${BOUNDS[kind]} ${kind === 'message' ? "messages on the tabs' channel" : 'writes to storage'}`;
        loop.halt(`${page} made over ${what} in second ${second} of the run: ${JSON.stringify(counts)}`);
      }
    },
  };
}
