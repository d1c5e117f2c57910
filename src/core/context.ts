/**
 * The page context every event carries, in the spirit of Tracardi's session object, made from what the
 * shell read of the page (`Place`). What cannot be known is null, never guessed: frozen user-agent values
 * (macOS 10.15.7, Android 10, Windows NT 10.0, which is also Windows 11) report no version.
 */
import { UTM_KEYS, type Utm } from './state';

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
  const page: PageContext = { url: place.url, path: place.path, referrer: referrer || null, title: place.title || null, viewId };
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

const WINDOWS: Record<string, string> = { '6.1': '7', '6.2': '8', '6.3': '8.1' };

/** [name, version] of the operating system from a user-agent string. */
export function osFromUserAgent(ua: string): [string | null, string | null] {
  let m: RegExpMatchArray | null;
  if ((m = ua.match(/Windows NT ([\d.]+)/))) return ['Windows', WINDOWS[m[1]] || null];
  if ((m = ua.match(/(?:iPhone|iPad|iPod).*? OS ([\d_]+)/))) return ['iOS', m[1].replace(/_/g, '.')];
  if ((m = ua.match(/Android ([\d.]+)(; K\))?/))) return ['Android', m[2] ? null : m[1]];
  if ((m = ua.match(/Mac OS X ([\d_.]+)/))) return ['macOS', /^10[._]15[._]7$/.test(m[1]) ? null : m[1].replace(/_/g, '.')];
  if (/CrOS/.test(ua)) return ['Chrome OS', null];
  if (/Linux/.test(ua)) return ['Linux', null];
  return [null, null];
}

/** [name, major version] of the browser from a user-agent string. */
export function browserFromUserAgent(ua: string): [string | null, string | null] {
  const names: [RegExp, string][] = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/(?:OPR|Opera)\/(\d+)/, 'Opera'],
    [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
    [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
    [/HeadlessChrome\/(\d+)/, 'HeadlessChrome'],
    [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+).*Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of names) {
    const m = ua.match(pattern);
    if (m) return [name, m[1]];
  }
  return [null, null];
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
