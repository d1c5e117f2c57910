/**
 * One visitor and one session across the site's domains (`crossDomain`): a link or form to another of them carries
 * the device id, the session and the time it was decorated (`_stint`, as Snowplow's `_sp` and Google's `_gl`), and
 * the page it lands on adopts them when the link is fresh and well formed. A link copied, shared, bookmarked or
 * crawled goes stale in two minutes, and one that is not ours (tampered, foreign) reads as nothing: the landing page
 * starts as it would have without it. Only with consent, never under GPC (the shell asks `linkFor` at each click).
 */
import type { ServerSession } from './headers';
import type { Model } from '../model';
import { endReason } from './rules';
import type { SessionState } from './state';

/** The query parameter of a decorated link. */
export const LINK_PARAM = '_stint';
/** A link decorated longer ago than this (ms) is stale. */
export const LINK_MAX_AGE = 120_000;

/** What a decorated link carries: the visitor, their session and where it is, and when the link was decorated. */
export type Link = Omit<ServerSession, 'ended'> & { at: number };

/**
 * The value of `_stint` for a link decorated at `at`: dot-separated, as UUIDs and integers need no escaping in a URL.
 */
export const linkValue = (s: SessionState, at: number): string =>
  [s.userId, s.sessionId, s.sessionIndex, s.eventIndex, s.startedAt, s.lastEventAt, at].join('.');

/** The value a link to another of the site's domains gets now, or null: without consent, or without a live session. */
export function linkFor(m: Model, at: number): string | null {
  const s = m.session;
  return m.consentMode === 'granted' && s && !endReason(s, at, m.settings) ? linkValue(s, at) : null;
}
