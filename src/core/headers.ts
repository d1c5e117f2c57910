/**
 * The session for the site's own requests: headers for the page's `fetch` (`sessionHeaders()`), and the reading a
 * server or an edge function makes of them, or of the cookie, by the same rules as the browser (`stint/collector`
 * `readSession`). Pure: the time is given.
 */
import type { Model } from './model';
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
  return s && !endReason(s, at, m.settings) ? { baggage: `session.id=${s.sessionId}`, [SESSION_HEADER]: encodeURIComponent(encodeState(s, true)) } : {};
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
  /** Why it is over at the time it was read (then the page's next event starts the next session), or null while it lives. */
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
