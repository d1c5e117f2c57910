/**
 * One visitor and one session across the site's domains (`crossDomain`): a link or form to another of them carries
 * the device id, the session and the time it was decorated (`_stint`, as Snowplow's `_sp` and Google's `_gl`), and
 * the page it lands on adopts them when the link is fresh and well formed. A link copied, shared, bookmarked or
 * crawled goes stale in two minutes, and one that is not ours (tampered, foreign) reads as nothing: the landing page
 * starts as it would have without it. Only with consent, never under GPC (the shell asks `linkFor` at each click).
 */
import type { Model } from './model';
import { endReason } from './rules';
import { UUID_PATTERN, type SessionState, type Utm } from './state';

/** The query parameter of a decorated link. */
export const LINK_PARAM = '_stint';
/** A link decorated longer ago than this (ms) is stale. */
export const LINK_MAX_AGE = 120_000;

/** What a decorated link carries: the visitor, their session and where it is, and when the link was decorated. */
export type Link = Pick<SessionState, 'userId' | 'sessionId' | 'sessionIndex' | 'eventIndex' | 'startedAt' | 'lastEventAt'> & { at: number };

/** The value of `_stint` for a link decorated at `at`: dot-separated, as UUIDs and integers need no escaping in a URL. */
export const linkValue = (s: SessionState, at: number): string => [s.userId, s.sessionId, s.sessionIndex, s.eventIndex, s.startedAt, s.lastEventAt, at].join('.');

/** What a link followed now says, or null: malformed, out of range, decorated in the future or more than two minutes ago. */
export function readLink(value: string | null | undefined, now: number): Link | null {
  const m = /^([\da-f-]{36})\.([\da-f-]{36})((?:\.\d{1,15}){5})$/.exec(value || '');
  if (!m || !UUID_PATTERN.test(m[1]) || !UUID_PATTERN.test(m[2])) return null;
  const [, sessionIndex, eventIndex, startedAt, lastEventAt, at] = m[3].split('.').map(Number);
  // (one device, one clock: a second of leeway for the time between the click and this page's start)
  const fresh = at <= now + 1000 && now - at <= LINK_MAX_AGE;
  return fresh && sessionIndex > 0 && sessionIndex < 2 ** 31 && eventIndex < 2 ** 31 && startedAt <= lastEventAt && lastEventAt <= at
    ? { userId: m[1], sessionId: m[2], sessionIndex, eventIndex, startedAt, lastEventAt, at }
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
    return { ...found, eventIndex: Math.max(found.eventIndex, link.eventIndex), lastEventAt: Math.max(found.lastEventAt, link.lastEventAt) };
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
  };
}

/** The value a link to another of the site's domains gets now, or null: without consent, or without a live session. */
export function linkFor(m: Model, at: number): string | null {
  const s = m.session;
  return m.consentMode === 'granted' && s && !endReason(s, at, m.settings) ? linkValue(s, at) : null;
}
