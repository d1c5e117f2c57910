/**
 * The session oracle: docs/sessions.md's rules as a reference model, written apart from src/ (it imports nothing of
 * Stint's but the type of an event as the collector reads it), checked against what arrived at the collector.
 *
 * What it replays: what the site did (timeline.ts: the events its pages tracked and when, whether any page of the site
 * was shown over time, each page's life and consent). What it says, of each device's sessions:
 *
 * - "the gap since the last activity is judged by the timeout of the state the site was in during the gap": two events
 *   of one session have no stretch between them, without activity, longer than the timeout of the site's state in it;
 * - each `session_start` after a device's first names the reason the rules give: the last activity of the session
 *   before it (what its `session_end` names) lies past the timeout of the site's state after it, which no change of
 *   that state broke, and the reason names that state; the `session_end` names the same reason, and its `duration_ms`
 *   is from the session's start to that last activity;
 * - a device's first session is `first` (`consent` after a refusal), index 1; no event lies before its session's start
 *   (unless it was held, and released later) or after the last activity its end names.
 *
 * Activity (docs/sessions.md: "the events tracked", and "a visibility change … starts a new gap") is, to the oracle,
 * every event tracked or arrived, every change of the site's state, and each page's start, exit and restore (its
 * lifecycle events): no less than Stint saw, so that a stretch the oracle finds too long was too long for Stint as
 * well. Where the docs let Stint judge otherwise, a tolerance (TOLERANCES) names the cause, and a run counts it.
 */
import type { WholeEvent } from '../../src/core/formats/envelope';
import type { Site } from './site';
import { JAR_LAG } from './storage';
import { HEARD, startTimeline, type May, type Timeline } from './timeline';

export interface Timeouts {
  foregroundTimeout: number;
  backgroundTimeout: number;
}

/** Where the docs let what arrived differ from the oracle's reading of the rules, each with its cause. */
export const TOLERANCES = {
  /** docs/sessions.md "Tabs": messages take ms, and the store is read again once its last read is over 20 ms old */
  heardLate: "the site's state changed, or its session moved on, within 25 ms: a tab may not have heard it yet",
  /** docs/sessions.md "Tabs": a tab that crashed is recognised by its silence at a roll call */
  ghost: 'a page crashed while shown: the tabs that knew it count it shown until a roll call finds it gone',
  /** docs/consent.md: a page that has not heard a grant (or heard a refusal) keeps no session; nor one killed first */
  sessionless: 'the site was shown only by pages that kept no session (no grant, or a crash before storage answered)',
  /**
   * docs/sessions.md "Tabs" (a cookie write reaches another tab after a lag): two tabs found the session over, each
   * before the other's write of the next reached the jar, and each made its copy of the next one's session_start (one
   * event id): the copy delivered first stands, which may be the later by up to the jar's lag
   */
  sameRollover: "the session_start that arrived is the later of two tabs' copies: an event may precede it by the jar's lag",
  /**
   * docs/sessions.md "IndexedDB is asynchronous": a page's last write of the session to IndexedDB was lost as it went,
   * and localStorage refused its mirror (or the page was killed): the next page judged the session by the last
   * activity and the site's state the store held (its end, the gap after it, the reason)
   */
  exitUnwritten: "a page's last write of the session (IndexedDB) was lost as it went: the next page judged by the store's",
  /**
   * a page shown crashed before it recorded its show (a page back from a freeze reads the store first): the store kept
   * the background
   */
  unrecordedShow: 'the only page shown crashed before it recorded its show: the store kept the background',
  /**
   * docs/sessions.md "The chain": a store that fails hands the session on to the next (here memory, localStorage out of
   * quota too), and keeps none: the pages after it begin anew, and a page that held the older one judges by its own
   */
  storeRefused: 'the disk refused a write of the session since its last activity: a page judged by what it held alone',
  /** docs/sessions.md "Held calls keep their times" */
  held: 'held for consent or storage, it was recorded in the session the store held when it was released',
} as const;
export type Tolerance = keyof typeof TOLERANCES;

export interface Judged {
  violations: { at: number; detail: string }[];
  excused: Partial<Record<Tolerance, number>>;
}

const NIL = '00000000-0000-0000-0000-000000000000';
const TIMEOUT_REASONS = ['foreground_timeout', 'background_timeout'];

