/**
 * The context every event carries, in the spirit of Tracardi's session object. What cannot be
 * known is null, never guessed: frozen user-agent values (macOS 10.15.7, Android 10, Windows NT
 * 10.0, which is also Windows 11) report no version.
 */
import { uuids } from './session/ids';
import { UTM_KEYS, type Utm } from './session/state';
import type { PageValues } from './types';

export interface PageContext {
  url: string;
  path: string;
  referrer: string | null;
  title: string | null;
  /** This page view's id (Snowplow's web_page id): new at each page view, kept by the events that follow it. */
  viewId: string;
}

/** A page context and its JSON, made once per page (or SPA route), not once per event. */
export interface PageSnapshot {
  page: PageContext;
  json: string;
  utm: Utm | null;
  /** `location.href` when it was made (the page's own `url` may differ). */
  _loc: string;
}

/**
 * The page as it is now; `own`: the values the app gave `page()` (a checked, absolute `url`); `viewId`: the
 * page view it belongs to (a new one by default).
 */
export function snapshotPage(referrer: string | null, own: PageValues = {}, viewId = uuids.random()): PageSnapshot {
  const url = own.url ? new URL(own.url) : location;
  const page: PageContext = {
    url: url.href,
    path: url.pathname,
    referrer: referrer || null,
    title: (own.title ?? document.title) || null,
    viewId,
  };
  return { page, json: JSON.stringify(page), utm: utmOf(url.search), _loc: location.href };
}

/** The UTM parameters of a landing URL, or null when it has none. */
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

interface UserAgentData {
  brands?: { brand: string; version: string }[];
  platform?: string;
  getHighEntropyValues?(hints: string[]): Promise<{ platformVersion?: string }>;
}

/**
 * The parts of the context that do not change while the page lives, as a JSON fragment
 * (`"device":{...},"os":{...},"app":{...}`). `onUpdate` gets a better fragment once the
 * operating system version arrives from User-Agent Client Hints.
 */
export function deviceContext(onUpdate: (fragment: string) => void): string {
  const nav = navigator as Navigator & { userAgentData?: UserAgentData };
  const ua = nav.userAgent;
  const uad = nav.userAgentData;
  let [os, osVersion] = osFromUserAgent(ua);
  let [browser, browserVersion] = browserFromUserAgent(ua);
  // Brands: drop the GREASE entry ("Not:A-Brand"), prefer the browser over its Chromium engine.
  const brands = (uad?.brands || []).filter((b) => !/Not.?A.?Brand/i.test(b.brand));
  const brand = brands.find((b) => b.brand !== 'Chromium') || brands[0];
  if (brand) [browser, browserVersion] = [brand.brand, brand.version];
  const screenType = screen.orientation?.type;
  const fragment = () =>
    JSON.stringify({
      device: {
        screenResolution: `${screen.width}x${screen.height}`,
        colorDepth: screen.colorDepth || null,
        orientation: screenType ? screenType.split('-')[0] : null,
        touch: nav.maxTouchPoints > 0,
      },
      os: { name: os, version: osVersion },
      app: {
        type: 'browser',
        name: browser,
        version: browserVersion,
        language: nav.language || null,
        bot: nav.webdriver === true || /bot|crawl|spider|slurp|headless|lighthouse/i.test(ua),
      },
    }).slice(1, -1);
  if (uad?.platform && uad.getHighEntropyValues) {
    os = uad.platform === 'macOS' || uad.platform === 'Windows' ? uad.platform : os || uad.platform;
    uad.getHighEntropyValues(['platformVersion']).then(
      ({ platformVersion: v }) => {
        if (!v || os === 'Linux') return;
        // Windows 11 reports platform version 13 and up (learn.microsoft.com, "Detect Windows 11 using UA-CH").
        osVersion = os === 'Windows' ? (parseInt(v) >= 13 ? '11' : parseInt(v) > 0 ? '10' : null) : v;
        onUpdate(fragment());
      },
      () => {},
    );
  }
  return fragment();
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
