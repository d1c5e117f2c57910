/** `dist/stint.tcf.js`: the TCF signal, loaded beside a script tag whose config names `consent: 'tcf'` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import { watchTcf } from '../consent/tcf';

handPart(watchTcf);
