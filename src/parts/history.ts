/** `dist/stint.history.js`: the watch of a single-page app's routes, loaded beside a script tag whose config sets `autoPageViews` (src/consent/part.ts). */
import { handPart } from '../consent/part';
import { watchHistory } from '../lifecycle/history';

handPart(watchHistory);
