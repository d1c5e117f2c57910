/**
 * The server's copy of the session (`serverCookie`): Safari caps a cookie written by script at 7 days and, after 7
 * days of use without a visit to the site, deletes its script-writable storage (the cookie's localStorage mirror and
 * IndexedDB too: https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/), but not a cookie the site's
 * server set. When the page is hidden or leaves, at most once a day (core/headers.ts `copyDue`), the session's lean
 * value goes to the site's endpoint, which sets it as `<cookie name>_srv` (stint/collector `serverCookieHandler`).
 * The page never writes that cookie: a write from script would be capped again. It reads it only when its own
 * storage is gone (stores/chain.ts).
 */
import { copyDue } from '../core/headers';
import type { Model } from '../core/model';
import type { CookieOptions } from '../types';
import { readCookies } from './stores/cookie';

/** The name of the server's copy: the session cookie's, and `_srv`. */
export const copyName = (cookie: CookieOptions | undefined): string => (cookie?.name || '_stint') + '_srv';

export interface Copy {
  /** The page is hidden or leaving: sends the session when the copy is due. */
  renew(m: Model, at: number): void;
  /** Consent withdrawn: the handler expires the copy (asked only where there is one to erase). */
  erase(): void;
}

/** The copy kept by the endpoint at `url` (a path of the site), in the cookie `name`. */
export function serverCopy(url: string, name: string): Copy {
  /** This page's last send: its answer, and the cookie it sets, may not be back before the next hide. */
  let sentAt = -Infinity;
  // (keepalive: a request made as the page leaves outlives it; same-origin, so the answer's cookie is set)
  const send = (method: string, body?: string) => fetch(url, { method, body, keepalive: true }).catch(() => {});
  return {
    renew(m, at) {
      const value = copyDue(m, at, readCookies(name)[0] ?? null, sentAt);
      if (value) send('POST', value), (sentAt = at);
    },
    erase() {
      if (readCookies(name).length) send('DELETE');
    },
  };
}
