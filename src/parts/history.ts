/**
 * `dist/stint.history.js`: the watch of a single-page app's routes, loaded beside a script tag whose config sets
 * `autoPageViews` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { watchHistory } from '../lifecycle/history';

handPart(watchHistory);
