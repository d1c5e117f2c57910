/**
 * The device's context, read once per page: what does not change while the page lives. What cannot be
 * known is null, never guessed (see core/context.ts).
 */
import { browserFromUserAgent, osFromUserAgent } from './core/context';

interface UserAgentData {
  brands?: { brand: string; version: string }[];
  platform?: string;
  getHighEntropyValues?(hints: string[]): Promise<{ platformVersion?: string }>;
}

/**
 * The parts of the context that do not change while the page lives, as a JSON fragment
 * (`"device":{...},"os":{...},"app":{...}`), the operating system and the browser as given (null: not read).
 */
function fragmentOf(os: string | null, osVersion: string | null, browser: string | null, browserVersion: string | null): string {
  const nav = navigator;
  const screenType = screen.orientation?.type;
  return JSON.stringify({
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
      bot: nav.webdriver === true || /bot|crawl|spider|slurp|headless|lighthouse/i.test(nav.userAgent),
    },
  }).slice(1, -1);
}

/**
 * The device's context (`fragmentOf`), with the operating system and the browser read from the user agent. `onUpdate`
 * gets a better fragment once the operating system version arrives from User-Agent Client Hints.
 */
export function deviceContext(onUpdate: (fragment: string) => void): string {
  const nav = navigator as Navigator & { userAgentData?: UserAgentData };
  const ua = nav.userAgent;
  const uad = nav.userAgentData;
  let [os, osVersion] = osFromUserAgent(ua);
  let [browser, browserVersion] = browserFromUserAgent(ua);
  // Brands: drop the GREASE entry ("Not:A-Brand", https://wicg.github.io/ua-client-hints/#grease), prefer the
  // browser over its Chromium engine.
  const brands = (uad?.brands || []).filter((b) => !/Not.?A.?Brand/i.test(b.brand));
  const brand = brands.find((b) => b.brand !== 'Chromium') || brands[0];
  if (brand) [browser, browserVersion] = [brand.brand, brand.version];
  if (uad?.platform && uad.getHighEntropyValues) {
    os = uad.platform === 'macOS' || uad.platform === 'Windows' ? uad.platform : os || uad.platform;
    uad.getHighEntropyValues(['platformVersion']).then(
      ({ platformVersion: v }) => {
        if (!v || os === 'Linux') return;
        // Windows 11 reports platform version 13 and up (learn.microsoft.com, "Detect Windows 11 using UA-CH").
        osVersion = os === 'Windows' ? (parseInt(v) >= 13 ? '11' : parseInt(v) > 0 ? '10' : null) : v;
        onUpdate(fragmentOf(os, osVersion, browser, browserVersion));
      },
      () => {},
    );
  }
  return fragmentOf(os, osVersion, browser, browserVersion);
}

/**
 * The device's context without the operating system and the browser (null), for a pipeline that reads them from the
 * request's User-Agent header itself and whose format sends neither (Snowplow: enrich's user-agent enrichments): the
 * Snowplow tag does not carry the user agent's parsing.
 */
export const screenContext = (): string => fragmentOf(null, null, null, null);

/** Minutes ahead of UTC on the device at `at` (the weekday an event has is the visitor's). */
export const localOffset = (at: number): number => -new Date(at).getTimezoneOffset();

/** The IANA time zone of the device, or null. Temporal answers at once where Intl first loads its data. */
export function timeZone(): string | null {
  try {
    const temporal = (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal;
    return (temporal ? temporal.Now.timeZoneId() : Intl.DateTimeFormat().resolvedOptions().timeZone) || null;
  } catch {
    return null;
  }
}
