/**
 * The session for the site's own requests: headers for the page's `fetch` (`sessionHeaders()`), and the reading a
 * server or an edge function makes of them, or of the cookie, by the same rules as the browser (`stint/collector`
 * `readSession`). Pure: the time is given.
 */
import type { Model } from '../model';
import { endReason, type Timeouts } from './rules';
import { decodeState, encodeState, type EndReason } from './state';

/** The header that carries the session as the cookie does (its lean value, URI-encoded: a header is Latin-1). */
export const SESSION_HEADER = 'stint-session';

/**
 * Headers for a request of the site's own at `at`: W3C `baggage` with OpenTelemetry's `session.id`, and the session as
 * the cookie holds it. None without consent, anonymous, or without a live session.
 */
export function sessionHeaders(m: Model, at: number): Record<string, string> {
  const s = m.consentMode === 'granted' ? m.session : null;
  return s && !endReason(s, at, m.settings)
    ? { baggage: `session.id=${s.sessionId}`, [SESSION_HEADER]: encodeURIComponent(encodeState(s, true)) }
    : {};
}

/** A session as a server reads it from Stint's cookie or its header. */
export interface ServerSession {
  userId: string;
  sessionId: string;
  sessionIndex: number;
  /** Events so far in the session. */
  eventIndex: number;
  startedAt: number;
  lastEventAt: number;
  /**
   * Why it is over at the time it was read (then the page's next event starts the next session), or null while it
   * lives.
   */
  ended: EndReason | null;
}

/**
 * Reads Stint's cookie (`_stint`) or its `stint-session` header, as sent, at `now` (epoch ms): the session, and whether
 * it is over by the same rules as the browser's, with the site's timeouts (the defaults, 30 minutes each, otherwise).
 * Null for a value that is not Stint's, or damaged. (The site in the background is judged by `backgroundTimeout`.)
 */
export function readSession(value: string, now: number, timeouts: Partial<Timeouts> = {}): ServerSession | null {
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return null;
  }
  const s = decodeState(text);
  if (!s) return null;
  const t = { foregroundTimeout: 30 * 60_000, backgroundTimeout: 30 * 60_000, maxSessionDuration: 0, ...timeouts };
  const { userId, sessionId, sessionIndex, eventIndex, startedAt, lastEventAt } = s;
  return { userId, sessionId, sessionIndex, eventIndex, startedAt, lastEventAt, ended: endReason(s, now, t) };
}

/** Where and how long the server keeps its copy of the session (`serverCookieHandler`, `stint/collector`). */
export interface CopyCookie {
  /** The cookie's name; `_stint_srv` by default (the page reads `<its cookie name>_srv`). */
  name?: string;
  /** `Domain=`, for a site on several subdomains (the page's `cookie.domain`); host-only by default. */
  domain?: string;
  /** Days it lives (renewed at most daily, by each visit); 400 by default, Chromium's cap. */
  maxAgeDays?: number;
  /** `Secure`; by default when the request came over https (its URL, or a proxy's `X-Forwarded-Proto`). */
  secure?: boolean;
}

/** The longest value a handler takes: a lean session is about 330 characters, URI-encoded. */
const COPY_MAX = 2000;

/**
 * The answer of the `serverCookie` endpoint to a request (`method`, its `body` as text; `https`: it came over https):
 * POST with a session's lean value (as the page sends it) sets the copy, the value as the server wrote it again
 * (only the lean fields, none of the visitor's); DELETE (consent withdrawn) expires it; anything else sets nothing
 * (400 for a value that is not a Stint session, 405 for another method). Pure: the handlers of `stint/collector` carry
 * it out.
 */
export function copyAnswer(
  method: string,
  body: string,
  options: CopyCookie,
  https: boolean,
): { status: number; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  const cookie = (value: string, age: number) =>
    `${options.name || '_stint_srv'}=${value}; Path=/; Max-Age=${age}; SameSite=Lax` +
    (options.domain ? '; Domain=' + options.domain : '') +
    ((options.secure ?? https) ? '; Secure' : '');
  if (method === 'DELETE') return { status: 204, headers: { ...headers, 'Set-Cookie': cookie('', 0) } };
  if (method !== 'POST') return { status: 405, headers: { ...headers, Allow: 'POST, DELETE' } };
  let state = null;
  try {
    state = body.length <= COPY_MAX ? decodeState(decodeURIComponent(body)) : null;
  } catch {
    // (malformed escapes: not a Stint session)
  }
  if (!state) return { status: 400, headers };
  return {
    status: 204,
    headers: {
      ...headers,
      'Set-Cookie': cookie(
        encodeURIComponent(encodeState(state, true)),
        Math.round((options.maxAgeDays ?? 400) * 86_400),
      ),
    },
  };
}
