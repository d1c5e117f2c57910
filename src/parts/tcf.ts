/**
 * `dist/stint.tcf.js`: the TCF signal, loaded beside a script tag whose config names `consent: 'tcf'`
 * (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { watchTcf } from '../consent/tcf';

handPart(watchTcf);
