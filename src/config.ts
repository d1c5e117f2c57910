/** Checks the integrator's config once, at `createTracker`, with a TypeError that names the field. */
import type { StintConfig } from './types';

export interface Config extends Required<Omit<StintConfig, 'appVersion' | 'store' | 'cookie'>> {
  appVersion: string | null;
  store: StintConfig['store'];
  cookie: NonNullable<StintConfig['cookie']>;
}

const DEFAULTS = {
  appVersion: null,
  foregroundTimeout: 30 * 60_000,
  backgroundTimeout: 30 * 60_000,
  maxSessionDuration: 0,
  consent: 'granted',
  onDenied: 'drop',
  respectGlobalPrivacyControl: true,
  format: 'native',
  lifecycleEvents: true,
  installType: 'auto',
  autoPageViews: false,
  debug: false,
};

type Check = (value: unknown) => boolean;
const text: Check = (v) => typeof v === 'string' && !!v.trim();
const positive: Check = (v) => typeof v === 'number' && v > 0 && isFinite(v);
const oneOf =
  (...allowed: unknown[]): Check =>
  (v) =>
    allowed.includes(v);
const cookiePart: Check = (v) => v === undefined || /^[\w.!#$%&'*+^`|~/-]+$/.test(v as string);

/** Each checked field, what a valid value is, and how the error describes it. */
const RULES: [string, Check, string][] = [
  ['collector', text, 'a non-empty string (URL or path)'],
  ['appId', text, 'a non-empty string'],
  ['appVersion', (v) => v === null || text(v), 'a non-empty string'],
  ['foregroundTimeout', positive, 'a positive number of ms'],
  ['backgroundTimeout', positive, 'a positive number of ms'],
  ['maxSessionDuration', (v) => v === 0 || positive(v), 'a positive number of ms'],
  ['consent', oneOf('granted', 'pending', 'denied', 'tcf'), "'granted', 'pending', 'denied' or 'tcf'"],
  ['onDenied', oneOf('drop', 'anonymous'), "'drop' or 'anonymous'"],
  ['format', oneOf('native', 'snowplow'), "'native' or 'snowplow'"],
  ['installType', oneOf('auto', 'known_install', 'known_upgrade'), "'auto', 'known_install' or 'known_upgrade'"],
  ['autoPageViews', oneOf(false, 'history', 'history+hash'), "false, 'history' or 'history+hash'"],
  ['store', (s) => s === undefined || (!!s && ['get', 'set', 'delete'].every((m) => typeof (s as Record<string, unknown>)[m] == 'function')), 'an object with get, set and delete'],
  ['cookie.sameSite', oneOf(undefined, 'Lax', 'Strict', 'None'), "'Lax', 'Strict' or 'None'"],
  ['cookie.maxAgeDays', (v) => v === undefined || positive(v), 'a positive number of days'],
  ['cookie.name', cookiePart, 'characters a cookie name can hold'],
  ['cookie.domain', cookiePart, 'characters a cookie domain can hold'],
  ['cookie.path', cookiePart, 'characters a cookie path can hold'],
];

export function resolveConfig(input: StintConfig): Config {
  if (!input || typeof input !== 'object') throw new TypeError('stint: createTracker needs a config object');
  const config = { ...DEFAULTS } as unknown as Config;
  for (const [key, value] of Object.entries(input)) if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  config.cookie = { ...config.cookie };
  for (const [field, valid, expected] of RULES) {
    const [key, sub] = field.split('.');
    const value = (config as unknown as Record<string, Record<string, unknown>>)[key];
    if (!valid(sub ? value[sub] : value)) throw new TypeError(`stint: config.${field} must be ${expected}`);
  }
  config.collector = config.collector.replace(/(.)\/+$/, '$1');
  return config;
}
