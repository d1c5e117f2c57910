/**
 * What the site did, over time, as the browser saw it (site.ts `seen`, `consent`): whether any page of the site was
 * shown (docs/sessions.md: "the state the site was in during the gap": the site is in the background when no page of
 * it is shown), each page's life, and when a page held what it tracked. The session oracle (oracle.ts) judges what
 * arrived by it. What the truth cannot tell Stint at once, and so what a stretch's state may be besides it:
 *
 * - the tabs hear each other by messages (a few ms) and read the store again before an input once its last read is
 *   over 20 ms old: a stretch that began within `HEARD` ms of another page's change may be judged by the state before;
 * - a page that crashed while shown says nothing: the tabs that knew it count it shown until a roll call finds it gone,
 *   which a tab starts when it is hidden, and which waits at most 1 s (docs/sessions.md, "Tabs");
 * - a page shown without a grant keeps no session (docs/consent.md), nor one that crashed before its storage answered
 *   (within `START` ms of its start): the sessions may not count it.
 */
import type { Site } from './site';

/** How late a tab may hear that the site's state changed: its messages (0 to 3 ms here), a store read every 20 ms. */
export const HEARD = 25;
/** A page's start waits this long at most: for its store (3 s), then the roll call after a crash (1 s). */
const START = 4000;
/** A page back from the cache or a freeze holds what it tracks while it reads the store again: 1 s at most. */
const REREAD = 1000;
/** A roll call waits this long for a tab that crashed (src/session/tabs.ts `ROLL_CALL`). */
const ROLL_CALL = 1000;

/** What Stint may hold of the site's state in a stretch, and why it may differ from the truth. */
export interface May {
  background: boolean;
  foreground: boolean;
  late: boolean;
  ghost: boolean;
  sessionless: boolean;
  /** every page shown crashed after its show and before it recorded it (no write of the session between) */
  unrecorded: boolean;
}

export interface Timeline {
  /** the times at which the site's state changed (no page shown, or one shown), in order */
  flips: number[];
  /** the site's state in the ms after `at` (`at - 1`: the ms before it): true when no page is shown */
  background(at: number): boolean;
  /** the states Stint may hold for a stretch that began at `at`: the truth, and what a tab may hold besides it */
  may(at: number): May;
  /** each page's life: when it loaded, left, and came back (restored, resumed) */
  lives: Map<string, { loaded: number; left: number[]; back: number[] }>;
  /** whether `page` may have held an event it tracked at `at` (docs/sessions.md "Held calls keep their times") */
  held(page: string, at: number): boolean;
  /** the latest that `page` may have released an event it held from `at`: its grant, or its store's answer */
  released(page: string, at: number): number;
}

export function startTimeline(site: Site): Timeline {
  /** when each page was shown, each time: [from, to) */
  const shown: { page: string; from: number; to: number }[] = [];
  const open = new Map<string, number>();
  const lives: Timeline['lives'] = new Map();
  for (const s of site.seen) {
    const life = lives.get(s.page) || { loaded: s.at, left: [], back: [] };
    lives.set(s.page, life);
    if (s.how === 'leave') life.left.push(s.at);
    if (s.how === 'restore' || s.how === 'resume') life.back.push(s.at);
    const from = open.get(s.page);
    if (s.visible && from === undefined) open.set(s.page, s.at);
    if (!s.visible && from !== undefined) (shown.push({ page: s.page, from, to: s.at }), open.delete(s.page));
  }
  for (const [page, from] of open) shown.push({ page, from, to: Infinity });
  const showing = (at: number) => shown.filter((s) => s.from <= at && s.to > at);
  const background = (at: number) => !showing(at).length;
  const flips = [...new Set(site.seen.map((s) => s.at))].filter((t) => background(t - 1) !== background(t));
  flips.sort((a, b) => a - b);
  const { held, released, keeping } = holds(site, lives);
  const ghosts = ghostsOf(site);
  return {
    flips,
    background,
    lives,
    held,
    released,
    may(at) {
      const truth = background(at);
      // (a tab that had not heard the other pages' changes of the last HEARD ms held the state before them; one page's
      // own change at `at` alone is known to it, and it had heard the rest)
      const recent = site.seen.filter((s) => s.at > at - HEARD && s.at <= at);
      const alone = new Set(recent.map((s) => s.page)).size <= 1 && recent.every((s) => s.at === at);
      const late = !alone && [at - HEARD, ...recent.map((s) => s.at - 1)].some((t) => background(t) !== truth);
      const ghost = truth && ghosts.some((g) => g.at <= at && at < g.until);
      const sessionless = !truth && showing(at).every((s) => !keeping(s.page, at));
      const unrecorded = !truth && showing(at).every((s) => unrecordedShow(site, s.page, s.from));
      const either = { background: truth || late || sessionless || unrecorded, foreground: !truth || late || ghost };
      return { ...either, late, ghost, sessionless, unrecorded };
    },
  };
}

