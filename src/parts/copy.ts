/**
 * `dist/stint.copy.js`: when the server's copy of the session is renewed (core/copy.ts), loaded beside a script tag
 * whose config sets `serverCookie` (src/parts.ts).
 */
import { handPart } from '../parts';
import { copyDue } from '../core/copy';

handPart((hand: (due: typeof copyDue) => void) => (hand(copyDue), () => {}));
