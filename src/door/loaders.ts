/**
 * What each entry can name in its config: `format` and `consent` as strings. A script tag carries one format and
 * loads the consent signal it names, TCF's, GPP's or Google Consent Mode's, from beside it (src/tags/,
 * src/door/parts.ts); an npm app carries the native format, and it imports the others it uses, so that its bundler
 * leaves out the rest.
 */
import type { CopyWatcher, Formats, InputWatcher, Names, RouteWatcher } from '../shell/config';
import { nativeFormat } from '../core/formats/native';
import { partWatcher, type Where } from './parts';
import type { LinkWatcher } from '../lifecycle/decorate';
import { describeError, error } from '../ground/log';
import type { ConsentSignal } from '../ground/types';

/**
 * A watcher of an npm app's that its bundler splits off (a dynamic `import()`, a chunk of its own): loaded when the
 * config first starts it, as a script tag loads a part (parts.ts), so that an app that does not configure it
 * does not load it. One that does not load is one console error naming the field (what it would have done does not
 * happen).
 */
const later =
  <A extends unknown[]>(load: () => Promise<(...args: A) => () => void>, field: string) =>
  (...args: A): (() => void) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    load().then(
      (watcher) => {
        if (!stopped) stop = watcher(...args);
      },
      (e) => error(11, `${field} (${describeError(e)})`),
    );
    return () => {
      stopped = true;
      stop?.();
    };
  };

/** An npm app's: the watches of routes, input and links load when its config names them. */
export const NPM: Names = {
  formats: { native: () => nativeFormat },
  routes: later(() => import('../lifecycle/history').then((m) => m.watchHistory), 'config.autoPageViews'),
  input: later(() => import('../lifecycle/activity').then((m) => m.inputWatch), 'config.activity or config.engagement'),
  linker: later(() => import('../lifecycle/decorate').then((m) => m.decorateLinks), 'config.crossDomain'),
  copy: later(
    () =>
      import('../core/session/copy').then(
        (m) => (hand: (due: typeof m.copyDue) => void) => (hand(m.copyDue), () => {}),
      ),
    'config.serverCookie',
  ),
  debug: later(
    () => import('./messages').then((m) => (hand: (debug: typeof m.DEBUG) => void) => (hand(m.DEBUG), () => {})),
    'config.debug',
  ),
  missing: 4,
};

/**
 * A script tag's: its one format (`{ native }` or a pipeline's); the consent signals and the watches of the routes and
 * of input, each a part beside the tag.
 */
export const tagNames = (formats: object, where: Where): Names => ({
  formats: formats as Formats,
  tcf: partWatcher<Parameters<ConsentSignal>>('tcf', where, "config.consent 'tcf'"),
  google: partWatcher<Parameters<ConsentSignal>>('google', where, "config.consent 'google'"),
  gpp: partWatcher<Parameters<ConsentSignal>>('gpp', where, "config.consent 'gpp'"),
  routes: partWatcher<Parameters<RouteWatcher>>('history', where, 'config.autoPageViews'),
  input: partWatcher<Parameters<InputWatcher>>('activity', where, 'config.activity or config.engagement'),
  linker: partWatcher<Parameters<LinkWatcher>>('links', where, 'config.crossDomain'),
  copy: partWatcher<Parameters<CopyWatcher>>('copy', where, 'config.serverCookie'),
  debug: partWatcher<Parameters<Names['debug']>>('debug', where, 'config.debug'),
  missing: 3,
});