/**
 * When a page held what it tracked: before it heard a grant, while its storage could still be opening (its start, and
 * the roll call after a crash), while it read the store again after a restore or a resume. And whether it kept a
 * session at all: it had heard a grant, and no refusal since, and it did not crash before its storage could answer.
 */
function holds(site: Site, lives: Timeline['lives']) {
  /** the grant in force at `at` (the last decision the page heard by then), or else the next one it heard */
  const grant = (page: string, at: number) => {
    const heard = site.consent.get(page)?.heard ?? [];
    const now = heard.filter((d) => d.at <= at).pop();
    if (now?.state === 'granted') return { at: now.at, next: false };
    return { at: heard.find((d) => d.at > at && d.state === 'granted')?.at ?? Infinity, next: true };
  };
  const back = (page: string, at: number) => lives.get(page)!.back.filter((b) => b <= at).pop() ?? -Infinity;
  return {
    held: (page: string, at: number) => {
      const granted = grant(page, at);
      const life = lives.get(page)!;
      return granted.next || at - life.loaded < START || at - granted.at < START || at - back(page, at) < REREAD;
    },
    released: (page: string, at: number) =>
      Math.max(grant(page, at).at + START, lives.get(page)!.loaded + START, back(page, at) + REREAD, at),
    keeping: (page: string, at: number) => {
      const p = site.pages.get(page);
      if (p?.crashed && p.crashedAt !== null && p.crashedAt - lives.get(page)!.loaded < START) return false;
      return !grant(page, at).next;
    },
  };
}

/**
 * `page`, shown at `from`, crashed before it recorded that: no write of the session by it since (seed 13730: a frozen
 * page shown reads the store again before it records anything, and crashed 3 ms later, before IndexedDB answered; the
 * store kept the background, and the next page judged the gap by its timeout).
 */
function unrecordedShow(site: Site, page: string, from: number): boolean {
  const p = site.pages.get(page);
  if (!p?.crashed || p.crashedAt === null) return false;
  return !site.written.some((w) => w.page === page && w.at >= from && w.at <= p.crashedAt!);
}

/**
 * Pages that crashed while shown, and until when the site's sessions may count them shown. A page that crashed in the
 * task that hid it never recorded its hide: it counts as one that crashed shown.
 */
function ghostsOf(site: Site): { at: number; until: number }[] {
  const hiding = (s: Site['seen'][number], i: number) =>
    s.how === 'gone' &&
    !!site.pages.get(s.page)?.crashed &&
    site.seen.slice(0, i).some((h) => h.page === s.page && h.how === 'hide' && h.at === s.at);
  return site.seen
    .filter((s, i) => s.how === 'crash' || hiding(s, i))
    .map((s) => ({ at: s.at, until: Math.max(s.at + 1, ghostUntil(site.seen, s.page, s.at)) }));
}

/**
 * Until when a page that crashed while shown at `at` may still count as shown. The tabs that were running then heard
 * it: each counts it until it is hidden and its roll call ends (or it leaves, counting it still, or is gone). Then the
 * store holds what the last of them recorded, shown, until a page that does not count it records the background (it is
 * hidden or leaves). A page in the back/forward cache then, or one that starts later, never heard it. (At least the
 * stretch from the crash to the next activity: the store holds the state the crashed page last recorded.)
 */
function ghostUntil(seen: Site['seen'], crashed: string, at: number): number {
  const last = new Map<string, Site['seen'][number]>();
  for (const s of seen) if (s.at <= at && s.page !== crashed) last.set(s.page, s);
  const running = [...last].filter(([, s]) => !['leave', 'gone', 'crash'].includes(s.how));
  const knowing = new Set(running.map(([page]) => page));
  let forgot = at;
  let rollCall = false;
  for (const page of knowing) {
    const forgets = seen.find((l) => l.page === page && l.at >= at && ['hide', 'leave', 'gone'].includes(l.how));
    const when = !forgets ? Infinity : forgets.at + (forgets.how === 'hide' ? ROLL_CALL : 0);
    if (when >= forgot) (forgot = when), (rollCall = forgets?.how === 'hide');
  }
  // (the last to forget it by its roll call records the background itself)
  if (rollCall) return forgot + 1;
  const records = seen.find(
    (s) => s.at >= forgot && s.at > at && !knowing.has(s.page) && ['hide', 'leave'].includes(s.how),
  );
  return records ? records.at + 1 : Infinity;
}
