/**
 * `dist/stint.google.js`: Google Consent Mode's signal, loaded beside a script tag whose config names `consent:
 * 'google'` (src/parts.ts).
 */
import { handPart } from '../parts';
import { watchConsentMode } from '../consent/google';

handPart(watchConsentMode);
