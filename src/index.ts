/**
 * Stint: browser session tracking. Importing this module touches no browser global, so it is safe
 * in server-side rendering; `createTracker` outside a browser returns a tracker that does nothing.
 */
import { resolveConfig } from './config';
import { debug, setDebug } from './log';
import { StintTracker } from './tracker';
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

const resolved = Promise.resolve();

/** What `createTracker` returns where there is no browser: every method exists and does nothing. */
const inert: Tracker = {
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
  flush: () => resolved,
  shutdown: () => resolved,
};

/**
 * Creates a tracker. Throws a TypeError naming the field when the config is wrong; never throws
 * afterwards.
 */
export function createTracker(config: StintConfig): Tracker {
  const resolvedConfig = resolveConfig(config);
  setDebug(resolvedConfig.debug);
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    debug('no browser here (server-side rendering?): this tracker does nothing');
    return inert;
  }
  try {
    new URL(resolvedConfig.collector, location.href);
  } catch {
    throw new TypeError('stint: config.collector must be an absolute URL or a path');
  }
  return new StintTracker(resolvedConfig);
}
