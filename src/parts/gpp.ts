/**
 * `dist/stint.gpp.js`: the GPP signal, loaded beside a script tag whose config names `consent: 'gpp'`
 * (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { watchGpp } from '../consent/gpp';

handPart(watchGpp);