/** One arrived event as the oracle reads it: its time, and its page where the site can tell. */
interface Ev {
  e: WholeEvent;
  at: number;
  page: string | null;
}

interface Session {
  id: string;
  events: Ev[];
  start: Ev | null;
  end: Ev | null;
}

interface Context {
  timeline: Timeline;
  /** the activity the oracle knows of, in order (`activityOf`) */
  activity: number[];
  timeouts: Timeouts;
  excuse(why: Tolerance): void;
  fail(at: number, detail: string): void;
  /**
   * whether a page that went had asked IndexedDB to write `index` of session `id`, no such write had landed by `at`,
   * and nothing else kept it (its mirror refused, or the page killed)
   */
  unwritten(id: string, index: number, at: number): boolean;
  /** when a page first wrote session `id` to the store (site.ts `written`) */
  firstWritten(id: string): number | undefined;
  /** each write of a session a page made (site.ts `written`) */
  written: Site['written'];
  /** when the visitor refused (site.ts `decisions`) */
  refused: number[];
  /** when the disk refused a write of the session to IndexedDB (idb.ts `refused`) */
  refusedSession: number[];
  /** when pages crashed (site.ts `deaths`) */
  crashes: number[];
  /** a page crashed at `at`, busy with a long task from within moments of `from` until then: it ran no task between */
  crashedBusy(from: number, at: number): boolean;
  /** a time as the flight recorder's log says it: ms since the site started */
  t(at: number): number;
}

/** Judges every session that arrived against the rules (check.ts calls it after the final drain). */
export function judgeSessions(site: Site, timeouts: Timeouts, unwritten: Context['unwritten']): Judged {
  const judged: Judged = { violations: [], excused: {} };
  const timeline = startTimeline(site);
  const origin = site.seen[0]?.at ?? 0;
  const c: Context = {
    timeline,
    activity: activityOf(site, timeline),
    timeouts,
    excuse: (why) => void (judged.excused[why] = (judged.excused[why] || 0) + 1),
    fail: (at, detail) => void judged.violations.push({ at, detail }),
    unwritten,
    firstWritten: (id) => site.written.find((w) => w.session === id)?.at,
    written: site.written,
    refused: site.decisions.filter((d) => d.state === 'denied').map((d) => d.at),
    refusedSession: site.idb.refused.filter((r) => r.store === 'session').map((r) => r.at),
    crashes: [...site.deaths.values()].filter((d) => d.why === 'crashed').map((d) => d.at),
    crashedBusy: (from, at) =>
      [...site.deaths].some(
        ([page, d]) =>
          d.why === 'crashed' && d.at === at && site.busy.some((b) => b.busy && b.page === page && b.from <= from + HEARD && b.until >= at),
      ),
    t: (at) => at - origin,
  };
  const devices = new Map<string, Map<string, Session>>();
  for (const { event } of site.net.arrivals) {
    const sessions = devices.get(event.session.userId) || new Map<string, Session>();
    devices.set(event.session.userId, sessions);
    const id = event.session.sessionId;
    const s = sessions.get(id) || { id, events: [], start: null, end: null };
    sessions.set(id, s);
    const at = Date.parse(event.timestamp);
    const ev = { e: event, at, page: site.tracked.get(event.eventId)?.page ?? pageOf(site, timeline, event, at) };
    if (event.name === 'session_start') s.start = ev;
    else if (event.name === 'session_end') s.end = ev;
    else s.events.push(ev);
  }
  for (const [device, sessions] of devices)
    for (const s of sessions.values()) {
      s.events.sort((a, b) => a.at - b.at || a.e.session.eventIndex - b.e.session.eventIndex);
      within(s, c);
      // (an anonymous session lives as long as its page, and names no session before it: judged within only)
      if (device !== NIL) boundary(s, sessions.get(s.start?.e.properties.previous_session_id as string) ?? null, c);
    }
  return judged;
}

const short = (id: string) => id.slice(0, 8);
const describe = (ev: Ev) => `${ev.e.name} (${short(ev.e.eventId)}, index ${ev.e.session.eventIndex})`;
/** Why Stint may have held another state than the truth (timeline.ts `may`). */
const cause = (may: May): Tolerance =>
  may.late ? 'heardLate' : may.ghost ? 'ghost' : may.unrecorded ? 'unrecordedShow' : 'sessionless';

