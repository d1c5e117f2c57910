/**
 * The device's context, read once per page: what does not change while the page lives. What cannot be
 * known is null, never guessed (see core/context.ts).
 */
interface UserAgentData {
  brands?: { brand: string; version: string }[];
  platform?: string;
  getHighEntropyValues?(hints: string[]): Promise<{ platformVersion?: string }>;
}

/**
 * The parts of the context that do not change while the page lives, as a JSON fragment (`"device":{...},"app":{...},
 * "userAgent":{...}`): the screen, the language, and what the browser says of itself, as it says it (read where the
 * events land: core/formats/agent.ts). `onUpdate` gets it again once the platform's version arrives from User-Agent
 * Client Hints.
 */
export function deviceContext(onUpdate: (fragment: string) => void): string {
  const nav = navigator as Navigator & { userAgentData?: UserAgentData };
  const uad = nav.userAgentData;
  const screenType = screen.orientation?.type;
  const fragment = (platformVersion: string | null) =>
    JSON.stringify({
      device: {
        screenResolution: `${screen.width}x${screen.height}`,
        colorDepth: screen.colorDepth || null,
        orientation: screenType ? screenType.split('-')[0] : null,
        touch: nav.maxTouchPoints > 0,
      },
      app: {
        type: 'browser',
        language: nav.language || null,
        bot: nav.webdriver === true || /bot|crawl|spider|slurp|headless|lighthouse/i.test(nav.userAgent),
      },
      userAgent: {
        original: nav.userAgent,
        brands: uad?.brands || null,
        platform: uad?.platform || null,
        platformVersion,
      },
    }).slice(1, -1);
  uad?.getHighEntropyValues?.(['platformVersion']).then(
    ({ platformVersion: v }) => v && onUpdate(fragment(v)),
    () => {},
  );
  return fragment(null);
}

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
