/** `dist/stint.debug.js`: the messages' sentences (messages.ts), loaded beside a script tag whose config sets `debug: true` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import type { Sentences } from '../log';
import { sentence } from '../messages';

handPart((set: (sentences: Sentences) => void) => (set(sentence), () => {}));
