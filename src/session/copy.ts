/**
 * The server's copy of the session (`serverCookie`), as the page asks for it: when it is due is the core's decision
 * (core/session/copy.ts, in the copy part), and its `copy` effect sends the value here; the endpoint sets it as
 * `<cookie name>_srv` (stint/collector `serverCookieHandler`). The page never writes that cookie (a write from script
 * would be capped by Safari again), and reads it only when its own storage is gone (stores/chain.ts). A withdrawal asks
 * the endpoint to expire it, where the page sees one.
 */
import type { CookieOptions } from '../ground/types';

/** The name of the server's copy: the session cookie's, and `_srv`. */
export const copyName = (cookie: CookieOptions | undefined): string => (cookie?.name || '_stint') + '_srv';

/** Asks the endpoint at `url` (a path of the site) to set the copy (POST, the lean value) or expire it (DELETE). */
export const sendCopy = (url: string, method: 'POST' | 'DELETE', body?: string): void =>
  // (keepalive: a request made as the page leaves outlives it; same-origin, so the answer's cookie is set)
  void fetch(url, { method, body, keepalive: true }).catch(() => {});