/**
 * The activity the oracle knows of, in order: every event tracked or arrived, every change of the site's state (a page
 * hidden or shown that leaves it as it was is none), each page's start, exit and restore (its lifecycle events), and a
 * show or an exit its page crashed in.
 */
function activityOf(site: Site, timeline: Timeline): number[] {
  const times = new Set<number>(timeline.flips);
  for (const s of site.seen) if (s.how === 'load' || s.how === 'leave' || s.how === 'restore') times.add(s.at);
  // (a page that crashed in the task that showed it recorded the show, which the site's state no longer shows: seed
  // 18673, the store said shown from then on)
  for (const s of site.seen)
    if (s.how === 'crash' && site.seen.some((o) => o.page === s.page && o.how === 'show' && o.at === s.at)) times.add(s.at);
  // (and a page that crashed in its pagehide handler had begun its exit, which it may have recorded: seed 8151, its
  // exit's write landed, and the next page, 10.8 s later in the background, went on with the session)
  for (const [page, death] of site.deaths)
    if (death.why === 'crashed' && site.left.get(page)?.some((l) => l.at === death.at)) times.add(death.at);
  for (const t of site.tracked.values()) times.add(t.at);
  for (const { event } of site.net.arrivals)
    if (event.name !== 'session_start' && event.name !== 'session_end') times.add(Date.parse(event.timestamp));
  return [...times].sort((a, b) => a - b);
}

/**
 * `ev` precedes its session's start because the start that arrived is another tab's copy (one event id, the copy that
 * came first kept, the other judged sent): a page wrote the session before that copy was made, within the jar's lag,
 * and `ev` is no older than that write.
 */
function rolledBeside(c: Context, s: Session, ev: Ev): boolean {
  const written = c.firstWritten(s.id);
  return written !== undefined && ev.at >= written && s.start!.at - written <= JAR_LAG;
}

/**
 * Two tabs began `s` on their own, within the jar's lag of each other (docs/sessions.md "Concurrent rollover": one id,
 * derived from the ending session): each copy holds its own events, one may be released held calls at their own times
 * (seed 21871: a page restored into a pending consent, granted 2 minutes later, as a new tab rolled the same session
 * over), so a gap between the copies is no gap of either.
 */
function twoBegan(c: Context, s: Session): boolean {
  const written = c.firstWritten(s.id);
  if (written === undefined) return false;
  const tab = (page: string) => page.split('.')[0];
  const writer = c.written.find((w) => w.session === s.id)!.page;
  // (a page of another tab whose events in it were all still held as the first write was made)
  const copy = s.events.filter((ev) => ev.page !== null && tab(ev.page) !== tab(writer));
  return (
    copy.length > 0 &&
    copy.every((ev) => c.timeline.held(ev.page!, ev.at) && c.timeline.released(ev.page!, ev.at) >= written - JAR_LAG)
  );
}

/**
 * The events of one session, in time: none older than its start but one held and released later; no stretch between
 * two of them, without activity, past the timeout of the site's state in it (the session would have ended there); none
 * after the last activity its end names; its `duration_ms` from its start to that.
 */
