/** `dist/stint.gpp.js`: the GPP signal, loaded beside a script tag whose config names `consent: 'gpp'` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import { watchGpp } from '../consent/gpp';

handPart(watchGpp);
