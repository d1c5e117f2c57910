/**
 * Cross-domain continuity in the page (`crossDomain`, core/link.ts): the landing page takes the `_stint` parameter
 * out of its URL. (The decoration of the links to the other domains is decorate.ts, which a script tag loads
 * beside it and an npm app's bundler splits off.)
 */
import type { Config } from '../config';
import type { land } from '../core/landing';
import { LINK_PARAM } from '../core/link';

/**
 * The `_stint` parameter this page came with, or null; taken out of the address (`replaceState`, the rest of the URL
 * as it was), so that a bookmark, a reload or a share of this page does not carry it.
 */
export function takeLink(): string | null {
  try {
    const value = new URLSearchParams(location.search).get(LINK_PARAM);
    if (value !== null) history.replaceState(history.state, '', location.pathname + withLink(location.search, '') + location.hash);
    return value;
  } catch {
    return null;
  }
}

/** The browser a link is bound to (core/landing.ts `linkCheck`): its user agent and language. */
export const browserOf = (): string => navigator.userAgent + ' ' + navigator.language;

/** How long a landing page's session waits for the links part at most: as long as for a store (session/open.ts). */
const LANDING_WAIT = 3000;

/**
 * A landing page's link (`crossDomain`), taken out of its URL, and the wait for the links part, which reads and adopts
 * it (core/landing.ts `land`, which it hands to `landed`, and which travels with the decoration: a site without
 * `crossDomain` loads neither). `after(go)`: the session's start waits for the part, at most `LANDING_WAIT`; a part
 * that does not load is one console error, and the page starts as without the link. `hurry`: the page may be leaving,
 * so what waits goes on now (as a slow store's stand-in does: session/open.ts), or what it holds would die with the
 * page. A page without a link waits for nothing.
 */
export function landingOf(config: Config): [link: [string, string] | null, after?: (go: () => void) => void, landed?: (read: typeof land) => void, hurry?: () => void] {
  const value = config.crossDomain.length ? takeLink() : null;
  if (!value) return [null];
  /** What waits for the part; null once the wait is over. */
  let waiting: (() => void) | null | undefined;
  const end = () => {
    clearTimeout(timer);
    const go = waiting;
    waiting = null;
    go?.();
  };
  const timer = setTimeout(end, LANDING_WAIT);
  return [[value, browserOf()], (go) => (waiting === null ? go() : void (waiting = go)), (read) => ((config.landing = read), end()), end];
}

/** `url` (or a query) with `_stint` set to `value` (removed when empty), the rest of it as it was. */
export function withLink(url: string, value: string): string {
  const [base, ...hash] = url.split('#');
  const rest = base.replace(/([?&])_stint=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return (value ? rest + (rest.includes('?') ? '&' : '?') + LINK_PARAM + '=' + value : rest) + (hash.length ? '#' + hash.join('#') : '');
}
