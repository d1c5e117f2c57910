/**
 * The page context every event carries, in the spirit of Tracardi's session object, made from what the
 * shell read of the page (`Place`). What cannot be known is null, never guessed.
 */
import { UTM_KEYS, type Utm } from './session/state';

/** Where the page is, as the shell read it from the page's URL and title (or as the app said, in `page()`). */
export interface Place {
  /** The page's full URL when it was read (the page's own `url` may differ). */
  href: string;
  url: string;
  path: string;
  /** the URL's query, for its UTM parameters */
  search: string;
  title: string | null;
  /** The page's referrer, as the browser gave it */
  referrer: string;
}

export interface PageContext {
  url: string;
  path: string;
  referrer: string | null;
  title: string | null;
  /** This page view's id (Snowplow's web_page id): new at each page view, kept by the events that follow it. */
  viewId: string;
}

/** A page context and its JSON, made once per page (or single-page-app route), not once per event. */
export interface PageSnapshot {
  page: PageContext;
  pageJson: string;
  utm: Utm | null;
  /** The page's full URL when it was made: an event from another URL makes a new one. */
  href: string;
}

/** The page at `place`, reached from `referrer`, in page view `viewId`. */
export function snapshot(place: Place, referrer: string | null, viewId: string): PageSnapshot {
  const page: PageContext = {
    url: place.url,
    path: place.path,
    referrer: referrer || null,
    title: place.title || null,
    viewId,
  };
  return { page, pageJson: JSON.stringify(page), utm: utmOf(place.search), href: place.href };
}

/** The UTM parameters of a landing URL's query, or null when it has none. */
export function utmOf(search: string): Utm | null {
  const params = new URLSearchParams(search);
  let found = false;
  const utm = {} as Utm;
  for (const key of UTM_KEYS) {
    const value = params.get('utm_' + key);
    // Bounded: the UTM values are kept in the session cookie for the whole session.
    utm[key] = value ? value.slice(0, 100) : null;
    found = found || !!value;
  }
  return found ? utm : null;
}

export const NO_UTM: Utm = { source: null, medium: null, campaign: null, term: null, content: null };

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
