/** `dist/stint.activity.js`: the watch of the person's input, loaded beside a script tag whose config sets `activity: 'input'` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import { inputWatch } from '../lifecycle/activity';

handPart(inputWatch);
