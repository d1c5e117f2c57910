/**
 * `dist/stint.copy.js`: when the server's copy of the session is renewed (core/session/copy.ts), loaded beside a script
 * tag whose config sets `serverCookie` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { copyDue } from '../core/session/copy';

handPart((hand: (due: typeof copyDue) => void) => (hand(copyDue), () => {}));
