/**
 * Stint: browser session tracking. Importing this module touches no browser global, so it is safe
 * in server-side rendering; `createTracker` outside a browser returns a tracker that does nothing.
 */
import { inertTracker, publicTracker } from './door/api';
import { configFor, trackerFor } from './door/create';
import { debug } from './ground/log';
import { NPM } from './door/loaders';
import type { StintConfig, Tracker } from './ground/types';

export type {
  AttributeValue,
  ClientSession,
  ConsentState,
  CookieOptions,
  PageValues,
  Properties,
  SessionStore,
  StintConfig,
  StorageMechanism,
  TagConfig,
  Tracker,
} from './ground/types';
export { VERSION } from './ground/version';

/**
 * Creates a tracker. Throws a TypeError naming the field when the config is wrong; never throws
 * afterwards. Outside a browser (server-side rendering) every method exists and does nothing.
 */
export function createTracker(config: StintConfig): Tracker {
  const resolved = configFor(config, NPM);
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    debug(55, 'createTracker');
    return inertTracker();
  }
  return publicTracker(trackerFor(resolved));
}
