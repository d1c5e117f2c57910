/**
 * A page prerendered by Speculation Rules (`document.prerendering`,
 * https://wicg.github.io/nav-speculation/prerendering.html) may never be shown: its tracker starts no session, stores
 * nothing and sends nothing until the page is activated (`prerenderingchange`, fired once). It then starts at the
 * activation's time, and the page's calls, held meanwhile (bounded as the core's hold is), run in order at that time
 * too: the session begins at the activation, its page view carries that time, and an event held stays after the page
 * view called before it and within its session (its own time would put it before the session began). Meanwhile each
 * call answers what a tracker answers when it cannot do its work (door/api.ts: `getSession()` null, `ready()` and
 * `flush()` resolved); a `shutdown()` is held too. docs/sessions.md, "Prerendered pages".
 */
import { MAX_QUEUE_EVENTS } from '../core/send/batch';
import type { TimedTracker } from './shell';

type Method = (at: number, ...args: unknown[]) => unknown;

/** The tracker that `start` makes once the page is shown, with the activation's time. */
export function whenShown(start: (at: number) => TimedTracker): TimedTracker {
  let live: TimedTracker | undefined;
  const held: [keyof TimedTracker, unknown[]][] = [];
  document.addEventListener('prerenderingchange', () => {
    const at = Date.now();
    live = start(at);
    for (const [method, args] of held) (live[method] as Method)(at, ...args);
  });
  return new Proxy({} as TimedTracker, {
    get:
      (_, method: keyof TimedTracker) =>
      (at: number, ...args: unknown[]) =>
        live
          ? (live[method] as Method)(at, ...args)
          : void (held.length < MAX_QUEUE_EVENTS && held.push([method, args])),
  });
}
