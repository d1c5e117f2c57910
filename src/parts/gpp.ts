/**
 * `dist/stint.gpp.js`: the GPP signal, loaded beside a script tag whose config names `consent: 'gpp'` (src/parts.ts).
 */
import { handPart } from '../parts';
import { watchGpp } from '../consent/gpp';

handPart(watchGpp);
