/**
 * Google Consent Mode v2, followed through the page's `window.dataLayer` without gtag.js: a consent signal
 * (`consent: googleConsentMode()` from 'stint/consent-mode', or `consent: 'google'` with the script tag).
 *
 * gtag's commands are pushed as they are called: `function gtag(){dataLayer.push(arguments);}`, so a consent
 * command is an Arguments object `['consent', 'default' | 'update', { analytics_storage, ... }]`
 * (https://developers.google.com/tag-platform/security/guides/consent#gtag.js). Stint reads what the layer held
 * when it started, then every later push: it wraps `dataLayer.push` where it finds it and calls it through, as
 * gtag.js and Tag Manager do when they load (google/data-layer-helper: the push they install calls the one
 * they found), so that whichever wraps first, both see every command.
 *
 * - An `update` is the visitor's decision (or the CMP's record of it): it applies to every tab of the site.
 * - A `default` is what the page assumes until then: it applies to this tab only, so that a page that opens
 *   with `default: denied` does not erase what another tab was granted. A `default` with
 *   `wait_for_update: ms` that denies waits that long for an update first, as Google's tags do (the
 *   visitor's stored choice, which the CMP loads, usually comes within it). A `default` for some regions
 *   (`region: [...]`) is taken only when it denies: Stint cannot tell where the visitor is.
 * - Nothing yet: pending (nothing stored or sent; held), as for a TCF CMP that has not answered.
 */
import { note } from '../ground/log';
import type { ConsentState } from '../ground/types';

/** What the consent commands pushed so far say of `analytics_storage`. */
export interface ConsentMode {
  /** The latest update's value */
  update?: 'granted' | 'denied';
  /** The latest default for every region */
  default?: 'granted' | 'denied';
  /** A default for some regions denies */
  regionDenies?: true;
  /** ms a denying default waits for an update (`wait_for_update`) */
  wait: number;
}

/** The parameters of a consent command that Stint reads. */
interface ConsentParams {
  analytics_storage?: unknown;
  region?: unknown;
  wait_for_update?: unknown;
}

/** One entry of the data layer read into what the commands say (pure; anything but a consent command is ignored). */
export function readEntry(mode: ConsentMode, entry: unknown): ConsentMode {
  // An Arguments object (gtag), or an array pushed by hand: array-like, not a string; Tag Manager's events are plain
  // objects.
  const command = entry as ArrayLike<unknown> | null;
  if (!command || typeof command != 'object' || command[0] !== 'consent') return mode;
  const kind = command[1];
  const params = command[2] as ConsentParams | null;
  const value = params && typeof params == 'object' ? params.analytics_storage : undefined;
  if (value !== 'granted' && value !== 'denied') return mode;
  if (kind === 'update') return { ...mode, update: value };
  if (kind !== 'default') return mode;
  const wait = Number(params!.wait_for_update);
  const next = { ...mode, wait: wait > 0 && isFinite(wait) ? wait : mode.wait };
  if (!(Array.isArray(params!.region) && params!.region.length)) next.default = value;
  else if (value === 'denied') next.regionDenies = true;
  return next;
}

/** The consent state the commands give, and whether it is the page's default (this tab only) rather than a decision. */
export function consentModeState(mode: ConsentMode): [ConsentState, boolean] {
  if (mode.update) return [mode.update, false];
  return [mode.regionDenies ? 'denied' : mode.default || 'pending', true];
}

/** A dataLayer with no consent command after this long is most likely a mistake: it is said once. */
const SILENT = 5000;

/**
 * Follows Consent Mode's `analytics_storage` in `window.dataLayer` (made if missing, as gtag's snippet does):
 * calls `onChange(state, isDefault)` with each change. Returns the stop function.
 */
export function watchConsentMode(onChange: (state: ConsentState, isDefault: boolean) => void): () => void {
  const w = window as Window & { dataLayer?: unknown[] };
  let layer: unknown[] | undefined;
  try {
    layer = w.dataLayer ||= [];
  } catch {
    // A dataLayer that cannot be made (a window property that refuses it): nothing to follow, as the warning says.
  }
  let mode: ConsentMode = { wait: 0 };
  /** The state reported last, and whether it was a default ('pending' first: the tracker's start) */
  let reported: [ConsentState, boolean] = ['pending', true];
  let waiting: ReturnType<typeof setTimeout> | undefined;
  let waited = false;
  const report = () => {
    const [state, isDefault] = consentModeState(mode);
    if (state === 'denied' && isDefault && mode.wait && !waited) {
      // The default denies, and gives an update time to come first: held meanwhile.
      waiting ||= setTimeout(() => ((waited = true), report()), mode.wait);
      return;
    }
    clearTimeout(waiting);
    // (an update that says what the default said is reported too: it is the visitor's, for every tab)
    if (state !== reported[0] || isDefault !== reported[1]) onChange(...(reported = [state, isDefault]));
  };
  const silent = setTimeout(
    () =>
      reported[0] === 'pending' &&
      !waiting &&
      note('consent: no analytics_storage in dataLayer yet (Consent Mode): nothing is sent'),
    SILENT,
  );
  /**
   * Reads the entries, then reports (`onChange` is guarded by the tracker); an entry whose getters throw is no command.
   */
  const read = (entries: unknown[]) => {
    for (const entry of entries)
      try {
        mode = readEntry(mode, entry);
      } catch {}
    report();
  };
  const push = layer?.push;
  const ours = function (this: unknown[], ...entries: unknown[]) {
    const answer = push!.apply(this, entries);
    read(entries);
    return answer;
  };
  // What the layer held before Stint came, as one change; then each push (a layer that is no array gives none).
  if (Array.isArray(layer))
    try {
      read(layer);
      layer.push = ours;
    } catch {
      // A frozen layer: it can take no push, so what it holds, read above, is all it will ever say.
    }
  return () => {
    clearTimeout(waiting);
    clearTimeout(silent);
    // Taken out if nothing wrapped it since; otherwise it stays in that chain and only passes the call on.
    if (layer?.push === ours) layer.push = push!;
    onChange = () => {};
  };
}
