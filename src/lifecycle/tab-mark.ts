/**
 * Whether this tab has reported `application_initialized`: once per tab, not on each page of it. A mark
 * in sessionStorage, which lives as long as the tab, says it has.
 */
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
