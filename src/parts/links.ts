/**
 * `dist/stint.links.js`: the decoration of the links and forms to the site's other domains, loaded beside a script tag
 * whose config sets `crossDomain` (src/door/parts.ts).
 */
import { handPart } from '../door/parts';
import { decorateLinks } from '../lifecycle/decorate';

handPart(decorateLinks);
