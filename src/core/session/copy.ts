/**
 * When the page renews the server's copy of the session (`serverCookie`): Safari caps a cookie written by script at 7
 * days and, after 7 days of use without a visit, deletes the site's script-writable storage, but not a cookie the
 * site's server set (https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/). With consent, a live
 * session in the cookie and the page hidden or leaving, the session's lean value goes to the site's endpoint, which
 * sets it from the server: at most once a day per device, which its session records (`copiedAt`, in every tab).
 * Travels in the copy part (`stint.copy.js`; npm: a chunk): a site without `serverCookie` loads none of it.
 */
import type { Model } from '../model';
import { endReason } from './rules';

/** How often the copy is renewed at most: once a day. */
export const COPY_EVERY = 86_400_000;

/** Whether the copy is due at `at` (the page hidden or leaving). */
export const copyDue = (m: Model, at: number): boolean => {
  const s = m.session;
  // (only where the session lives in the cookie: where cookies are blocked the server's would be too, and a custom
  // store is the site's own)
  return (
    m.consentMode === 'granted' &&
    m.around.mechanism === 'COOKIE_1' &&
    !!s &&
    !endReason(s, at, m.settings) &&
    at - (s.copiedAt ?? -Infinity) >= COPY_EVERY
  );
};
