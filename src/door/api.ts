/**
 * The public face of a tracker: the methods of `Tracker`, each guarded so that nothing Stint does
 * throws into the page, and, in one place, what each answers when it cannot do its work. The same
 * answers make the whole of the tracker that does nothing outside a browser. Each call is given its
 * time here (or the time a queued tag call was made): the time of everything it does.
 */
import { internalError } from '../ground/log';
import type { TimedTracker } from '../shell/shell';
import type { Tracker } from '../ground/types';

export type Method = keyof Tracker;

const resolved = () => Promise.resolve();

/**
 * What each public method answers after an internal error. Typed from `Tracker`: a method missing here fails to
 * compile.
 */
const FAILED: { [M in Method]: () => ReturnType<Tracker[M]> } = {
  track: () => undefined,
  page: () => undefined,
  identify: () => undefined,
  setBackground: () => {},
  getSession: () => null,
  sessionHeaders: () => ({}),
  newSession: () => {},
  endSession: () => {},
  setSessionAttribute: () => {},
  incrementSessionAttribute: () => {},
  setConsent: () => {},
  ready: resolved,
  flush: resolved,
  shutdown: resolved,
  debugLog: () => null,
};

export const isMethod = (name: unknown): name is Method =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(FAILED, name);

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
      const answer = (tracker[method] as (at: number, ...a: unknown[]) => unknown)(at ?? Date.now(), ...args);
      // (a page prerendered answers nothing while its calls are held: shell/shown.ts)
      return answer ?? FAILED[method]();
    } catch (e) {
      internalError(e);
      return FAILED[method]();
    }
  },
});

/** The object `createTracker` returns: the public methods of a running tracker, each guarded, and nothing else. */
export function publicTracker(tracker: Running): Tracker {
  const api = {} as Record<Method, unknown>;
  for (const method of Object.keys(FAILED) as Method[])
    api[method] = (...args: unknown[]) => tracker.call(method, args);
  return api as Tracker;
}

/** Outside a browser (server-side rendering): every method exists and does nothing. */
export const inertTracker = (): Tracker => ({ ...FAILED });