function within(s: Session, c: Context): void {
  const { start, end } = s;
  const early = (ev: Ev) => !!start && ev.at < start.at;
  for (const ev of s.events.filter(early)) {
    const held = ev.page !== null && c.timeline.held(ev.page, ev.at);
    if (held && c.timeline.released(ev.page!, ev.at) >= start!.at) c.excuse('held');
    else if (rolledBeside(c, s, ev)) c.excuse('sameRollover');
    else c.fail(ev.at, `${describe(ev)} at ${c.t(ev.at)} in session ${short(s.id)}, started at ${c.t(start!.at)}`);
  }
  const chain = [...(start ? [start] : []), ...s.events.filter((ev) => !early(ev))];
  for (let i = 1; i < chain.length; i++) {
    const [x, y] = [chain[i - 1], chain[i]];
    const gap = longest(c, x.at, y.at);
    if (gap?.tolerated) c.excuse(gap.tolerated);
    else if (gap && unheld(c, s, gap)) c.excuse('exitUnwritten');
    else if (gap && twoBegan(c, s)) c.excuse('sameRollover');
    else if (gap)
      c.fail(
        y.at,
        `${describe(x)} and ${describe(y)} in one session ${short(s.id)}, but the site was in the ${gap.state} ` +
          `${c.t(gap.from)}..${c.t(gap.to)} (${gap.to - gap.from} ms, no activity): past its timeout`,
      );
  }
  const last = s.events[s.events.length - 1];
  if (end && last && last.at > end.at) {
    if (last.at - end.at <= HEARD) c.excuse('heardLate');
    else if (c.unwritten(s.id, last.e.session.eventIndex, Infinity)) c.excuse('exitUnwritten');
    // (held, and released after the end was made by a page that had not heard it: recorded at its own time in the
    // session the store held then, live at that time. Seed 14254: a page restored into a pending consent, granted later)
    else if (last.page !== null && c.timeline.held(last.page, last.at) && c.timeline.released(last.page, last.at) > end.at)
      c.excuse('held');
    else c.fail(last.at, `${describe(last)} at ${c.t(last.at)} in ${short(s.id)}, past its end at ${c.t(end.at)}`);
  }
  const duration = end?.e.properties.duration_ms;
  if (!end || !start || duration === end.at - start.at) return;
  // (the start that arrived is another page's copy, made as the ender released held calls that began the session at
  // their own time, earlier: seed 37074, a page restored into a pending consent, granted 113 s later)
  const first = s.events[0];
  // (or the start that arrived is the later of two tabs' copies, within the jar's lag, and the ender's store held the
  // earlier: seed 27487, two tabs began the session 1 ms apart, cookies blocked, and its duration counts from the first)
  const written = c.firstWritten(s.id);
  const earlier = written !== undefined && start.at - written <= JAR_LAG && duration === end.at - written;
  if (earlier || (first && first.at < start.at && first.page !== null && c.timeline.held(first.page, first.at) && duration === end.at - first.at))
    c.excuse('sameRollover');
  else c.fail(end.at, `session_end of ${short(s.id)}: duration_ms ${String(duration)}, not ${end.at - start.at}`);
}

/**
 * The first stretch in (from, to) without activity past the timeout of the site's state in it, if any; `tolerated`,
 * the cause when a tab may have held the other state, whose timeout it is within.
 */
function longest(c: Context, from: number, to: number) {
  const { activity, timeouts, timeline } = c;
  let i = lowerBound(activity, from);
  for (let a = from; a < to; i++) {
    const b = Math.min(activity[i] ?? to, to);
    if (b <= a) continue;
    const state = timeline.background(a) ? 'background' : 'foreground';
    if (b - a > (state === 'background' ? timeouts.backgroundTimeout : timeouts.foregroundTimeout)) {
      const may = timeline.may(a);
      const other = state === 'background' ? may.foreground : may.background;
      const within = b - a <= (state === 'background' ? timeouts.foregroundTimeout : timeouts.backgroundTimeout);
      return { state, from: a, to: b, tolerated: other && within ? cause(may) : null };
    }
    a = b;
  }
  return null;
}

/**
 * The change that began `gap` was recorded with a write of the session that was lost as its page went, and nothing
 * kept it by the gap's end (its mirror refused, or the page killed): the store kept the state before it, and the gap is
 * within that state's timeout (seed 5011: an exit's background lost with its write, the next page judged the gap by
 * the foreground's).
 */
function unheld(c: Context, s: Session, gap: { state: string; from: number; to: number }): boolean {
  const other = gap.state === 'background' ? c.timeouts.foregroundTimeout : c.timeouts.backgroundTimeout;
  return (
    gap.to - gap.from <= other &&
    c.written.some((w) => w.session === s.id && w.at === gap.from && c.unwritten(w.session, w.index, gap.to))
  );
}

/**
 * A session's start: the device's first (`first`, or `consent` after a refusal), index 1; or the one after `before`,
 * index + 1, for the reason the rules give: its last activity past the timeout of the site's state after it, which no
 * change of that state broke, and the same reason in its `session_end`.
 */
