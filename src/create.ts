/** Where a tracker is made, for both entries (npm's `createTracker` and the tag's `init`). */
import { resolveConfig } from './config';
import { debug, setDebug } from './log';
import { Stint } from './tracker';
import type { StintConfig } from './types';

/**
 * A tracker for `config` (a TypeError names a wrong field), or null outside a browser. `at`: when the page
 * asked for it (the time of a queued `init`), which is where its life begins.
 */
export function startTracker(config: StintConfig, at?: number): Stint | null {
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
  return new Stint(resolved, at);
}
