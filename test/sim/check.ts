/**
 * The invariants, checked after every task of the simulation and once more after a final drain. Each names what
 * docs/delivery.md, docs/sessions.md and docs/consent.md promise; a loss or a repeat the docs allow is let through only
 * by a carve-out with a predicate of its own (CARVE_OUTS), and counted, so that a run says how often each applied.
 * After the drain the session oracle (oracle.ts) judges every session that arrived, its tolerances counted likewise.
 */
import { retryable } from '../../src/core/send/batch';
import { LEAVE_WAIT, type Arrival, type Sent } from './net';
import { droppedCheck, final } from './check-dropped';
import { writeView } from './check-write';
import { judgeSessions, type Timeouts, type Tolerance } from './oracle';
import type { Flush, Site, Tracked } from './site';
import { JAR_LAG } from './storage';
import { SETTLE } from '../../src/shell/effects';

export interface Violation {
  rule: string;
  at: number;
  detail: string;
}

const NIL = '00000000-0000-0000-0000-000000000000';

/** An answer that gives a batch up (src/core/send/batch.ts: 404 and the other failures that may pass are sent again). */
const finalAnswer = final;

/** What docs/delivery.md does not promise ("What is not promised"), each as the case the simulator can tell. */
export const CARVE_OUTS = {
  /**
   * the page went while its outbox write of the event was unfinished, and its going lost the write (aborted it, or
   * WebKit dropped it as the page entered the cache it never left), or before the write was made: in the task that
   * tracked it, or before its storage and database had opened (its sender made no transaction since); and no request
   * carried it to a collector that worked (check-write.ts follows each write)
   */
  diedBeforeWrite:
    'its page went while its outbox write was unfinished and lost it, or before it was made (in its task, or storage closed)',
  /**
   * its outbox was memory (a write of its page had failed: the disk refused it, its database broke) and its page went
   * with it: sent and lost, or never sent, though not at a moment the page beacons what it holds (hidden, leaving or
   * frozen, online)
   */
  memoryOnly: 'its outbox was memory (anonymous, or a write failed), and its page went with it unsent, or sent and lost',
  /** tracked while its page was anonymous, and a grant its page heard before it was sent ended that life */
  grantedAway: 'tracked while its page was anonymous, and a grant the page heard before it was sent started a new life',
  /** losses given up after the last batch of their page's sender: the count lives in memory, and is never reported */
  unreported: "given up after its page's last batch: the dropped count lives in memory, and was never reported",
  /** a beacon or a request in flight at exit, taken by the browser while delivery was known to work, then lost */
  lostInFlight: 'a beacon, or a request in flight as its page left, taken while delivery was known to work, then lost',
  /** held in memory while consent was pending, and the page went before it heard a grant */
  heldNeverGranted: 'held while consent was pending, and its page never heard a grant (it went, or waits in the cache)',
  /** a refusal after it was tracked: it is erased, not sent */
  refused: 'consent was refused before it was delivered',
  /** the collector refused its batch (a 4xx): given up, counted in dropped */
  givenUp: 'its batch was refused by the collector (4xx): given up on, counted',
  /** sent again: beaconed while delivery was not known to work, kept in the outbox and sent once it works */
  beaconedWhileFailing: 'beaconed while delivery was not known to work: kept, and sent again once it works',
  /** sent again: it left by beacon (or in flight) while delivery worked, and a failure followed within 10 s */
  refuted: 'it left by beacon while delivery worked, and the next outcome soon after was a failure: sent again',
  /** beaconed by a tab that had not yet heard another tab's `sending` message for it (docs/delivery.md) */
  sendingRace: "beaconed by its tab in the moment before it heard another tab's sending message for it",
  /** sent again: its page was killed (a crash, a discard) before it recorded what it had sent */
  killed: 'its page was killed (a crash, a discard) before it recorded what it had sent: the outbox still held it',
  /** sent again: its first request's answer never came back to a page that could hear it (or came past 30 s) */
  answerUnheard: 'the answer to its first request never reached a page in time (or the page crashed): sent again',
  /** sent again by a tab whose claim of the send turn stalled (IndexedDB silent for 2 s): it sent without the turn */
  turnStalled:
    'its database stalled the claim of the send turn (2 s), or the read of the outbox (3 s): a tab sent what it held without it',
  /** sent again by a tab whose claim of the send turn the disk refused, or whose database could not be created */
  turnRefused:
    'the disk refused its claim of the send turn (QuotaExceededError), or the creation of its database: it sent without the turn',
  /** two tabs tracked within the same few milliseconds (under 50 ms apart): two events may share an index */
  sameMoment: 'two tabs tracked within 50 ms of each other: their events may share an eventIndex',
  /** another tab's cookie write of the count was on its way to the jar (a lag between processes) when a tab counted */
  cookieLag:
    "another tab's cookie write of that count had not reached the jar 50 ms before this tab counted: it could not see it",
  /** cookies blocked and the writer's mirror refused: the count went by message alone, and a message came late */
  heardAlone:
    "cookies blocked and localStorage refused the writer's mirror: its count went by message alone, and the other tab heard one late",
  /** the same of the session's mirror in localStorage, where cookies are blocked */
  mirrorLag:
    "another tab's write of that count to the session's mirror (cookies blocked) had not reached localStorage 50 ms before this tab counted",
  /** a lower count landed in the jar over the tab's, which was gone before it could read the store again */
  cookieOverwritten:
    "a lower count of another tab landed in the jar over the count, and every page that wrote it went before its read again (500 ms)",
  /** sent by two tabs: each rolled the session over before the other's write of the next one reached its store */
  sameRollover:
    "two tabs found the session over, each before the other's write of the next reached the jar: both sent its derived session_end and session_start",
  /** sent again: a leaving page's record of what it sent had not reached the tab that read the outbox */
  recordLag:
    "a leaving page's record of what it sent (localStorage) had not yet reached the tab that read it from the outbox, and sent it",
  /** sent again: another tab, its copy of localStorage not yet showing a leaving page's record, wrote over it */
  recordErased:
    "a leaving page's record of what it sent was written over by a tab whose copy of localStorage did not show it yet",
  /** two sessions numbered alike: two tabs began the next session at once, from the ending one as each saw it */
  splitRollover:
    "a tab began the next session before another tab's cookie write of the one it had begun reached the jar: two sessions",
  /** sent again: localStorage refused (QuotaExceededError) a record of what was sent (marks, a hand-over) */
  marksRefused:
    'localStorage refused (its quota full) a record of what was sent, as it left or was judged: a page sent it again',
  /** the session in IndexedDB: a page killed before its write of the count landed, which the next page counts from */
  killedUnwritten: 'a page was killed (a crash, a discard) before its IndexedDB write of the session landed',
  /** a page crashed in the task that took the index (its pagehide handler, after its beacon), before the task's save */
  crashedUnsaved: 'a page crashed in the task that took the index, after sending it and before that task saved the count',
  /** the tab could learn the count neither from the store (its own write on its way, or none) nor by message (late) */
  unshown:
    "the tab's messages came late, and the store did not show it the count: its own cookie write on its way hid the other's, or the writer's IndexedDB write was refused and no mirror kept",
  /** a page that stood in for a stalled IndexedDB (3 s) was killed before any store held its count */
  standInKilled:
    'a page that went on without its stalled IndexedDB (3 s), its mirror refused, was killed before any store held its count',
  /** the session in IndexedDB: a page went before its write of the count landed, and localStorage refused its mirror */
  mirrorRefused:
    'a page went before its IndexedDB write of the session landed, and localStorage had refused the mirror behind it (its quota full)',
} as const;
export type CarveOut = keyof typeof CARVE_OUTS;

