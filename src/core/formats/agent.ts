/**
 * The user agent read where the events land, not in the page (`stint/collector` `expandEnvelope`, the demo's
 * collector): the page sends what the browser says (the User-Agent string, and the User-Agent Client Hints it has:
 * brands, platform, platform version), and a collector turns it into the operating system and the browser. What cannot
 * be known is null, never guessed: frozen user-agent values (macOS 10.15.7, Android 10, Windows NT 10.0, which is also
 * Windows 11) report no version. Pipelines that parse the User-Agent header themselves (Snowplow's enrich, Tracardi)
 * and OpenTelemetry (`user_agent.original`) need none of it.
 */

/** What the page says of its browser (`navigator.userAgent`, and `navigator.userAgentData` where there is one). */
export interface UserAgent {
  original: string;
  brands: { brand: string; version: string }[] | null;
  platform: string | null;
  /** the high-entropy hint, once the browser has answered */
  platformVersion: string | null;
}

const WINDOWS: Record<string, string> = { '6.1': '7', '6.2': '8', '6.3': '8.1' };

/** [name, version] of the operating system from a user-agent string. */
export function osFromUserAgent(ua: string): [string | null, string | null] {
  let m: RegExpMatchArray | null;
  if ((m = ua.match(/Windows NT ([\d.]+)/))) return ['Windows', WINDOWS[m[1]] || null];
  if ((m = ua.match(/(?:iPhone|iPad|iPod).*? OS ([\d_]+)/))) return ['iOS', m[1].replace(/_/g, '.')];
  if ((m = ua.match(/Android ([\d.]+)(; K\))?/))) return ['Android', m[2] ? null : m[1]];
  if ((m = ua.match(/Mac OS X ([\d_.]+)/)))
    return ['macOS', /^10[._]15[._]7$/.test(m[1]) ? null : m[1].replace(/_/g, '.')];
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

/**
 * The operating system and the browser a user agent says: from its string, refined by its Client Hints where it
 * gave them (the brand of the browser rather than its Chromium engine, the GREASE brand left out:
 * https://wicg.github.io/ua-client-hints/#grease; the platform; Windows 11 from a platform version of 13 and up:
 * learn.microsoft.com, "Detect Windows 11 using User-Agent Client Hints").
 */
export function readAgent(agent: UserAgent): {
  os: { name: string | null; version: string | null };
  name: string | null;
  version: string | null;
} {
  let [os, osVersion] = osFromUserAgent(agent.original);
  let [name, version] = browserFromUserAgent(agent.original);
  const brands = (agent.brands || []).filter((b) => !/Not.?A.?Brand/i.test(b.brand));
  const brand = brands.find((b) => b.brand !== 'Chromium') || brands[0];
  if (brand) [name, version] = [brand.brand, brand.version];
  const platform = agent.platform;
  if (platform) os = platform === 'macOS' || platform === 'Windows' ? platform : os || platform;
  const v = agent.platformVersion;
  if (platform && v && os !== 'Linux')
    osVersion = os === 'Windows' ? (parseInt(v) >= 13 ? '11' : parseInt(v) > 0 ? '10' : null) : v;
  return { os: { name: os, version: osVersion }, name, version };
}
