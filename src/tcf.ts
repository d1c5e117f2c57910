/**
 * `import { tcf } from 'stint/tcf'`: consent that follows an IAB TCF v2.2 CMP through `window.__tcfapi`.
 * `createTracker({ collector, appId, consent: tcf() })`: pending until the CMP answers, then what it says
 * (purpose 1 consented, purposes 8 and 9 consented or legitimate interest: granted), as the visitor
 * changes their mind.
 */
import { watchTcf } from './consent/tcf';
import type { ConsentSignal } from './ground/types';

export type { ConsentSignal } from './ground/types';

export const tcf = (): ConsentSignal => watchTcf;
