/**
 * `import { gpp } from 'stint/gpp'`: consent that follows an IAB Global Privacy Platform CMP through `window.__gpp`
 * (or, in a frame, the page's `__gppLocator` frame). `createTracker({ collector, appId, consent: gpp() })`: pending
 * until the CMP's signal is ready, and while a section that applies cannot be read; an opt-out of sale, sharing or
 * targeted advertising, or `Gpc`, refuses; otherwise granted (src/consent/gpp.ts says each field), as the visitor
 * changes their mind.
 */
import { watchGpp } from './consent/gpp';
import type { ConsentSignal } from './ground/types';

export type { ConsentSignal } from './ground/types';

export const gpp = (): ConsentSignal => watchGpp;
