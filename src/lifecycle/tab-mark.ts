/**
 * The tab's id, and whether this tab has reported `application_initialized` (once per tab, not on each page of
 * it). Both are one sessionStorage item that lives only *between* two pages of the tab: a page takes it out
 * when it starts and leaves it at pagehide (with consent, once the tab is reported). A duplicated tab copies the
 * sessionStorage of a live page, where the item is not
 * (https://html.spec.whatwg.org/multipage/webstorage.html#the-sessionstorage-attribute: a new browsing context
 * gets a copy), so the duplicate is a new tab with its own id; a reload or the tab's next page finds it. A page
 * that never reached pagehide (a crash) leaves none: its tab's next page counts as a new tab.
 */
const TAB = 'stint:tab';

/** The id the tab's previous page left (taken out), or null: this page starts a new tab. */
export function takeTab(): string | null {
  try {
    const id = sessionStorage.getItem(TAB);
    sessionStorage.removeItem(TAB);
    return id && /^[0-9a-f]{8}$/.test(id) ? id : null;
  } catch {
    // No sessionStorage (sandboxed): every page counts as a new tab.
    return null;
  }
}

/** Leaves the id for the tab's next page (`id`, at pagehide), or takes it back out (null: a restore, a withdrawal). */
export function leaveTab(id: string | null): void {
  try {
    if (id) sessionStorage.setItem(TAB, id);
    else sessionStorage.removeItem(TAB);
  } catch {
    // The next page of this tab counts as a new tab.
  }
}
