/**
 * Stint: browser session tracking. Importing this module touches no browser global, so it is safe
 * in server-side rendering; `createTracker` outside a browser returns a tracker that does nothing.
 */
import { resolveConfig } from './config';
import { debug, setDebug } from './log';
import { METHODS, publicTracker, StintTracker } from './tracker';
import type { StintConfig, Tracker } from './types';

export type {
  AttributeValue,
  ClientSession,
  ConsentState,
  CookieOptions,
  Properties,
  SessionStore,
  StintConfig,
  StorageMechanism,
  Tracker,
} from './types';
export { VERSION } from './version';

/**
 * The tracker, or null outside a browser; throws a TypeError naming the config field that is wrong.
 * `at`: when the page asked for it (the time of a queued `init`).
 */
export function startTracker(config: StintConfig, at?: number): StintTracker | null {
  const resolved = resolveConfig(config);
  setDebug(resolved.debug);
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    debug('no browser here (server-side rendering?): this tracker does nothing');
    return null;
  }
  try {
    new URL(resolved.collector, location.href);
  } catch {
    throw new TypeError('stint: config.collector must be an absolute URL or a path');
  }
  return new StintTracker(resolved, at);
}

/**
 * Creates a tracker. Throws a TypeError naming the field when the config is wrong; never throws
 * afterwards. Outside a browser (server-side rendering) every method exists and does nothing.
 */
export function createTracker(config: StintConfig): Tracker {
  const tracker = startTracker(config);
  if (tracker) return publicTracker(tracker);
  const inert: Record<string, unknown> = {};
  for (const method of METHODS) inert[method] = () => (method === 'getSession' ? null : /^(flush|shutdown)$/.test(method) ? Promise.resolve() : undefined);
  return inert as unknown as Tracker;
}