export interface Checks {
  /** after each task: what arrived since */
  step(): void;
  /** between two actions: what the device holds, by the visitor's decisions */
  storage(): void;
  flushed(flush: Flush): void;
  /** after the final drain */
  final(): void;
  violations: Violation[];
  /** how often each carve-out let a loss through, and each of the session oracle's tolerances applied */
  excused: Partial<Record<CarveOut | Tolerance, number>>;
}

/** `anonymous`: a refusal makes pages anonymous (onDenied), which share nothing with the site's other pages. */
export function startChecks(site: Site, timeouts: Timeouts, anonymous = false): Checks {
  const { net } = site;
  const violations: Violation[] = [];
  const excused: Checks['excused'] = {};
  const fail = (rule: string, detail: string) => {
    violations.push({ rule, at: site.loop.now(), detail });
    site.log(`VIOLATION ${rule}: ${detail}`);
  };
  /**
   * Two sessions with one number: each begun by a page of its own tab, the later before the other's first write of its
   * session reached the jar: it could not see that the other had begun one (docs/sessions.md, "Concurrent rollover":
   * from the ending session as each saw it, one after recording held events in it). Not two tabs in one moment: with
   * the jar showing each write at once they begin the same session (mutant 'held calls move the activity back').
   */
  const splits = new Set<string>();
  const split = (a: string, b: string) => {
    const [x, y] = [a, b].map((s) => site.written.find((w) => w.session === s)).sort((p, q) => (p?.at ?? 0) - (q?.at ?? 0));
    if (!x || !y || x.page.split('.')[0] === y.page.split('.')[0]) return false;
    const landed = x.idb ? x.at : (site.jarred.find((l) => l.session === x.session)?.at ?? Infinity);
    return y.at < landed;
  };
  /** A write of the session's count that holds `index` of `session`: that count or past it, or a session after it. */
  const counts = (w: { session: string; index: number; prev: string | null }, session: string, index: number) =>
    (w.session === session && w.index >= index) || w.prev === session;
  /**
   * Two pages recorded `index` of `session` within 50 ms of each other, each on its own (held events keep their own
   * times, so the moment that counts is when each page wrote that count). A write of an earlier session does not count
   * (seed 47765: a granted tab wrote the session it had held, then rolled over and took 3 38 ms later; another tab's held
   * calls, busy 68 ms and the jar 37 ms late, took 3 again 30 ms after that, not 68 ms after the first tab's write).
   */
  const together = (session: string, index: number) => {
    const past = site.written.filter((w) => counts(w, session, index));
    if (!past.length) return false;
    const prev = new Map(site.written.filter((w) => w.prev).map((w) => [w.session, w.prev]));
    const earlier = new Set<string>();
    for (let s = prev.get(session); s && !earlier.has(s); s = prev.get(s)) earlier.add(s);
    // (a page that recorded it and went on to the next session in the same task, or the one after, wrote only that one)
    const from = past[0].at - 50;
    const first = new Map<string, number>();
    for (const w of site.written)
      if ((w.session === session ? w.index >= index : w.at >= from && !earlier.has(w.session)) && !first.has(w.page))
        first.set(w.page, w.at);
    const times = [...first.values()].sort((a, b) => a - b);
    return times.some((t, i) => i > 0 && t - times[i - 1] < 50);
  };
  /** `${sessionId}:${eventIndex}` -> the arrival of the event that took it */
  const indices = new Map<string, Arrival>();
  /**
   * The page that sent `a` crashed in the task that took its index, before that task's end saved the count (a crash in
   * its pagehide handler, after the beacon: seed 5680, the session in IndexedDB alone, cookies blocked and the mirror
   * refused): no write of that count was asked, and the next page counted from the store's older one.
   */
  const crashedUnsaved = (a: Arrival) => {
    const { session, timestamp } = a.event;
    const sender = net.requests[a.request - 1].page;
    const page = site.pages.get(sender);
    return (
      !!page?.crashed &&
      page.crashedAt === Date.parse(timestamp) &&
      !site.written.some((w) => w.page === sender && w.session === session.sessionId && w.index >= session.eventIndex)
    );
  };
  /** `${userId}:${sessionIndex}` -> sessionId */
  const sessions = new Map<string, string>();
  const killed = (id: string) => !!(site.pages.get(id)?.crashed || site.pages.get(id)?.discarded);
  /** the session's count as IndexedDB holds it, by when each write of it landed */
  const landed: { at: number; session: string; index: number }[] = [];
  /**
   * A page killed (a crash, a discard) had asked IndexedDB to write `index` of `session`, and no write of it had landed
   * by `at`: the next page counted from the store's older count (docs/sessions.md, "IndexedDB is asynchronous").
   */
  const killedUnwritten = (session: string, index: number, at: number) =>
    site.written.some((w) => w.idb && w.session === session && w.index >= index && killed(w.page)) &&
    !landed.some((l) => l.session === session && l.index >= index && l.at <= at);
  /**
   * A page wrote a cookie of `session` at `index` or past it more than 50 ms before `at`, and the jar held none until
   * less than 50 ms before `at`: it was on its way (storage.ts), and no other tab could read it (docs/sessions.md: "once
   * the browser shows each tab the other's cookie write").
   */
  const jarLag = (session: string, index: number, at: number) =>
    site.written.some((w) => !w.idb && counts(w, session, index) && w.at <= at - 50) &&
    !site.jarred.some((l) => counts(l, session, index) && l.at <= at - 50);
  /**
   * Where cookies are blocked, the same of the mirror (docs/sessions.md: read before an input as the cookie is): a page
   * wrote `index` of `session` 50 ms or more before the other page took it (`at`: that page's first write of it), and
   * no write that counts it had landed in the mirror (nor the jar) 50 ms before; that page had not heard it by message
   * either (a late one: seed 3394, a tab busy with a long task 77 ms took its held calls' indexes from IndexedDB's older
   * answer, as another tab's mirror writes waited 200 ms on their way).
   */
  const mirrorLag = (session: string, index: number, at: number) =>
    site.written.some(
      (w) =>
        counts(w, session, index) &&
        w.at <= at - 50 &&
        // (on its way: its tab's write of it landed, later; a page that wrote no mirror would pass for a lag)
        site.mirrored.some((l) => l.tab === w.page.slice(0, w.page.indexOf('.')) && counts(l, session, index)),
    ) &&
    ![...site.mirrored, ...site.jarred].some((l) => counts(l, session, index) && l.at <= at - 50);
  /** The second page to take `index` of `session`, and when: its first write of a count that holds it. */
  const tookAgain = (session: string, index: number) => {
    const first = new Map<string, number>();
    for (const w of site.written) if (counts(w, session, index) && !first.has(w.page)) first.set(w.page, w.at);
    const [, second] = [...first].sort((a, b) => a[1] - b[1]);
    return second ? { page: second[0], at: second[1] } : { page: '', at: -Infinity };
  };
  /**
   * Where cookies are blocked and localStorage refused the mirror of the page that wrote `index` of `session` 50 ms or
   * more before the other took it: the count could reach the other tabs by message alone, and the one that took it
   * again heard a message late meanwhile (busy with a long task, or the browser's processes busy: seed 6820, localStorage
   * full, a tab busy 638 ms). docs/sessions.md says so.
   */
  const heardAlone = (session: string, index: number) => {
    const taker = tookAgain(session, index);
    return site.written.some(
      (w) =>
        counts(w, session, index) &&
        w.at <= taker.at - 50 &&
        // (that write of the mirror refused: a page that gave the mirror up would pass for one refused)
        site.refusals.some((r) => r.page === w.page && r.key === 'stint:mirror' && r.at === w.at) &&
        site.busy.some((b) => b.page === taker.page && b.from <= taker.at && b.until >= w.at),
    );
  };
  /**
   * The jar held `index` of `session` (a cookie write that counts it landed), then a lower count of it landed over it by
   * `at` (another tab's write, on its way as the first was made: storage.ts), and every page that had written that
   * count by then was gone, crashed, discarded or with its tab, before `SETTLE` had passed since: the read again that
   * writes back what the store lacks (shell/signals.ts) never came (seed 6947: the tab that wrote 67 crashed 45 ms
   * after a closing tab's 59 landed over it).
   */
  const overwritten = (session: string, index: number, at: number) => {
    const over = site.jarred.filter((l) => l.session === session && l.at < at).pop();
    if (!over || counts(over, session, index)) return false;
    if (!site.jarred.some((l) => counts(l, session, index) && l.at <= over.at)) return false;
    const writers = new Set(site.written.filter((w) => !w.idb && counts(w, session, index) && w.at <= over.at).map((w) => w.page));
    const tab = (page: string) => page.slice(0, page.indexOf('.') + 1);
    const last = (page: string) => ![...site.pages.keys()].some((p) => p > page && tab(p) === tab(page) && site.pages.get(p)!.url);
    const gone = (page: string) => {
      const death = site.deaths.get(page);
      return !!death && death.at < over.at + SETTLE && (death.why !== 'left' || last(page));
    };
    return writers.size > 0 && [...writers].every(gone);
  };
  /**
   * A page that went had asked IndexedDB to write `index` of `session`, no write of it had landed by `at`, and
   * localStorage had refused that page's mirror (a keeper gives a failed mirror up): nothing kept the later count
   * (docs/sessions.md, "IndexedDB is asynchronous").
   */
  const mirrorRefused = (session: string, index: number, at: number) =>
    site.written.some(
      (w) =>
        w.idb && w.session === session && w.index >= index && site.pages.get(w.page)?.state === 'gone' &&
        site.refusals.some((r) => r.page === w.page && r.key === 'stint:mirror' && r.at <= w.at),
    ) && !landed.some((l) => l.session === session && l.index >= index && l.at <= at);
  /** The page that took an arrival's index, and when (held events keep their own times). */
  const taker = (a: Arrival) => ({
    page: site.tracked.get(a.event.eventId)?.page ?? writes.writerOf(a.event.eventId)?.page ?? net.requests[a.request - 1].page,
    at: Date.parse(a.event.timestamp),
  });
  /** A store another tab reads at once (the jar, the mirror) held `index` of `session` by `at`. */
  const shown = (session: string, index: number, at: number) =>
    [...site.mirrored, ...site.jarred].some((l) => counts(l, session, index) && l.at <= at);
  /**
   * Two tabs took `index` 50 ms or more apart, and the later (`y`) could learn the earlier's count (`x`) neither by
   * message (its messages came late: busy with a long task, or the browser's processes busy, from before x took it to
   * after it took it again) nor from the store: its own cookie write on its way hid the other's (storage.ts `masked`;
   * seeds 10662 and 11929: a tab busy 88 ms), or the writer's IndexedDB write of the session was refused (the disk full)
   * where no mirror is kept (localStorage blocked with cookies), and its count lived in memory (keeper.ts; seed 21317).
   * docs/sessions.md says so.
   */
  const unshown = (a: Arrival, b: Arrival, session: string, index: number) => {
    const [x, y] = [taker(a), taker(b)].sort((p, q) => p.at - q.at);
    if (y.at - x.at < 50) return false;
    const tab = (page: string) => page.slice(0, page.indexOf('.'));
    const late = site.busy.some((s) => s.page === y.page && s.from <= x.at && s.until >= y.at);
    const hidden = site.masked.some((m) => m.tab === tab(y.page) && m.at >= x.at && m.at <= y.at);
    const memory =
      site.idb.transactions.some(
        (tx) => tx.page === x.page && tx.cause === 'quota' && tx.puts.some((p) => p.store === 'session') && tx.end! <= x.at,
      ) && !shown(session, index, y.at - 50);
    return late && (hidden || memory);
  };
  /**
   * The page that took `index` first stood in for its stalled IndexedDB (a read of the session 2 s or more late: open.ts
   * goes on at 3 s from the mirror and the tab's hand-over), localStorage refused its mirror, and it was killed (a crash,
   * a discard) before its IndexedDB answered: no store ever held its count, and the next page counted from the older
   * (seed 5050: a page busy 6 s crashed; its outbox write landed, as the browser finished it alone). docs/sessions.md.
   */
  const standInKilled = (a: Arrival, b: Arrival, session: string, index: number) => {
    const [x, y] = [taker(a), taker(b)].sort((p, q) => p.at - q.at);
    const death = site.deaths.get(x.page);
    return (
      killed(x.page) &&
      site.idb.slow.some((s) => s.page === x.page && s.store === 'session' && s.at <= x.at && s.end >= (death?.at ?? 0)) &&
      site.refusals.some((r) => r.page === x.page && r.key === 'stint:mirror') &&
      !landed.some((l) => l.session === session && l.index >= index && l.at <= y.at) &&
      !shown(session, index, y.at)
    );
  };
  /** ids ever written to the outbox (a write that landed) */
  const stored = new Set<string>();
  let done = 0;
  /** each event's outbox write, and what the outbox held of it when (check-write.ts) */
  const writes = writeView(site);

  site.onCommit = (db, store, key, value) => {
    writes.commit(db, store, key, value);
    const state = store === 'session' && typeof value === 'string' && /^\d\.\{/.test(value) ? JSON.parse(value.slice(2)) : null;
    if (state?.s) landed.push({ at: site.loop.now(), session: state.s, index: state.e });
    if (db !== 'stint' || store !== 'outbox' || !value) return;
    try {
      for (const entry of JSON.parse((value as { list: string }).list)) stored.add(entry.id);
    } catch {
      // (not a chunk Stint wrote)
    }
  };

  const arrive = (arrival: Arrival) => {
    const { event } = arrival;
    const { session } = event;
    const key = `${session.sessionId}:${session.eventIndex}`;
    const first = indices.get(key);
    const other = first?.event;
    if (other && other.eventId !== event.eventId) {
      // docs/sessions.md: two tabs that track within the same few milliseconds (under 50 ms apart) can give two events
      // one index; pages of one tab (a back/forward visit) never do
      const apart = Math.abs(Date.parse(other.timestamp) - Date.parse(event.timestamp));
      if (other.context.tabId !== event.context.tabId && (apart < 50 || together(session.sessionId, session.eventIndex)))
        excused.sameMoment = (excused.sameMoment || 0) + 1;
      else if (killedUnwritten(session.sessionId, session.eventIndex, Math.max(Date.parse(other.timestamp), Date.parse(event.timestamp))))
        excused.killedUnwritten = (excused.killedUnwritten || 0) + 1;
      else if (crashedUnsaved(first!) || crashedUnsaved(arrival))
        excused.crashedUnsaved = (excused.crashedUnsaved || 0) + 1;
      else if (mirrorRefused(session.sessionId, session.eventIndex, Math.max(Date.parse(other.timestamp), Date.parse(event.timestamp))))
        excused.mirrorRefused = (excused.mirrorRefused || 0) + 1;
      else if (other.context.tabId !== event.context.tabId && overwritten(session.sessionId, session.eventIndex, Math.max(Date.parse(other.timestamp), Date.parse(event.timestamp))))
        excused.cookieOverwritten = (excused.cookieOverwritten || 0) + 1;
      else if (other.context.tabId !== event.context.tabId && jarLag(session.sessionId, session.eventIndex, Math.max(Date.parse(other.timestamp), Date.parse(event.timestamp))))
        excused.cookieLag = (excused.cookieLag || 0) + 1;
      else if (other.context.tabId !== event.context.tabId && mirrorLag(session.sessionId, session.eventIndex, tookAgain(session.sessionId, session.eventIndex).at))
        excused.mirrorLag = (excused.mirrorLag || 0) + 1;
      else if (other.context.tabId !== event.context.tabId && heardAlone(session.sessionId, session.eventIndex))
        excused.heardAlone = (excused.heardAlone || 0) + 1;
      else if (other.context.tabId !== event.context.tabId && unshown(first!, arrival, session.sessionId, session.eventIndex))
        excused.unshown = (excused.unshown || 0) + 1;
      else if (standInKilled(first!, arrival, session.sessionId, session.eventIndex))
        excused.standInKilled = (excused.standInKilled || 0) + 1;
      else
        fail('eventIndex once', `session ${session.sessionId.slice(0, 8)} eventIndex ${session.eventIndex}: ${other.name} (${other.context.tabId}) and ${event.name} (${event.context.tabId}), ${apart} ms apart`);
    }
    if (!first) indices.set(key, arrival);
    if (session.userId !== NIL) {
      const k = `${session.userId}:${session.sessionIndex}`;
      const known = sessions.get(k);
      if (known && known !== session.sessionId && split(known, session.sessionId)) {
        if (!splits.has(`${known} ${session.sessionId}`)) excused.splitRollover = (excused.splitRollover || 0) + 1;
        splits.add(`${known} ${session.sessionId}`).add(`${session.sessionId} ${known}`);
      } else if (known && known !== session.sessionId)
        fail('one live session', `device ${session.userId.slice(0, 8)} session ${session.sessionIndex}: ${known.slice(0, 8)} and ${session.sessionId.slice(0, 8)}`);
      sessions.set(k, session.sessionId);
    }
    if (session.eventIndex === 2 && /^application_(background|exit)$/.test(event.name))
      fail('no session opened by leaving', `session ${session.sessionId.slice(0, 8)} was opened by ${event.name}`);
  };

  /**
   * Delivery was known to work at `at` (docs/delivery.md, core/send/send.ts `works`): the browser online, and the last
   * outcome the site's pages learned before it a 2xx, at most five minutes old.
   */
  const worked = (at: number, order: number, page: string) => {
    const online = [...net.onLines].reverse().find((o) => o.at <= at);
    const last = known(order, page, at);
    return !!online?.on && !!last?.ok && at - last.at <= 5 * 60_000;
  };
  /**
   * The last delivery outcome `page` knew before `order`: its own, or the site's as its tab's copy of localStorage held
   * it then (a share refused for quota reached nobody, one on its way had not yet reached the tab; a withdrawal erased
   * it), whichever came later.
   */
  const known = (order: number, page: string, at: number) => {
    const own = [...net.outcomes].reverse().find((o) => o.order < order && o.page === page && recorded(o));
    // (an anonymous page stores nothing, so it knows only its own outcomes, and shares none; not once granted again:
    // seed 16409, a page refused then granted read the site's failure, and its request in flight was sent again)
    if (anonymousAt(page, at)) return own;
    const tab = page.slice(0, page.indexOf('.'));
    const value = [...site.outcomeCopies].reverse().find((s) => s.tab === tab && s.order < order)?.value;
    const [ok, when] = (value || '').split(' ');
    const shared = [...net.outcomes]
      .reverse()
      .find((o) => o.order < order && o.at === Number(when) && o.ok === (ok === '1') && !anonymousAt(o.page, o.at) && recorded(o));
    return shared && (!own || shared.order > own.order) ? shared : own;
  };
  /**
   * `page` was anonymous at `at` (refused, onDenied 'anonymous', not granted again since): by the last decision it
   * heard, not its first of each (seeds 12753 and 19665: a page loaded granted heard the site's refusal at once, then a
   * grant; taken as anonymous for good, its beacon's verdict was judged by its own outcomes alone, and the site's
   * failure that refuted it, which sent it again, was none)
   */
  const anonymousAt = (page: string, at: number) => {
    const heard = site.consent.get(page)?.heard.filter((h) => h.at <= at && /^(granted|denied)$/.test(h.state));
    return anonymous && heard?.at(-1)?.state === 'denied';
  };
  /** When the page of a fetch left or froze while it was in flight (its first such moment), or null. */
  const leftDuring = (r: Sent) =>
    (site.left.get(r.page) || []).find(
      // (still awaited: not answered yet, and not given up on, 30 s after it left: transport.ts)
      // (a network error is taken 250 ms after it came: until then the request is in flight to its page, transport.ts)
      (l) => l.order > r.order && (r.answeredAt === undefined || r.answeredAt + (r.heard === 'failure' ? LEAVE_WAIT : 0) > l.at) && l.at < r.at + 30_000,
    ) ?? null;
  /** A fetch still in flight when its page left or froze, while delivery was known to work. */
  const inFlightAtExit = (r: Sent) => {
    const left = leftDuring(r);
    return left !== null && worked(left.at, left.order, r.page);
  };
  /**
   * An outcome a page learned and lived to record: not in the task it crashed in (nor, for a network error it takes
   * 250 ms later in a timer's task, in the moment it crashed), unless it had shared it before it crashed.
   */
  const recorded = (o: (typeof net.outcomes)[number]) => {
    const page = site.pages.get(o.page);
    if (!page?.crashed) return true;
    if (site.shares.some((s) => s.page === o.page && s.key === 'stint:outcome' && s.at === o.at && s.task >= o.task!)) return true;
    return page.crashedTask !== o.task && !(o.taken && page.crashedAt === o.at);
  };
  /**
   * The verdict on what left at `at` (core/send/verdict.ts): the first delivery outcome the site's pages learned after it
   * was a failure, within ten seconds: what left then is sent again. An anonymous `page` judges by its own outcomes
   * alone, as it knows no other (`known`; seed 20411: another tab's 2xx came first, then its own failure refuted it).
   */
  const refuted = ({ at, order }: { at: number; order: number }, page: string) => {
    const alone = anonymousAt(page, at);
    const next = net.outcomes.find((o) => o.order > order && recorded(o) && (!alone || o.page === page));
    return !!next && !next.ok && next.at - at <= 10_000;
  };
  /**
   * A request that carried the event and was lost: a beacon, or one in flight when its page left, while delivery was
   * known to work, and the site's next outcome did not say otherwise (docs/delivery.md: the collector failed in that
   * instant, and was back by the next request).
   */
  const excusedLoss = (r: Sent) => {
    const left = r.kind === 'beacon' ? r : leftDuring(r);
    return left !== null && (r.kind === 'beacon' ? worked(r.at, r.order, r.page) : inFlightAtExit(r)) && !refuted(left, r.page);
  };

  /**
   * A keepalive fetch of Stint's own (not a leaving page's fallback for a beacon refused in that task) that the 64 KiB
   * in flight refused: to Stint a network error like any other, taken 250 ms after it came (transport.ts), so in flight
   * to a page that left or froze before, while delivery was known to work, and lost unless the site's next outcome
   * said otherwise (docs/delivery.md `lostInFlight`; seed 33566: a post refused behind the page's beacons, 35 ms
   * before a reload).
   */
  const refusedInFlight = (t: Tracked) =>
    net.overQuota.some((q) => {
      if (!q.fetch?.ids.includes(t.id)) return false;
      if (net.overQuota.some((b) => !b.fetch && b.page === q.page && b.task === q.task)) return false;
      const heard = q.fetch.heard;
      const left = (site.left.get(q.page) || []).find(
        (l) => l.order > q.fetch!.order && (heard === undefined || heard + LEAVE_WAIT > l.at) && l.at < q.at + 30_000,
      );
      return !!left && worked(left.at, left.order, q.page) && !refuted(left, q.page);
    });

  /** The first request of the drain `r` belongs to: its page's requests each made as the one before was answered. */
  const drainOf = (r: Sent) => {
    let first = r;
    for (let i = 0; i < net.requests.length; i++) {
      const prev = net.requests.find((p) => p.page === r.page && p.kind === 'fetch' && p.n < first.n && p.answeredAt === first.at);
      if (!prev) return first;
      first = prev;
    }
    return first;
  };
  /**
   * Sent in the drain that went without the turn, or without the outbox's marks: its page's claim of the send turn had
   * no answer from IndexedDB in 2 s (its open or its transaction stalled), or its read of the outbox none in 3 s
   * (delivery/turn.ts, outbox.ts), and `r` is of a drain whose claim could have waited on it for 2 s: the stall lasted
   * 2 s after its page's previous request was answered and before the drain's first request (not any request within a
   * minute of it); or a beacon sent while it stalled.
   */
  const stalledDrain = (r: Sent) => {
    const start = r.kind === 'fetch' ? drainOf(r) : r;
    // (the drain's claim was asked after its page's previous request was answered: seed 35373, a claim queued behind a
    // stalled open is recorded from the open's ask, 10 s before the drain it began)
    const prev = [...net.requests].reverse().find((p) => p.page === r.page && p.kind === 'fetch' && p.n < start.n);
    const asked = prev ? (prev.answeredAt ?? prev.at) : -Infinity;
    return site.idb.slow.some(
      (s) =>
        (s.store === 'turn' || s.store === 'open' || s.store === 'outbox') &&
        s.page === r.page &&
        s.at <= start.at &&
        (r.kind === 'beacon' ? r.at <= s.end : Math.max(s.at, asked) + 2000 <= Math.min(start.at, s.end)),
    );
  };
  /** Its page's first drain that began at or after `at`. */
  const firstDrain = (page: string, at: number) =>
    net.requests.find((f) => f.page === page && f.kind === 'fetch' && f.at >= at && drainOf(f) === f);
  /**
   * Sent without the turn as the disk refused it: its page's database could not be created (it claims nothing for its
   * life), or its claim of the turn was refused and `r` is of the drain that claim began (delivery/turn.ts). Not a
   * write of the outbox the disk refused: the tab keeps sending in its turn (docs/delivery.md).
   */
  const refusedDrain = (r: Sent) => {
    const start = r.kind === 'fetch' ? drainOf(r) : r;
    return site.idb.refused.some(
      (s) =>
        s.page === r.page &&
        s.at <= start.at &&
        (s.store === 'open' || (s.store === 'turn' && r.kind === 'fetch' && firstDrain(r.page, s.at) === start)),
    );
  };
  /**
   * The doubt a later copy `r` may have of its own: sent without the turn; or a beacon, which the outbox keeps while
   * delivery is not known to work, or which raced another tab's request of it (`twice`: sendingRace, beaconedWhileFailing).
   */
  const ownDoubt = (r: Sent, id: string): CarveOut | null =>
    stalledDrain(r) ? 'turnStalled' : refusedDrain(r) ? 'turnRefused' : r.kind === 'beacon' ? twice(r, id) : null;
  /**
   * Its page was killed (a crash, a discard) after it sent `c` and before it recorded what it had sent: before it heard
   * the answer, or before its removal of the event `id` from the outbox committed (not any time after).
   */
  const killedUnrecorded = (c: Sent, id: string) => {
    const page = site.pages.get(c.page)!;
    const death = site.deaths.get(c.page);
    if (!(page.crashed || page.discarded) || !death || death.at < c.at) return false;
    // (a beacon's fate is recorded in the task that sent it: kept in the outbox, or handed over awaiting its verdict,
    // core/send/send.ts; only a crash in that task comes first)
    if (c.kind === 'beacon') return page.crashed && death.at === c.at;
    if (c.heard !== 'answer' || c.ignored || c.answeredAt! >= death.at) return true;
    const chunks = writes.chunksOf(id);
    const removal = writes.removalOf(c.page, c.answeredAt!, chunks);
    return !!removal && removal.made <= c.answeredAt! && (removal.fate !== 'committed' || removal.end! > death.at);
  };

  /** Why the event `id` sent in `first` (which the collector took) may have been sent again, if the docs allow it. */
  const twice = (first: Sent, id: string): CarveOut | null => {
    if (stalledDrain(first)) return 'turnStalled';
    if (refusedDrain(first)) return 'turnRefused';
    if (killedUnrecorded(first, id)) return 'killed';
    // (another tab told this page it sends it, and the page beaconed it before hearing so: docs/delivery.md)
    const race = site.sending.some(
      (m) => m.from !== first.page && m.order < first.order && m.ids.some((id) => first.ids.includes(id)) && !((m.heard.get(first.page) ?? Infinity) < first.order),
    );
    if (first.kind === 'beacon' && race) return 'sendingRace';
    if (first.kind === 'beacon')
      return !worked(first.at, first.order, first.page) ? 'beaconedWhileFailing' : refuted(first, first.page) ? 'refuted' : null;
    // (its answer never reached a page that could hear it, or came after the 30 s Stint waits: transport.ts)
    const late = first.answeredAt !== undefined && first.answeredAt - first.at >= 30_000;

    // (or it was in flight as its page left or froze, delivery not known to work: a restored page gives up on it,
    // since WebKit never settles it: transport.ts `abandonReplies`)
    const left = leftDuring(first);
    if (first.heard !== 'answer' || late || left !== null)
      return !inFlightAtExit(first) ? 'answerUnheard' : refuted(left!, first.page) ? 'refuted' : null;
    return null;
  };

  /**
   * Two pages rolled the session over on their own (docs/sessions.md, "Concurrent rollover": the next session, its
   * session_end and session_start have ids derived from the ending one, so the collector keeps one of each): the second
   * tab began the next session within 50 ms of the first, or before the jar held the first's cookie write of it.
   */
  const rolledTwice = ({ event }: (typeof net.arrivals)[number]) => {
    const after = (old: string) => net.arrivals.find((a) => a.event.name === 'session_start' && a.event.session.previousSessionId === old);
    const next = event.name === 'session_start' ? event.session.sessionId : event.name === 'session_end' ? after(event.session.sessionId)?.event.session.sessionId : null;
    // (by tab: the pages of one tab read one copy of the jar, and see each other's writes at once)
    const first = new Map<string, number>();
    for (const w of site.written) if (w.session === next && !first.has(w.page.split('.')[0])) first.set(w.page.split('.')[0], w.at);
    const [a, b] = [...first.values()].sort((x, y) => x - y);
    if (b === undefined) return false;
    const jar = site.written.some((w) => w.session === next && !w.idb);
    return b - a < 50 || (jar && !site.jarred.some((l) => l.session === next && l.at <= b));
  };

  /**
   * A page wrote its record of what it sent (its hand-over or marks, sent-marks.ts) as it sent, and a page of another tab
   * sent it again before that write reached its tab (a moment between processes: storage.ts).
   */
  const recordLate = (carriers: Sent[]) =>
    carriers.some((a) =>
      carriers.some((b) => {
        const [from, tab] = [a.page.split('.')[0], b.page.split('.')[0]];
        const wrote = site.records.filter((r) => r.from === from && r.tab === tab && r.made >= a.at && r.made <= b.at);
        return from !== tab && wrote.length > 0 && wrote.every((r) => r.at > b.at);
      }),
    );

  /**
   * A carrier's tab recorded what it sent (stint:left or stint:sent) as it sent it, and another tab wrote that key
   * after the record was made and before it reached that tab's copy (within the jar's lag): the device kept the other
   * tab's value, and the record was gone (seed 1029: a tab judging the hand-overs removed stint:left a ms after a
   * leaving page had added its own).
   */
  const recordErased = (carriers: Sent[]) =>
    carriers.some((a) => {
      const from = a.page.split('.')[0];
      const made = new Set(site.records.filter((r) => r.from === from && r.made >= a.at - 1).map((r) => r.made));
      // (a tab that wrote the key at `w.made` without its copy showing the record made at `m`)
      const blind = (m: number, tab: string, at: number) =>
        !site.records.some((r) => r.from === from && r.made === m && r.tab === tab && r.at <= at);
      return [...made].some((m) =>
        site.records.some((w) => w.from !== from && w.made >= m && w.made - m <= JAR_LAG && blind(m, w.from, w.made)),
      );
    });

  /** When and how a page went (null: it lives); one in the back/forward cache went, for its events, as it entered it. */
  const deathOf = (id: string) => {
    const death = site.deaths.get(id);
    if (death) return death;
    const left = site.left.get(id) || [];
    return site.pages.get(id)!.cached && left.length ? { at: left[left.length - 1].at, why: 'cached' } : null;
  };
  const onlineAt = (at: number) => !![...net.onLines].reverse().find((o) => o.at <= at)?.on;
  /**
   * The page went before its write of the event landed: the going lost the write (aborted it, or WebKit dropped it as
   * the page entered the cache, never restored after), or came before the write was made: in the task that tracked it,
   * or before its sender made any transaction since (its storage or database not open yet).
   */
  const diedBeforeWrite = (t: Tracked, death: { at: number }) => {
    const page = site.pages.get(t.page)!;
    const w = writes.writeOf(t);
    if (w?.fate === 'committed') return false;
    if (w?.fate === 'aborted' && w.cause === 'gone') return true;
    if (w?.fate === 'aborted' && w.cause === 'cache' && page.restoredAt < w.end!) return true;
    if (w || writes.failedBy(t.page, t.at)) return false;
    if (page.crashed && page.crashedTask === t.task) return true;
    return !writes.senderAfter(t.page, t, death.at);
  };
  /**
   * Its outbox was memory (a write of its page failed: docs/delivery.md, "Where IndexedDB is unavailable…"), and unsent
   * events do not survive the page: it went with the event, sent and lost or never sent, though not at a moment it
   * beacons what it holds (hidden, leaving or frozen, online) after it tracked the event.
   */
  const memoryOnly = (t: Tracked, carried: Sent[], from = t.at) => {
    const w = writes.writeOf(t);
    if (!((w?.fate === 'aborted' && w.cause !== 'gone') || (!w && writes.failedBy(t.page, t.at)))) return false;
    return wentWithMemory(t, carried, from);
  };

  /** `h` (a hearing) came before `t` (an event): an earlier moment, or an earlier task of the moment */
  const before = (h: { at: number; task: number }, t: { at: number; task: number }) =>
    h.at < t.at || (h.at === t.at && h.task <= t.task);
  /**
   * What its page was when it tracked `t`, by what it heard of consent before (granted; held while pending, then
   * granted, refused, or nothing; anonymous: refused with onDenied 'anonymous'), and the decision after it that ends
   * that life (a refusal of a grant, a grant of an anonymous page).
   */
  const lifeOf = (
    t: Tracked,
  ): { kind: 'granted' | 'held' | 'refusedHeld' | 'anonymous'; end: { at: number } | null; from?: number } => {
    const heard = site.hearings.filter((h) => h.page === t.page);
    const then = [...heard].reverse().find((h) => before(h, t))?.state ?? 'pending';
    const later = heard.filter((h) => !before(h, t));
    const next = (state: string) => later.find((h) => h.state === state) ?? null;
    if (then === 'granted') return { kind: 'granted', end: next('denied') };
    if (then === 'denied') return anonymous ? { kind: 'anonymous', end: next('granted') } : { kind: 'refusedHeld', end: null };
    const first = later[0];
    if (!first) return { kind: 'held', end: null };
    // (held while pending, then recorded from the grant on: its page's chances to beacon it begin there, seed 21352)
    if (first.state === 'granted') return { kind: 'granted', end: next('denied'), from: first.at };
    // (held while pending, then sent anonymously from the refusal on: seed 12552)
    return anonymous ? { kind: 'anonymous', end: next('granted'), from: first.at } : { kind: 'refusedHeld', end: first };
  };
  /**
   * A refusal erased it (docs/consent.md): its page heard one after tracking it, or one was decided while its page
   * lived (it holds it until it hears so, as it runs again), or the outbox held it when the withdrawal deleted it.
   */
  const erased = (t: Tracked, life: ReturnType<typeof lifeOf>) => {
    if (life.end) return true;
    const death = deathOf(t.page);
    const held = (d: Site['decisions'][number]) => d.page && d.state === 'denied' && d.at >= t.at;
    if (site.decisions.some((d) => held(d) && (!death || death.at >= d.at))) return true;
    // (a deletion of the database that a refusal made: one heard by a page since it was recorded, not a grant's; seed
    // 7162, an anonymous tab that heard a grant deleted the database, and every build passed)
    const at = writes.erasedAt(t.id);
    return at !== null && site.hearings.some((h) => h.state === 'denied' && h.at >= t.at && h.at <= at);
  };
  /**
   * An anonymous page's outbox is memory (docs/consent.md): it went with the event, sent and lost or never sent,
   * though not at a moment it beacons what it holds (hidden, leaving or frozen, online) after it tracked the event.
   */
  const wentWithMemory = (t: Tracked, carried: Sent[], from = t.at) => {
    const page = site.pages.get(t.page)!;
    // (not a moment its page crashed in, before it could beacon: seed 7066, a crash in its pagehide handler)
    const chance = (site.left.get(t.page) || []).find(
      (l) => l.at >= from && onlineAt(l.at) && !(page.crashed && page.crashedAt === l.at),
    );
    // (or the 64 KiB a page may have in flight refused what it beaconed then: what is left goes with the page)
    return !chance || carried.some((r) => r.at <= chance.at) || net.overQuota.some((q) => q.page === t.page && q.at === chance.at);
  };

  /** Why an event that never arrived may be missing, if the docs allow it. */
  const excuse = (t: Tracked): CarveOut | null => {
    const life = lifeOf(t);
    if (life.kind === 'held') return 'heldNeverGranted';
    // (tracked while refused, onDenied 'drop': nothing is kept)
    if (life.kind === 'refusedHeld' || (life.kind === 'granted' && erased(t, life))) return 'refused';
    const carried = net.requests.filter((r) => r.ids.includes(t.id));
    // (a final answer, src/core/send/batch.ts: 404 and the other failures that may pass are sent again)
    if (carried.some(finalAnswer)) return 'givenUp';
    // (lost: never reached, or not taken: a 5xx, 429, 408, 3xx, or a 413 a beacon never hears, or a request halves)
    const lost = carried.filter((r) => r.reached === null || (r.status !== null && (r.status < 200 || r.status >= 300)));
    const death = deathOf(t.page);
    if (life.kind === 'anonymous') {
      if (lost.some(excusedLoss)) return 'lostInFlight';
      // (a grant ends an anonymous page's life: what it held goes, as for a new tab: core/step.ts `decide`)
      if (life.end) return 'grantedAway';
      return death && wentWithMemory(t, carried, life.from) ? 'memoryOnly' : null;
    }
    // (a page in the back/forward cache holds it in memory: restored, it sends it; evicted, it went)
    if (!stored.has(t.id) && death && lost.length === carried.length) {
      if (diedBeforeWrite(t, death)) return 'diedBeforeWrite';
      if (memoryOnly(t, carried, life.from)) return 'memoryOnly';
    }
    if (lost.some(excusedLoss) || refusedInFlight(t)) return 'lostInFlight';
    return null;
  };

  let sentChecked = 0;
  /** the transactions `storage` has judged */
  const judgedTx = new Set<number>();
  /** The visitor's decision in force at `at`, and since when. */
  const decision = (at: number) => [...site.decisions].reverse().find((d) => d.at <= at)!;
  /** A refusal (denied) that ends an earlier grant, in force at `at`. */
  const refusedAt = (at: number) => {
    const d = decision(at);
    const i = site.decisions.indexOf(d);
    return d.state === 'denied' && site.decisions.slice(0, i).some((e) => e.state === 'granted') ? d.at : null;
  };
  /**
   * What Stint keeps on the device: its cookies, localStorage items, and its database. (A write is the page's once made:
   * one on its way to the store, a moment between processes, counts as landed.)
   */
  const held = () => {
    const now = site.loop.now();
    const { cookies, local } = site.settled();
    return [
      ...[...cookies].filter(([name, c]) => name.startsWith('_stint') && c.expires > now).map(([name]) => `cookie ${name}`),
      ...[...local.keys()].filter((k) => k.startsWith('stint:') && k !== 'stint:withdrawn').map((k) => `localStorage ${k}`),
      // (a deletion asked waits for the pages' transactions to end, which a stalled database draws out)
      ...site.idb.databases().filter((name) => name === 'stint' && !site.idb.deleting(name)).map(() => 'the stint database'),
    ];
  };

  return {
    violations,
    excused,
    step() {
      while (done < net.arrivals.length) arrive(net.arrivals[done++]);
      // Nothing identifying is sent after a refusal (docs/consent.md), once the tabs have heard it (a message: ms).
      while (sentChecked < net.requests.length) {
        const r = net.requests[sentChecked++];
        const refused = refusedAt(r.at);
        // (a refusal told to a page that crashed before it stored it: the pages open then never heard it)
        const d = decision(r.at);
        const unheard = d.lost && [...site.pages.keys()].indexOf(r.page) < d.pages!;
        if (refused !== null && r.at > refused + 10 && r.identified && !unheard)
          fail('nothing sent after a refusal', `${r.kind} ${r.n} from ${r.page}, ${r.at - refused} ms after the refusal, identifies the visitor`);
      }
    },
    storage() {
      const now = site.loop.now();
      const d = decision(now);
      const before = site.decisions.every((e) => e.state !== 'granted');
      // (the page told crashed in the middle of its erase: the next page, which the site's consent platform tells the
      // refusal, finishes it)
      const killed = !!d.page && !!site.pages.get(d.page)?.crashed && site.pages.size === d.pages;
      // Before any grant nothing is stored; a second after a refusal, what a grant left is gone.
      if ((before || (d.state === 'denied' && now - d.at > 1000 && !killed)) && held().length)
        fail('nothing stored without consent', `${before ? 'before a grant' : `${now - d.at} ms after a refusal`}: ${held().join(', ')}`);
      // Nor does a page write its database after it heard a refusal, until it hears a grant (seed 1325: a write asked
      // before a withdrawal, its open stalled, began after it; the deletion that waited behind it hid it at the end).
      for (const tx of site.idb.transactions) {
        if (tx.db !== 'stint' || tx.fate !== 'committed' || !tx.puts.length || judgedTx.has(tx.id)) continue;
        judgedTx.add(tx.id);
        // (heard in a task before the one that made it: in the same task, the write may have been asked first)
        const heard = site.hearings.filter((h) => h.page === tx.page && (h.at < tx.made || (h.at === tx.made && h.task < (tx.task ?? 0)))).pop();
        if (heard?.state === 'denied')
          fail('nothing stored without consent', `${tx.page} wrote ${tx.puts.map((p) => p.store).join(', ')} at ${tx.made}, after it heard a refusal`);
      }
    },
    flushed(flush) {
      // (a flush resolves at once while consent is pending, and waits for nothing held)
      const heard = site.consent.get(flush.page);
      if (!heard?.granted || heard.granted > flush.at || heard.denied !== null) return;
      // (docs/api.md: accepted by the collector, given up on, or taken by the browser as its page hid or left while
      // delivery was known to work, which counts as delivered: docs/delivery.md)
      const left = (id: string) =>
        net.requests.some((r) => r.ids.includes(id) && r.page === flush.page && (r.kind === 'beacon' ? worked(r.at, r.order, r.page) : inFlightAtExit(r)));
      const missing = flush.ids.filter((id) => !net.arrived.has(id) && !left(id) && excuse(site.tracked.get(id)!) === null);
      if (missing.length)
        fail('a resolved flush() means a 2xx', `${flush.page}'s flush() of ${flush.at - 0} resolved; ${missing.length} of its ${flush.ids.length} events never had a 2xx: ${missing.map((id) => site.tracked.get(id)!.name).join(' ')}`);
    },
    final() {
      this.step();
      // Every loss counted (docs/delivery.md): what a page gave up is reported in its next batch (check-dropped.ts).
      const dropped = droppedCheck(site).judge();
      for (const broken of dropped.broken) fail('every loss counted', broken);
      if (dropped.unreported) excused.unreported = (excused.unreported || 0) + dropped.unreported;
      // Nothing twice in the normal course: an event that came again did so because its first request's fate was not
      // known (docs/delivery.md: "maybe twice, dropped by eventId").
      for (const [id, again] of net.duplicates) {
        const first = net.requests[net.arrived.get(id)!.request - 1];
        // (any request that carried it and reached the collector, the first to arrive or not)
        const carriers = net.requests.filter((r) => r.reached !== null && r.status === 204 && r.ids.includes(id));
        // (a page could not record it sent: localStorage refused the marks or a hand-over that named it, sent-marks.ts)
        // (from its first sending, which may not be the first to arrive: seed 6216, a leaving page's beacon refused its
        // hand-over, and the next page's fetch of it, sent after, arrived before)
        const sentAt = Math.min(...net.requests.filter((r) => r.ids.includes(id)).map((r) => r.at));
        const unrecorded = site.refusals.some((r) => r.at >= sentAt && /^stint:(sent|left(:.*)?|again)$/.test(r.key) && r.value.includes(id));
        // (each copy more needs a doubt of its own: on a copy sent before it, or its own drain's, without the turn)
        const spent = new Set<number>();
        const doubts = carriers.slice(1).map((x, i) => {
          const earlier = carriers.slice(0, i + 1).find((c) => !spent.has(c.n) && twice(c, id));
          const by = earlier ?? (ownDoubt(x, id) ? x : null);
          if (by) spent.add(by.n);
          return earlier ? twice(earlier, id) : by ? ownDoubt(x, id) : null;
        });
        const why =
          (doubts.length && doubts.every((d) => d) ? doubts[0] : null) ??
          (unrecorded ? 'marksRefused' : rolledTwice(net.arrived.get(id)!) ? 'sameRollover' : recordLate(carriers) ? 'recordLag' : recordErased(carriers) ? 'recordErased' : null);
        if (why) excused[why] = (excused[why] || 0) + again.length;
        else
          fail('nothing twice in the normal course', `${net.arrived.get(id)!.event.name} (${id.slice(0, 8)}) came in requests ${first.n} (${first.kind} from ${first.page}, ${first.status} heard as ${first.heard}) and ${again.join(', ')}`);
      }
      for (const t of site.tracked.values()) {
        if (net.arrived.has(t.id)) continue;
        const why = excuse(t);
        if (why) excused[why] = (excused[why] || 0) + 1;
        else fail('every event arrives', `${t.name} (${t.id.slice(0, 8)}), tracked by ${t.page} at ${t.at}, never arrived`);
      }
      // Stint's own events (a session's start and end, lifecycle events, page views), once the outbox held them, arrive
      // too, or are excused as a tracked event is, as of the page and the moment that wrote them (seed 7162: an
      // anonymous tab that heard a grant deleted the database the granting tab had just written its start in)
      for (const id of stored) {
        if (net.arrived.has(id) || site.tracked.has(id)) continue;
        const tx = writes.writerOf(id)!;
        const why = excuse({ id, name: 'its own', page: tx.page, task: tx.task ?? 0, at: tx.made });
        if (why) excused[why] = (excused[why] || 0) + 1;
        else fail('every event arrives', `${id.slice(0, 8)}, recorded by Stint in ${tx.page} and held by the outbox, never arrived`);
      }
      // Each event in the session docs/sessions.md's rules give, each session's start and end for the reason they give.
      const sessions = judgeSessions(
        site,
        timeouts,
        (session, index, at) => mirrorRefused(session, index, at) || killedUnwritten(session, index, at),
      );
      for (const v of sessions.violations) fail('sessions as the rules give', v.detail);
      for (const [why, n] of Object.entries(sessions.excused) as [Tolerance, number][])
        excused[why] = (excused[why] || 0) + n;
    },
  };
}
