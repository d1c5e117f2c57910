/**
 * The script-tag entry. The snippet (README) defines `window.stint` as a queue before this bundle
 * loads: a function that pushes `[arguments, Date.now()]` onto its own `q` array.
 *
 * Once loaded, queued calls are replayed in order with the time they were made, and `stint(method,
 * ...args)` calls the tracker at once and returns its result. Without the snippet, the script's own
 * data attributes start the tracker (`data-collector`, `data-app-id`, ...) and record a page view.
 * Nothing here throws into the page: misuse gets one console error.
 */
import { createTracker } from './index';
import { error } from './log';
import type { StintConfig, Tracker } from './types';
import type { StintTracker } from './tracker';

type Call = [ArrayLike<unknown>, number?];
type Stint = ((...args: unknown[]) => unknown) & { q?: Call[]; _loaded?: true };

const w = window as unknown as { stint?: Stint };
const existing = w.stint;
const script = document.currentScript as HTMLScriptElement | null;

if (existing && (existing._loaded || !Array.isArray(existing.q))) {
  // Another Stint bundle already runs here, or another library owns the name: leave it alone.
  error('window.stint already exists and is not the Stint snippet; this copy of Stint does nothing');
} else {
  let tracker: Tracker | null = null;

  const init = (config: StintConfig) => {
    if (tracker) return error('stint("init") was already called');
    try {
      tracker = createTracker(config);
    } catch (e) {
      error((e as Error).message);
    }
  };

  const call = (args: ArrayLike<unknown>, at?: number): unknown => {
    const [method, ...rest] = Array.from(args);
    if (method === 'init') return init(rest[0] as StintConfig);
    if (!tracker) return error(`stint("${String(method)}") called before stint("init", {...})`);
    const fn = (tracker as unknown as Record<string, unknown>)[method as string];
    if (typeof method !== 'string' || method[0] === '_' || typeof fn !== 'function') {
      return error(`stint: unknown method ${JSON.stringify(method)}`);
    }
    const t = tracker as StintTracker;
    t._clock = at ?? null;
    try {
      return fn.apply(tracker, rest);
    } finally {
      t._clock = null;
    }
  };

  const stint: Stint = (...args) => call(args);
  stint._loaded = true;
  const queue = existing?.q || [];
  w.stint = stint;

  const data = script?.dataset;
  if (data?.collector && !queue.some(([args]) => args[0] === 'init')) {
    init({
      collector: data.collector,
      appId: data.appId as string,
      appVersion: data.appVersion,
      consent: data.consent as StintConfig['consent'],
      format: data.format as StintConfig['format'],
      cookie: data.cookieDomain ? { domain: data.cookieDomain } : undefined,
      debug: data.debug === 'true',
    });
    if (tracker && data.pageView !== 'false') call(['page']);
  }
  for (const [args, at] of queue) call(args, at);
}
