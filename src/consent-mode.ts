/**
 * `import { googleConsentMode } from 'stint/consent-mode'`: consent that follows Google Consent Mode v2's
 * `analytics_storage` in the page's `dataLayer` (what `gtag('consent', 'default' | 'update', {...})` pushes),
 * without gtag.js. `createTracker({ collector, appId, consent: googleConsentMode() })`: pending until a
 * command sets it, then what it says (`granted`, `denied`: a refusal), as the visitor changes their mind.
 */
import { watchConsentMode } from './consent/google';
import type { ConsentSignal } from './ground/types';

export type { ConsentSignal } from './ground/types';

export const googleConsentMode = (): ConsentSignal => watchConsentMode;
