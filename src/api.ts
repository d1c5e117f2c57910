/**
 * The public face of a tracker: the methods of `Tracker`, each guarded so that nothing Stint does
 * throws into the page, and, in one place, what each answers when it cannot do its work. The same
 * answers make the whole of the tracker that does nothing outside a browser. Each call is given its
 * time here (or the time a queued tag call was made): the time of everything it does.
 */
import { describe, error } from './log';
import type { Tracker } from './types';

export type Method = keyof Tracker;

/** A tracker's methods as the shell runs them: the time of the call first, then the page's arguments. */
export type TimedTracker = { [M in Method]: (at: number, ...args: Parameters<Tracker[M]>) => ReturnType<Tracker[M]> };

const resolved = () => Promise.resolve();

/** What each public method answers after an internal error. Typed from `Tracker`: a method missing here fails to compile. */
const FAILED: { [M in Method]: () => ReturnType<Tracker[M]> } = {
  track: () => undefined,
  page: () => undefined,
  identify: () => undefined,
  setBackground: () => {},
  getSession: () => null,
  newSession: () => {},
  endSession: () => {},
  setSessionAttribute: () => {},
  incrementSessionAttribute: () => {},
  setConsent: () => {},
  ready: resolved,
  flush: resolved,
  shutdown: resolved,
};

export const isMethod = (name: unknown): name is Method => typeof name === 'string' && Object.prototype.hasOwnProperty.call(FAILED, name);

/** Logs an internal error once; never throws, whatever was thrown (a Symbol, a Proxy that traps). */
export function internalError(e: unknown): void {
  try {
    const stack = (e as Error)?.stack;
    error(`internal error, please report it: ${typeof stack === 'string' ? stack : describe(e)}`);
  } catch {
    // Even the console failed: nothing more to do.
  }
}

/** Runs `fn` (a callback of a browser signal, a timer, a tab message); an internal error is logged, never thrown. */
export function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    internalError(e);
  }
}

/**
 * A tracker running on this page, as every copy of Stint on it sees it (the tag and npm imports may be
 * different builds, so only plain names cross: no class).
 */
export interface Running {
  /** The resolved config, as JSON: a second start with another config is told. */
  config: string;
  /** A public call, guarded; `at` is the time a queued tag call was made (else now). */
  call(method: unknown, args: unknown[], at?: number | null): unknown;
}

/** `tracker` as the page's other copies of Stint reach it. */
export const running = (tracker: TimedTracker, config: string): Running => ({
  config,
  call(method, args, at) {
    if (!isMethod(method)) return;
    try {
      return (tracker[method] as (at: number, ...a: unknown[]) => unknown)(at ?? Date.now(), ...args);
    } catch (e) {
      internalError(e);
      return FAILED[method]();
    }
  },
});

/** The object `createTracker` returns: the public methods of a running tracker, each guarded, and nothing else. */
export function publicTracker(tracker: Running): Tracker {
  const api = {} as Record<Method, unknown>;
  for (const method of Object.keys(FAILED) as Method[]) api[method] = (...args: unknown[]) => tracker.call(method, args);
  return api as Tracker;
}

/** Outside a browser (server-side rendering): every method exists and does nothing. */
export const inertTracker = (): Tracker => ({ ...FAILED });
