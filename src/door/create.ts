/**
 * Where a tracker is made, for both entries (npm's `createTracker` and the tag's `init`). One tracker per
 * cookie name per page: a second start with the same name (React Strict Mode creates twice; the tag and an
 * npm import may share a page) gets the running one, so that the visitor is never split in two.
 */
import { running, type Running } from './api';
import { resolveConfig, type Config, type Names } from '../shell/config';
import { fault, guard, setDebug, setSentences, warn } from '../ground/log';
import { setDump } from '../ground/recorder';
import { startTracker } from '../shell/tracker';
import type { StintConfig, TagConfig } from '../ground/types';

/** The trackers of this page by cookie name, on a global that every copy of Stint finds. */
const TRACKERS = Symbol.for('stint.trackers');

/**
 * `config` checked and completed (a TypeError names a wrong field); its `debug` applies from now on, and brings the
 * messages' sentences (messages.ts), which say in full what was said before they came, a wrong field's error too.
 */
export function configFor(config: StintConfig | TagConfig, names: Names): Config {
  const debugging = config?.debug === true;
  setDebug(debugging);
  if (debugging) guard(() => names.debug((debug) => (setSentences(debug.sentence), setDump(debug.dump))));
  return resolveConfig(config, names);
}

/**
 * The tracker for a checked config, in a browser (npm's entry looks for one first: a script tag always runs in
 * one). `at`: when the page asked for it (the time of a queued `init`), which is where its life begins.
 */
export function trackerFor(resolved: Config, at?: number): Running {
  try {
    // (where batches go, absolute: the page may move, a single-page app's path with it)
    resolved.collector = new URL(resolved.collector, location.href).href;
  } catch {
    throw fault(2, 'config.collector');
  }
  const all: Map<string, Running> = ((window as unknown as Record<symbol, Map<string, Running>>)[TRACKERS] ||=
    new Map());
  const name = resolved.cookie.name || '_stint';
  let json = '';
  try {
    json = JSON.stringify(resolved);
  } catch {
    // A custom store that cannot be serialised: compared as different.
  }
  const found = all.get(name);
  if (found) {
    if (found.config !== json) warn(6, `a tracker with cookie "${name}"`);
    return found;
  }
  // A tracker that is shut down makes room for the next one.
  const tracker = running(
    startTracker(resolved, at ?? Date.now(), () => all.get(name) === tracker && all.delete(name)),
    json,
  );
  all.set(name, tracker);
  return tracker;
}
