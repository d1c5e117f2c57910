/**
 * `dist/stint.history.js`: the watch of a single-page app's routes, loaded beside a script tag whose config sets
 * `autoPageViews` (src/parts.ts).
 */
import { handPart } from '../parts';
import { watchHistory } from '../lifecycle/history';

handPart(watchHistory);
