/**
 * `dist/stint.google.js`: Google Consent Mode's signal, loaded beside a script tag whose config names `consent:
 * 'google'` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { watchConsentMode } from '../consent/google';

handPart(watchConsentMode);
