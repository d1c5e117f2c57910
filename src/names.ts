/**
 * What each entry can name in its config: `format` and `consent` as strings. A script tag carries one format and
 * the consent signals, TCF and Google Consent Mode (src/tags/); an npm app the native format, and it imports the
 * others it uses, so that its bundler leaves out the rest.
 */
import type { Names } from './config';
import { nativeFormat } from './core/formats/native';
import { googleConsentMode } from './consent-mode';
import { tcf } from './tcf';

/** An npm app's. */
export const NPM: Names = {
  formats: { native: () => nativeFormat },
  missing: (name) => (name == 'google' ? ": import { googleConsentMode } from 'stint/consent-mode', then consent: googleConsentMode()" : `: import { ${name} } from 'stint/${name}', then ${name == 'tcf' ? 'consent' : 'format'}: ${name}()`),
};

/** A script tag's: its one format (`{ native }` or a pipeline's), and the consent signals. */
export const tagNames = (formats: object): Names => ({
  formats: formats as Names['formats'],
  tcf: tcf(),
  google: googleConsentMode(),
  missing: (name) => ` needs the script ${name == 'native' ? 'stint' : 'stint.' + name}.js instead of this one (each script carries one pipeline's format)`,
});
