/**
 * Cross-domain continuity in the page (`crossDomain`, core/session/link.ts): the landing page takes the `_stint`
 * parameter out of its URL, which the core reads once the links part has come (core/answers.ts `opened`, at most
 * `LINK_WAIT`). (The decoration of the links to the other domains is decorate.ts, which a script tag loads beside it
 * and an npm app's bundler splits off, with the reading of a landing page's link.)
 */
import { LINK_PARAM } from '../core/session/link';

/**
 * The `_stint` parameter this page came with, or null; taken out of the address (`replaceState`, the rest of the URL
 * as it was), so that a bookmark, a reload or a share of this page does not carry it.
 */
export function takeLink(): string | null {
  try {
    const value = new URLSearchParams(location.search).get(LINK_PARAM);
    if (value !== null)
      history.replaceState(history.state, '', location.pathname + withLink(location.search, '') + location.hash);
    return value;
  } catch {
    return null;
  }
}

/** The browser a link is bound to (core/session/landing.ts `linkCheck`): its user agent and language. */
export const browserOf = (): string => navigator.userAgent + ' ' + navigator.language;

/** `url` (or a query) with `_stint` set to `value` (removed when empty), the rest of it as it was. */
export function withLink(url: string, value: string): string {
  const [base, ...hash] = url.split('#');
  const rest = base.replace(/([?&])_stint=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return (
    (value ? rest + (rest.includes('?') ? '&' : '?') + LINK_PARAM + '=' + value : rest) +
    (hash.length ? '#' + hash.join('#') : '')
  );
}
