/**
 * `dist/stint.debug.js`: the messages' sentences and the flight recorder's log (messages.ts), loaded beside a script
 * tag whose config sets `debug: true` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { DEBUG } from '../door/messages';

handPart((hand: (debug: typeof DEBUG) => void) => (hand(DEBUG), () => {}));
