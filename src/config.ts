/** Checks the integrator's config once, at `createTracker`, with a TypeError that names the field. */
import type { StintConfig } from './types';

const MINUTE = 60_000;

export interface Config extends Required<Omit<StintConfig, 'appVersion' | 'store' | 'cookie'>> {
  appVersion: string | null;
  store: StintConfig['store'];
  cookie: NonNullable<StintConfig['cookie']>;
}

const oneOf = (field: string, value: unknown, allowed: readonly string[]) => {
  if (!allowed.includes(value as string)) {
    throw new TypeError(`stint: config.${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
};

const positive = (field: string, value: unknown, zeroAllowed?: boolean) => {
  if (typeof value !== 'number' || !(value > 0 || (zeroAllowed && value === 0)) || !isFinite(value)) {
    throw new TypeError(`stint: config.${field} must be a positive number`);
  }
};

const text = (field: string, value: unknown) => {
  if (typeof value !== 'string' || !value.trim()) throw new TypeError(`stint: config.${field} must be a non-empty string`);
};

export function resolveConfig(input: StintConfig): Config {
  if (!input || typeof input !== 'object') throw new TypeError('stint: createTracker needs a config object');
  const config: Config = {
    appVersion: null,
    foregroundTimeout: 30 * MINUTE,
    backgroundTimeout: 30 * MINUTE,
    maxSessionDuration: 0,
    consent: 'granted',
    onDenied: 'drop',
    respectGlobalPrivacyControl: true,
    format: 'native',
    lifecycleEvents: true,
    installType: 'auto',
    debug: false,
    ...(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as StintConfig),
    cookie: { ...input.cookie },
    store: input.store,
  };
  text('collector', config.collector);
  text('appId', config.appId);
  if (config.appVersion !== null) text('appVersion', config.appVersion);
  positive('foregroundTimeout', config.foregroundTimeout);
  positive('backgroundTimeout', config.backgroundTimeout);
  positive('maxSessionDuration', config.maxSessionDuration, true);
  oneOf('consent', config.consent, ['granted', 'pending', 'denied', 'tcf']);
  oneOf('onDenied', config.onDenied, ['drop', 'anonymous']);
  oneOf('format', config.format, ['native', 'snowplow']);
  oneOf('installType', config.installType, ['auto', 'known_install', 'known_upgrade']);
  const { store, cookie } = config;
  if (store !== undefined && (!store || ['get', 'set', 'delete'].some((m) => typeof store[m as 'get'] !== 'function'))) {
    throw new TypeError('stint: config.store must have get, set and delete methods');
  }
  if (cookie.sameSite !== undefined) oneOf('cookie.sameSite', cookie.sameSite, ['Lax', 'Strict', 'None']);
  if (cookie.maxAgeDays !== undefined) positive('cookie.maxAgeDays', cookie.maxAgeDays);
  for (const field of ['name', 'domain', 'path'] as const) {
    if (cookie[field] !== undefined && !/^[\w.!#$%&'*+^`|~/-]+$/.test(cookie[field] as string)) {
      throw new TypeError(`stint: config.cookie.${field} has characters a cookie cannot hold`);
    }
  }
  config.collector = config.collector.replace(/(.)\/+$/, '$1');
  return config;
}
