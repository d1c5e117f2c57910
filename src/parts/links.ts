/**
 * `dist/stint.links.js`: the decoration of the links and forms to the site's other domains, loaded beside a script tag
 * whose config sets `crossDomain` (src/parts.ts).
 */
import { handPart } from '../parts';
import { decorateLinks } from '../lifecycle/decorate';

handPart(decorateLinks);
