/**
 * Calls held while Stint cannot run them yet: consent is pending, or storage has not answered. Each
 * is held with the time it was made; once Stint can, they run in order with those times, so the
 * session comes out as if they had run when they were made.
 */
import { MAX_QUEUE_CHARS, MAX_QUEUE_EVENTS } from '../delivery/sender';
import { warn } from '../log';

/** A call that changes the session, given the time it was made. */
export type Call = (at: number) => void;

export class Hold {
  /** Held calls with their times; null while calls run at once. */
  _calls: [number, Call][] | null = [];
  /** Events held, and their size in characters: bounded like the outbox they are headed for. */
  _events = 0;
  _chars = 0;
  /** Events dropped past the bound, to be counted in the first batch's `dropped` once they can be sent. */
  _dropped = 0;
  /** `ready()` promises waiting for the hold to open. */
  _waiting: (() => void)[] = [];

  /** Runs `call` at once, or holds it; false when an event (of `chars` characters) was dropped instead, past the bound. */
  _run(at: number, call: Call, chars?: number): boolean {
    if (!this._calls) {
      call(at);
      return true;
    }
    if (chars !== undefined) {
      if (this._events >= MAX_QUEUE_EVENTS || this._chars + chars > MAX_QUEUE_CHARS) {
        if (!this._dropped++) warn(`over ${MAX_QUEUE_EVENTS} events wait for consent or storage: newer ones are dropped, and counted`);
        return false;
      }
      this._events++;
      this._chars += chars;
    }
    this._calls.push([at, call]);
    return true;
  }

  /** From now on calls run at once: `first`, then the held ones in order, each through `guard`. */
  _open(guard: (fn: () => void) => void, first: () => void): void {
    const held = this._calls || [];
    this._calls = null;
    this._events = this._chars = 0;
    guard(first);
    for (const [at, call] of held) guard(() => call(at));
    this._answered();
  }

  /** Calls are held again (storage is being opened anew); what was held is dropped when `drop`. */
  _close(drop: boolean): void {
    if (drop || !this._calls) {
      this._calls = [];
      this._events = this._chars = 0;
    }
  }

  /** Nothing will run what is held (consent refused): it is dropped, not counted as a loss, and `ready()` resolves. */
  _drop(): void {
    this._close(true);
    this._dropped = 0;
    this._answered();
  }

  /** Resolves once the hold opens (or is dropped). */
  _ready(): Promise<void> {
    return this._calls ? new Promise((resolve) => this._waiting.push(resolve)) : Promise.resolve();
  }

  _answered(): void {
    for (const resolve of this._waiting.splice(0)) resolve();
  }
}
