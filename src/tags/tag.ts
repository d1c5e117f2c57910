/**
 * The script-tag entry. The snippet (README) defines `window.stint` as a queue before this bundle
 * loads: a function that pushes `[arguments, Date.now()]` onto its own `q` array. Once loaded,
 * queued calls are replayed in order with the time they were made, and `stint(method, ...args)`
 * calls the tracker at once and returns its result. Without the snippet, the script's own data
 * attributes start the tracker (`data-collector`, `data-app-id`, ...) and record a page view.
 * Nothing here throws into the page: misuse gets one console error.
 *
 * One script per pipeline (src/tags/): each carries one format, the native one or a pipeline's, so a site loads
 * only the format it sends (`dist/stint.js`, `dist/stint.snowplow.js`, `dist/stint.tracardi.js`,
 * `dist/stint.otlp.js`); a pipeline's script sends its format when the config names none.
 */
import { isMethod, type Running } from '../door/api';
import { configFor, trackerFor } from '../door/create';
import { tagNames } from '../door/loaders';
import { whereFrom } from '../door/parts';
import { describe, describeError, error, internalError } from '../ground/log';
import type { StintConfig } from '../ground/types';

type Call = [ArrayLike<unknown>, number?];

type Queue = ((...args: unknown[]) => unknown) & { q?: Call[]; _loaded?: true };

/**
 * Runs the script tag that carries `formats` (one, by name) and the consent signals; `options`: its format's options
 * from the script's data attributes (`data-snowplow-post-path`).
 */
export function runTag(formats: object, options: (data: DOMStringMap) => StintConfig | object = () => ({})): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const NAMES = tagNames(formats, whereFrom(script));
  const w = window as unknown as { stint?: Queue };
  const existing = w.stint;
  const data = script?.dataset;

  if (existing && (existing._loaded || !Array.isArray(existing.q))) {
    // Another Stint bundle already runs here, or another library owns the name: leave it alone.
    error(7, 'window.stint');
  } else {
    let tracker: Running | null = null;
    /** `init` threw (its message said why): the calls after it say so once, then nothing. */
    let failed = 0;

    const call = (args: unknown[], at?: number): unknown => {
      const method = args[0];
      const rest = args.slice(1);
      if (method === 'init') {
        if (tracker) return error(8, 'stint("init")');
        try {
          tracker = trackerFor(configFor(rest[0] as StintConfig, NAMES), at);
        } catch (e) {
          // (a wrong field's TypeError, which names it: log.ts `fault`)
          console.error(describeError(e));
          failed = 1;
        }
        return;
      }
      if (!tracker) {
        const where = `stint(${describe(method)})`;
        return void (failed ? failed++ < 2 && error(14, where) : error(9, where));
      }
      if (!isMethod(method)) return error(10, `stint(${describe(method)})`);
      return tracker.call(method, rest, at);
    };
    /** Every call from the page: whatever it passes, nothing is thrown back. */
    const safeCall = (args: unknown[], at?: number): unknown => {
      try {
        return call(args, at);
      } catch (e) {
        internalError(e);
        return undefined;
      }
    };

    const stint: Queue = (...args) => safeCall(args);
    stint._loaded = true;
    const queue = existing?.q || [];
    w.stint = stint;

    if (data?.collector && !queue.some(([args]) => args[0] === 'init')) {
      safeCall([
        'init',
        {
          collector: data.collector,
          appId: data.appId,
          appVersion: data.appVersion,
          consent: data.consent,
          format: data.format,
          ...options(data),
          cookie: data.cookieDomain ? { domain: data.cookieDomain } : undefined,
          autoPageViews: data.autoPageViews as StintConfig['autoPageViews'],
          compression: data.compression as StintConfig['compression'],
          serverCookie: data.serverCookie,
          activity: data.activity as StintConfig['activity'],
          // (`true`, or the idle ms)
          engagement: data.engagement ? { idle: +data.engagement || undefined } : undefined,
          sampleRate: data.sampleRate ? Number(data.sampleRate) : undefined,
          debug: data.debug === 'true',
        },
      ]);
      if ((tracker as Running | null) && data.pageView !== 'false') safeCall(['page']);
    }
    for (const [args, at] of queue) safeCall(Array.from(args), at);
  }
}