function boundary(s: Session, before: Session | null, c: Context): void {
  const start = s.start;
  if (!start) return;
  const { reason: named, previous_session_id: previous } = start.e.properties;
  const reason = String(named);
  const index = start.e.session.sessionIndex;
  const says = (what: string) => c.fail(start.at, `session ${short(s.id)} (${reason}, index ${index}): ${what}`);
  if (previous === null) {
    if (index !== 1 || !(reason === 'first' || (reason === 'consent' && c.refused.some((r) => r <= start.at))))
      says("the device's first session");
    return;
  }
  if (!TIMEOUT_REASONS.includes(reason)) return says('a reason the site never gives');
  if (!before) return;
  const { end } = before;
  if (end && end.e.properties.reason !== reason) says(`the end before it says ${String(end.e.properties.reason)}`);
  if (index !== (before.start ?? end ?? before.events[0]).e.session.sessionIndex + 1) says(`after ${short(before.id)}`);
  // (its last activity: what its end names, else no earlier than its last event that arrived)
  const last = end?.at ?? Math.max(...before.events.map((e) => e.at));
  const background = reason === 'background_timeout';
  const limit = background ? c.timeouts.backgroundTimeout : c.timeouts.foregroundTimeout;
  // (held, and released after another page ended the one before, which had not heard it: it begins the next at its own
  // time, within the ended one's life. Seed 37682: two pages pending for 92 s, the first to hear the grant left at once)
  const held = start.page !== null && c.timeline.held(start.page, start.at);
  if (start.at - last <= limit && held && end && c.timeline.released(start.page!, start.at) > end.at) return c.excuse('held');
  if (start.at - last <= limit) return says(`${start.at - last} ms after the last activity of ${short(before.id)}`);
  if (!end) return;
  // The site's state after the last activity: the one the reason names, and no change of it within the timeout.
  const state = background ? 'background' : 'foreground';
  const may = c.timeline.may(last);
  // (the disk refused a write of the session meanwhile: the page moved it to its memory, and the store kept none, so
  // the pages after it began anew, and a page that kept the older one judged by its own: seed 11537, a page back from
  // the cache judged by its exit, the background, while the pages after it in its tab had been shown)
  const dropped = c.refusedSession.some((at) => at > last && at <= start.at);
  if (!may[state] && dropped) return c.excuse('storeRefused');
  // (the change a crash made within moments, which no page recorded: the store held the state a page that left then
  // recorded. Seed 34795: a page restored as the one before it left, shown 3 ms, then crashed; the exit said background)
  // (or one busy with a long task from then until its crash, which ran no task to record anything: seed 34795, since
  // the channel's tail, a restored page busy 77 ms, as the page it came back from wrote its exit, the background)
  const crashed = c.timeline.flips.find(
    (f) => f > last && ((f <= last + HEARD && c.crashes.includes(f)) || c.crashedBusy(last, f)),
  );
  if (!may[state] && crashed !== undefined && c.timeline.background(crashed) === background) return c.excuse('ghost');
  if (!may[state]) says(`the site was not in the ${state} after the last activity at ${c.t(last)}`);
  else if (background !== c.timeline.background(last)) c.excuse(cause(may));
  const broken = c.timeline.flips.find((t) => t > last + HEARD && t <= last + limit);
  if (broken === undefined) return;
  // (a change that a page recorded with an event whose write of the session was lost as the page went, with its
  // mirror refused: the store never held it, and the end names the store's state. Seed 17742: the exit's)
  const lost = c.written.some((w) => w.session === before.id && w.at === broken && c.unwritten(w.session, w.index, start.at));
  if (c.timeline.may(broken)[state]) c.excuse(cause(c.timeline.may(broken)));
  else if (lost) c.excuse('exitUnwritten');
  else says(`the site left the ${state} at ${c.t(broken)}, within its timeout after ${c.t(last)}`);
}

/**
 * The page of an event Stint recorded of its own (a lifecycle event, a page view): one of the pages loaded at its URL
 * by then (a reload loads the same URL), the last; the one that left then, for an exit.
 */
function pageOf(site: Site, timeline: Timeline, event: WholeEvent, at: number): string | null {
  const url = event.context.page.url;
  const loaded = [...site.pages.values()].filter((p) => p.url === url && timeline.lives.get(p.id)!.loaded <= at);
  const left = event.name === 'application_exit' && loaded.find((p) => timeline.lives.get(p.id)!.left.includes(at));
  return (left || loaded[loaded.length - 1])?.id ?? null;
}

function lowerBound(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
