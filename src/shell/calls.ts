/**
 * The page's calls, turned into inputs for the core (the browser's signals are shell/signals.ts's): each method of the
 * tracker, with the time of its call first, its arguments checked at the call (input.ts: one warning, and the call
 * refused) and serialised now. The public queries read the model through the core's own pure functions.
 */
import { globalPrivacyControl } from '../consent/gpc';
import { sessionHeaders } from '../core/session/headers';
import { currentSession, isReady } from '../core/step';
import { localOffset } from './device';
import { consentState, eventName, pageValues, propsJson, readPlace, userId } from './input';
import { dumpLog } from '../ground/recorder';
import type { Shell, TimedTracker } from './shell';
import type { Effects } from './effects';

/** How long `shutdown()` waits for the collector before it stops anyway. */
const SHUTDOWN_WAIT = 3000;

/** `onShutdown`: the tracker is being shut down (the page may start another). */
export function startCalls(shell: Shell, effects: Effects, onShutdown: () => void): TimedTracker {
  const { dispatch } = shell;
  /**
   * The device's offset from UTC, as the model last heard it: a page view looks for a change (daylight saving time).
   */
  let offset = shell.model.around.offset;
  const methods: TimedTracker = {
    track(at, name, properties) {
      const props = eventName(name) ? propsJson(name, properties) : undefined;
      return props === undefined ? undefined : dispatch(['track', at, name, props]);
    },
    page(at, properties, values) {
      // (a page view is where a change to or from daylight saving time is looked for: not on every event)
      if (localOffset(at) !== offset) dispatch(['surroundings', at, { offset: (offset = localOffset(at)) }]);
      const own = pageValues(values) || {};
      return dispatch(['page', at, propsJson('page_view', properties) ?? null, readPlace(own), own.referrer]);
    },
    identify: (at, user, traits) =>
      userId(user) ? dispatch(['identify', at, user, propsJson('identify', traits) ?? null]) : undefined,
    setBackground: (at, isBackground) => void dispatch(['visibility', at, !!isBackground]),
    getSession: (at) => currentSession(shell.model, at),
    sessionHeaders: (at) => sessionHeaders(shell.model, at),
    newSession: (at) => void dispatch(['newSession', at]),
    endSession: (at) => void dispatch(['endSession', at]),
    setSessionAttribute: (at, key, value) => void dispatch(['attribute', at, key, value, false]),
    incrementSessionAttribute: (at, key, by = 1) => void dispatch(['attribute', at, key, by, true]),
    setConsent: (at, state) =>
      void (!shell.stopped && consentState(state) && dispatch(['consent', at, state, 'page', globalPrivacyControl()])),
    debugLog: () => effects.recording && dumpLog(effects.recording, shell.model, shell.sender?.model ?? null),
    ready: () => (isReady(shell.model) ? Promise.resolve() : new Promise((resolve) => shell.waiting.push(resolve))),
    // (what the core holds while storage opens, or is read again after a restore or a freeze, or while a landing page
    // waits for its part, is queued once that answers, each within its bound: the flush waits for it; not for consent)
    flush: (at) =>
      (shell.model.consentMode === 'pending' ? Promise.resolve() : methods.ready(at))
        .then(() => shell.sender?.flush())
        .catch(() => {}),
    shutdown(at) {
      onShutdown();
      // (the page view's engaged time so far goes with the flush: nothing reports it later)
      dispatch(['shutdown', at, true]);
      // A collector that is down must not keep the page waiting: what is left stays in the outbox for the next start.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT)));
      return Promise.race([methods.flush(at), bound]).then(() => {
        clearTimeout(timer);
        shell.dispatch(['shutdown', Date.now()]);
      });
    },
  };
  return methods;
}
