import type { AttributeValue } from '../../ground/types';

/**
 * Why a session ended. `restored`: the device's storage was gone and the session came back from the server's copy
 * (`serverCookie`), which may be older than its last event: it is not continued, and its end is not reported.
 */
export type EndReason =
  | 'foreground_timeout'
  | 'background_timeout'
  | 'max_duration'
  | 'explicit'
  | 'user_changed'
  | 'new_campaign'
  | 'restored';

export type Attributes = Record<string, AttributeValue>;

export interface Utm {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
}

/**
 * Everything Stint keeps on a device, in one record so that one cookie write saves it all.
 * Times are epoch milliseconds.
 */
export interface SessionState {
  userId: string;
  sessionId: string;
  sessionIndex: number;
  previousSessionId: string | null;
  firstEventId: string | null;
  firstEventAt: number | null;
  /** Events so far in this session. */
  eventIndex: number;
  startedAt: number;
  /** The last event or visibility change: the start of the current gap. */
  lastEventAt: number;
  /** Whether no tab of the site has been visible since `lastEventAt`: picks the timeout for the gap. */
  siteBackground: boolean;
  /**
   * Whether the site's going to the background was reported (an `application_background`) and its return not
   * yet: a page that starts visible then reports the return. (A page that leaves records the background
   * without reporting it: the tab's next page is no return.) Null before the device's first background.
   */
  backgroundReported: boolean | null;
  /** Set once the end of this session has been reported; the next event starts a new one. */
  ended: EndReason | null;
  attributes: Attributes;
  /** When `attributes` last changed, so that tabs merge them last-writer-wins. */
  attributesAt: number;
  utm: Utm | null;
  /** The path of the page of the session's last event (its exit page, in `session_end`); null before it has one. */
  lastPage: string | null;
  /** The business user id of `identify`. */
  businessUserId: string | null;
  /** An id a pipeline assigned to the visitor (Tracardi's profile id), sent back to it; never in anonymous mode. */
  profileId: string | null;
  /** The appVersion of the page that last wrote the record, for `is_upgrade`. */
  appVersion: string | null;
  /** Whether the last page that wrote the record exited cleanly, for `successfully_closed`. */
  closed: boolean;
  /**
   * Bumped by every write, so that tabs merging two versions of a session know which came after
   * which; timestamps alone cannot, when events are a millisecond apart or clocks disagree.
   */
  rev: number;
  /**
   * Engaged time (`engagement`): the ms so far, and the hull of the stretches merged in (the first start, the last
   * end), so that tabs whose stretches overlap count the time once (engagement.ts `onEngaged`). Null: none yet.
   */
  engaged: [ms: number, from: number, to: number] | null;
  /**
   * When the server's copy of the session was last renewed from this device (`serverCookie`: core/session/copy.ts), or
   * null.
   */
  copiedAt: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REASONS = [
  'foreground_timeout',
  'background_timeout',
  'max_duration',
  'explicit',
  'user_changed',
  'new_campaign',
  'restored',
];
const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

type Check = (v: unknown) => boolean;
const isUuid: Check = (v) => typeof v === 'string' && UUID.test(v);
const isCount: Check = (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
const isTime: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool: Check = (v) => typeof v === 'boolean';
const isText: Check = (v) => typeof v === 'string' && v.length <= 1000;
const isAttrs: Check = (v) =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
const isUtm: Check = (v) =>
  !!v && typeof v === 'object' && UTM_KEYS.every((k) => orNull(isText)((v as Record<string, unknown>)[k]));
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);

/**
 * Each stored field: its name in memory, its short key in the stored value, and what a valid value is (a field is
 * stored by its key alone: the build shortens the names, scripts/internal-names.mjs). The last six are the visitor's
 * (their business user id, the session's attributes, landing UTM and last page, the pipeline's id for them): the lean
 * value that goes in the cookie leaves them out (every same-site request carries the cookie to the site's servers,
 * their logs and CDN); the mirror in localStorage keeps them (`complete`).
 */
const FIELDS: { [K in keyof SessionState]-?: [key: string, valid: Check] } = {
  userId: ['u', isUuid],
  sessionId: ['s', isUuid],
  sessionIndex: ['i', (v) => isCount(v) && (v as number) > 0],
  previousSessionId: ['p', orNull(isUuid)],
  firstEventId: ['f', orNull(isUuid)],
  firstEventAt: ['ft', orNull(isTime)],
  eventIndex: ['e', isCount],
  startedAt: ['st', isTime],
  lastEventAt: ['l', isTime],
  siteBackground: ['b', isBool],
  backgroundReported: ['br', orNull(isBool)],
  ended: ['x', orNull((v) => REASONS.includes(v as string))],
  appVersion: ['av', orNull(isText)],
  closed: ['c', isBool],
  rev: ['r', isCount],
  engaged: ['g', orNull((v) => Array.isArray(v) && v.length == 3 && v.every(isTime))],
  copiedAt: ['cp', orNull(isTime)],
  attributes: ['a', isAttrs],
  attributesAt: ['aa', isTime],
  utm: ['m', orNull(isUtm)],
  lastPage: ['lp', orNull(isText)],
  businessUserId: ['id', orNull(isText)],
  profileId: ['pf', orNull(isText)],
};
/** The fields the lean value keeps: all but the visitor's. */
// (pure: a part that takes one constant of this file, `UUID_PATTERN`, leaves the rest out)
const ALL = /* @__PURE__ */ Object.entries(FIELDS) as [keyof SessionState, [string, Check]][];
const LEAN = /* @__PURE__ */ ALL.slice(0, -6);

/**
 * Bump when a field changes meaning: older values then read as absent, never as something else. `1.` is the whole
 * record (the mirror, IndexedDB, the tabs, a custom store), `2.` the lean one (the cookie).
 */
const VERSION = '1.';
const LEAN_VERSION = '2.';

/** The whole record, or (`lean`) the record without the visitor's fields. */
export function encodeState(state: SessionState, lean?: boolean): string {
  const short: Record<string, unknown> = {};
  for (const [name, [key]] of lean ? LEAN : ALL) short[key] = state[name];
  return (lean ? LEAN_VERSION : VERSION) + JSON.stringify(short);
}

/**
 * Reads a stored value defensively: anything missing, foreign or tampered with gives null, never a throw. A lean
 * value gives the visitor's fields `undefined`: `complete` fills them in.
 */
export function decodeState(raw: unknown): SessionState | null {
  const version = typeof raw === 'string' && raw.slice(0, 2);
  if (version !== VERSION && version !== LEAN_VERSION) return null;
  let short: Record<string, unknown>;
  try {
    short = JSON.parse((raw as string).slice(2));
  } catch {
    return null;
  }
  if (!short || typeof short !== 'object') return null;
  const state: Record<string, unknown> = {};
  for (const [name, [key, valid]] of version === VERSION ? ALL : LEAN) {
    const value = short[key];
    if (!valid(value)) return null;
    state[name] = value;
  }
  return state as unknown as SessionState;
}

/**
 * A state read from the lean cookie, with the visitor's fields taken from what is `known` of the same visitor (the
 * mirror's copy at start, this tab's session later): the business user id and the pipeline's id of the same device,
 * the attributes and UTM of the same session; none otherwise. A whole state is returned as it is.
 */
export function complete(state: SessionState, known: SessionState | null): SessionState {
  if (state.attributes) return state;
  const device = known?.userId === state.userId ? known : null;
  const session = device?.sessionId === state.sessionId ? device : null;
  return {
    ...state,
    businessUserId: device ? device.businessUserId : null,
    profileId: device ? device.profileId : null,
    attributes: session ? session.attributes : {},
    attributesAt: session ? session.attributesAt : state.startedAt,
    utm: session ? session.utm : null,
    lastPage: session ? session.lastPage : null,
  };
}

export { UUID as UUID_PATTERN, UTM_KEYS };
