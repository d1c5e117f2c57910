/**
 * The landing page's side of cross-domain continuity (`crossDomain`, link.ts): when a link is taken (fresh, well
 * formed, ours), and the session the page goes on in. It travels in the links part (`stint.links.js`, an npm app's
 * links chunk) with the decoration, so that a site without `crossDomain` loads none of it.
 */
import { LINK_MAX_AGE, type Link } from './link';
import { UUID_PATTERN, type SessionState, type Utm } from './state';

/**
 * The check a link carries over its fields and the browser that decorated it (`browser`: its user agent and language,
 * as Google's `_gl` checks its own): a polynomial hash modulo the prime 2^31 - 1, in base 36. A change of any one
 * character changes it (the difference is a non-zero multiple of a power of 31, which the prime cannot divide), so a
 * link mistyped or edited is no link; and a link opened in another browser (pasted into a chat, an e-mail, another
 * device) is no link there. It is no secret: it binds a link to a browser build and language, not to a person.
 */
export function linkCheck(fields: string, browser: string): string {
  const text = fields + '\n' + browser;
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 2147483647;
  return h.toString(36);
}

/**
 * What a link followed now in `browser` says, or null: malformed, out of range, decorated in the future or more than
 * two minutes ago, or its check not that of its fields in this browser (another browser's link, or a changed one).
 */
export function readLink(value: string | null | undefined, now: number, browser: string): Link | null {
  const [, fields, userId, sessionId, counts, check] =
    /^(([\da-f-]{36})\.([\da-f-]{36})((?:\.\d{1,15}){5}))\.([\da-z]{1,7})$/.exec(value || '') || [];
  if (!fields || check !== linkCheck(fields, browser) || !UUID_PATTERN.test(userId) || !UUID_PATTERN.test(sessionId))
    return null;
  const [, sessionIndex, eventIndex, startedAt, lastEventAt, at] = counts.split('.').map(Number);
  // (one device, one clock: a second of leeway for the time between the click and this page's start)
  const fresh = at <= now + 1000 && now - at <= LINK_MAX_AGE;
  return fresh &&
    sessionIndex > 0 &&
    sessionIndex < 2 ** 31 &&
    eventIndex < 2 ** 31 &&
    startedAt <= lastEventAt &&
    lastEventAt <= at
    ? { userId, sessionId, sessionIndex, eventIndex, startedAt, lastEventAt, at }
    : null;
}

/**
 * The session the landing page goes on in: the link's. What this domain kept of the same session is merged (the
 * later count and activity); of the same device, its user ids stay; anything else of this domain's gives way.
 * The session's first event stays on the domain that saw it (null here); its campaign is the landing page's (`utm`: a
 * link of the site's own that names one does not start another session under `newSessionOnCampaign`). The count goes
 * on one past the link's: the page the link left takes that index for its `application_exit` (the two domains share
 * no storage).
 */
export function adopt(found: SessionState | null, { at, ...link }: Link, utm: Utm | null = null): SessionState {
  link.eventIndex++;
  if (found && found.userId === link.userId && found.sessionId === link.sessionId)
    return {
      ...found,
      eventIndex: Math.max(found.eventIndex, link.eventIndex),
      lastEventAt: Math.max(found.lastEventAt, link.lastEventAt),
    };
  const device = found && found.userId === link.userId;
  return {
    siteBackground: false,
    backgroundReported: null,
    appVersion: null,
    closed: true,
    rev: 0,
    ...found,
    ...link,
    engaged: null,
    previousSessionId: null,
    firstEventId: null,
    firstEventAt: null,
    ended: null,
    attributes: {},
    attributesAt: at,
    utm,
    lastPage: null,
    businessUserId: device ? found.businessUserId : null,
    profileId: device ? found.profileId : null,
    copiedAt: device ? found.copiedAt : null,
  };
}

/**
 * A landing page's session (`found`: what this domain kept): the link's, when `value` (the page's `_stint`, read at
 * `at`, the page's start, in `browser`) is a fresh link of ours made in this browser, else `found`. It travels in the
 * links part (`stint.links.js`, an npm app's links chunk), with the decoration: the core calls it once the part has
 * handed it (`Settings.landing`).
 */
export const land = (
  found: SessionState | null,
  value: string,
  at: number,
  browser: string,
  utm: Utm | null,
): SessionState | null => {
  const link = readLink(value, at, browser);
  return link ? adopt(found, link, utm) : found;
};
