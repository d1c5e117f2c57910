/**
 * `dist/stint.debug.js`: the messages' sentences and the flight recorder's log (messages.ts), loaded beside a script
 * tag whose config sets `debug: true` (src/parts.ts).
 */
import { handPart } from '../parts';
import { DEBUG } from '../messages';

handPart((hand: (debug: typeof DEBUG) => void) => (hand(DEBUG), () => {}));
