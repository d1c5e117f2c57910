/**
 * The tab's id, and whether this tab has reported `application_initialized` (once per tab, not on each page of
 * it), the URL of the page that left it, and the session as that page left it (for a start whose store does not
 * answer in time: WebKit can stall IndexedDB behind a cached page's transaction, db.ts). All are one
 * sessionStorage item that lives only *between* two pages of the tab: a page takes it out when it starts and
 * leaves it at pagehide (with consent, once the tab is reported). A duplicated tab copies the sessionStorage of a
 * live page, where the item is not
 * (https://html.spec.whatwg.org/multipage/webstorage.html#the-sessionstorage-attribute: a new browsing context
 * gets a copy), so the duplicate is a new tab with its own id; a reload or the tab's next page finds it. A page
 * that never reached pagehide (a crash) leaves none: its tab's next page counts as a new tab. A page that is hidden
 * leaves it too, marked (`h<id>`): Chrome may discard a hidden tab without a pagehide and reload it when it is shown,
 * and only that reload (`document.wasDiscarded`) takes a marked item; a duplicate of the tab, which copies it, and a
 * reload after a crash are new tabs.
 */
const TAB = 'stint:tab';

/** What the tab's previous page left: the tab's id, that page's URL, and its session (encoded, or ''). */
type Left = [id: string, from: string | undefined, session: string];

/** What the tab's previous page left (`take`: taken out); or null: this page starts a new tab. */
function readTab(take: boolean): Left | null {
  try {
    // (`<id> <url> <session>`: a URL holds no space, the session may)
    const [mark, from, ...session] = (sessionStorage.getItem(TAB) || '').split(' ');
    if (take) sessionStorage.removeItem(TAB);
    const [, hidden, id] = /^(h?)([0-9a-f]{8})$/.exec(mark) || [];
    // (https://wicg.github.io/page-lifecycle/#dom-document-wasdiscarded: Chromium's)
    return id && (!hidden || (document as { wasDiscarded?: boolean }).wasDiscarded)
      ? [id, from, session.join(' ')]
      : null;
  } catch {
    // No sessionStorage (sandboxed): every page counts as a new tab.
    return null;
  }
}

/** What the tab's previous page left, taken out; or null: this page starts a new tab. */
export const takeTab = (): Left | null => readTab(true);

/** The session the page that left the tab last handed over (left in place), or ''. */
export const handedOver = (): string => readTab(false)?.[2] || '';

/**
 * A page back from the back/forward cache: the page of the tab the visitor came back from, or null when it is not
 * known. The Navigation API says (`activation.from`: null after another site); where it is missing (WebKit), the
 * page that left the tab's item at its pagehide (none without consent; this page's own after another site).
 * Chromium may run the leaving page's pagehide after the restored page's pageshow: the item can be late there.
 */
export function cameFrom(): string | null {
  const navigation = (window as { navigation?: { activation?: { from?: { url?: string } | null } } }).navigation;
  if (navigation) return navigation.activation?.from?.url || null;
  const from = takeTab()?.[1];
  return from && from !== location.href ? from : null;
}

/**
 * Leaves the id for the tab's next page (`id`, at pagehide, with this page's URL and the session it hands over; while
 * it is `hidden`, for a reload after a discard), or takes it back out (null: shown again, a restore, a withdrawal).
 */
export function leaveTab(id: string | null, session = '', hidden = false): void {
  try {
    if (id) sessionStorage.setItem(TAB, `${hidden ? 'h' : ''}${id} ${location.href} ${session}`);
    else sessionStorage.removeItem(TAB);
  } catch {
    // The next page of this tab counts as a new tab.
  }
}
