/**
 * The public face of a tracker: the methods of `Tracker`, each guarded so that nothing Stint does
 * throws into the page, and, in one place, what each answers when it cannot do its work. The same
 * answers make the whole of the tracker that does nothing outside a browser.
 */
import { describe, error } from './log';
import type { Tracker } from './types';

export type Method = keyof Tracker;

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

/** A running tracker: the public methods, and the time a replayed tag call was made. */
export interface Core extends Tracker {
  /** While a queued tag call runs: the time it was made, which is the time of what it does. */
  _clock: number | null;
}

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

/** A public call; `at` is the time a queued tag call was made. */
export function callMethod(core: Core, method: Method, args: unknown[], at: number | null = null): unknown {
  core._clock = at;
  try {
    return (core[method] as (...a: unknown[]) => unknown)(...args);
  } catch (e) {
    internalError(e);
    return FAILED[method]();
  } finally {
    core._clock = null;
  }
}

/**
 * A tracker running on this page, as every copy of Stint on it sees it (the tag and npm imports may be
 * different builds, so only plain names cross: no mangled member, no class).
 */
export interface Running {
  /** The resolved config, as JSON: a second start with another config is told. */
  config: string;
  /** A public call, guarded; `at` is the time a queued tag call was made. */
  call(method: unknown, args: unknown[], at?: number | null): unknown;
}

/** `core` as the page's other copies of Stint reach it. */
export const running = (core: Core, config: string): Running => ({
  config,
  call: (method, args, at = null) => (isMethod(method) ? callMethod(core, method, args, at) : undefined),
});

/** The object `createTracker` returns: the public methods of a running tracker, each guarded, and nothing else. */
export function publicTracker(tracker: Running): Tracker {
  const api = {} as Record<Method, unknown>;
  for (const method of Object.keys(FAILED) as Method[]) api[method] = (...args: unknown[]) => tracker.call(method, args);
  return api as Tracker;
}

/** Outside a browser (server-side rendering): every method exists and does nothing. */
export const inertTracker = (): Tracker => ({ ...FAILED });
