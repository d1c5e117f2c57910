/** `dist/stint.google.js`: Google Consent Mode's signal, loaded beside a script tag whose config names `consent: 'google'` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import { watchConsentMode } from '../consent/google';

handPart(watchConsentMode);
