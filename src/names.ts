/**
 * What each entry can name in its config: `format` and `consent` as strings. A script tag carries one format and
 * loads the consent signal it names, TCF's, GPP's or Google Consent Mode's, from beside it (src/tags/, src/consent/part.ts);
 * an npm app carries the native format, and it imports the others it uses, so that its bundler leaves out the rest.
 */
import type { InputWatcher, Names, RouteWatcher } from './config';
import { nativeFormat } from './core/formats/native';
import { partWatcher, type Where } from './consent/part';
import { watchActivity } from './lifecycle/activity';
import { watchHistory } from './lifecycle/history';
import { watchLinks, type LinkWatcher } from './lifecycle/links';
import type { ConsentSignal } from './types';

/** An npm app's. */
export const NPM: Names = {
  formats: { native: () => nativeFormat },
  routes: watchHistory,
  input: watchActivity,
  linker: watchLinks,
  missing: (name) => (name == 'google' ? ": import { googleConsentMode } from 'stint/consent-mode', then consent: googleConsentMode()" : `: import { ${name} } from 'stint/${name}', then ${name == 'tcf' || name == 'gpp' ? 'consent' : 'format'}: ${name}()`),
};

/** A script tag's: its one format (`{ native }` or a pipeline's); the consent signals and the watches of the routes and of input, each a part beside the tag. */
export const tagNames = (formats: object, where: Where): Names => ({
  formats: formats as Names['formats'],
  tcf: partWatcher<Parameters<ConsentSignal>>('tcf', where, "config.consent 'tcf'", 'consent stays pending'),
  google: partWatcher<Parameters<ConsentSignal>>('google', where, "config.consent 'google'", 'consent stays pending'),
  gpp: partWatcher<Parameters<ConsentSignal>>('gpp', where, "config.consent 'gpp'", 'consent stays pending'),
  routes: partWatcher<Parameters<RouteWatcher>>('history', where, 'config.autoPageViews', 'route changes are no page views'),
  input: partWatcher<Parameters<InputWatcher>>('activity', where, "config.activity 'input'", 'input does not keep the session alive'),
  linker: partWatcher<Parameters<LinkWatcher>>('links', where, 'config.crossDomain', 'links to the other domains are not decorated'),
  missing: (name) => ` needs the script ${name == 'native' ? 'stint' : 'stint.' + name}.js instead of this one (each script carries one pipeline's format)`,
});
