/**
 * `application_initialized`: reported once per tab (not on each page of it), when Stint starts there.
 * A per-tab mark in sessionStorage, which lives as long as the tab, says it was.
 */
import type { Config } from '../config';
import type { SessionState } from '../session/state';
import type { Properties } from '../types';

const TAB_MARK = 'stint:tab';

/** Whether this tab has not reported `application_initialized` yet. */
export function isNewTab(): boolean {
  try {
    return !sessionStorage.getItem(TAB_MARK);
  } catch {
    // No sessionStorage (sandboxed): every page counts as a new tab.
    return true;
  }
}

/** Marks this tab as reported (where storage is allowed). */
export function markTab(): void {
  try {
    sessionStorage.setItem(TAB_MARK, '1');
  } catch {
    // This tab will report application_initialized again on its next page.
  }
}

/** Forgets the mark (consent withdrawn). */
export function unmarkTab(): void {
  try {
    sessionStorage.removeItem(TAB_MARK);
  } catch {
    // nothing was stored there
  }
}

/** The properties of `application_initialized`, from what the device held at start (`found`). */
export function initialized(config: Config, found: SessionState | null, othersOpen: boolean): Properties {
  const install = config.installType;
  const upgraded = !!found && !!config.appVersion && found.appVersion !== config.appVersion;
  return {
    is_first_run: install === 'auto' ? !found : install === 'known_install',
    is_upgrade: install === 'auto' ? upgraded : install === 'known_upgrade',
    // The last page did not exit cleanly: a crash, unless another tab of the site was still open.
    successfully_closed: !found || found.closed || othersOpen,
  };
}
