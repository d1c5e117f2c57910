/**
 * `dist/stint.activity.js`: the watch of the person's input, loaded beside a script tag whose config sets `activity:
 * 'input'` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { inputWatch } from '../lifecycle/activity';

handPart(inputWatch);
