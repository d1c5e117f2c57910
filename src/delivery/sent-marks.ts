/**
 * What a page that goes away knows it sent, kept where the next page can read it. When a page is
 * closed or navigated away, the browser aborts its unfinished IndexedDB transactions: the removal of
 * the entries it just beaconed (or whose request was still in flight) from the outbox never happens,
 * and the next page would send them again. localStorage is written synchronously, so what the page
 * knows at `pagehide` is kept: the ids of those entries, which the next sender removes from the
 * outbox instead of sending (`stint:sent`). Bounded; where localStorage is refused, the next page may send them
 * again (the collector drops them by `eventId`).
 *
 * What a leaving page sent by beacon, or had in flight, while delivery worked is not known delivered yet
 * (core/send/verdict.ts): it hands those ids over with the time they left (`stint:left`). The site's next delivery
 * outcome judges them, whichever page learns it (`judgeHandedOver`): a 2xx makes them sent, a failure soon after they
 * left sends them again (`stint:again`); a sender that reads them meanwhile awaits that verdict. A hand-over that
 * localStorage refuses (its quota full) stays in the page's memory, where only the page itself judges it: taken as
 * judged by the site, its entries counted as delivered though a failure followed (test/sim: a hidden tab's lost beacon,
 * never sent again).
 */
import type { Outcome, Verdicts } from '../core/send/send-model';
import { VERDICT } from '../core/send/verdict';
import { readOutcome } from './outcome';

const KEY = 'stint:sent';
/**
 * Each hand-over under a key of its own (`stint:left:<its page's tag>:<its first entry's id>`), written once by its
 * page and removed by the page that judges it: a list that every page rewrote lost a hand-over to another tab's write
 * of it made before it was seen (localStorage reaches the other tabs a moment later: the simulator's seeds 8190 and
 * 19115, a leaving page's record removed by a tab that judged the one before, and its beacon's events sent again). The
 * page's tag, since two pages may hand over the same first entry: both sent it (a tab whose claim of the turn stalled),
 * and the later write took the earlier's key (seed 15705: a tab entering the back/forward cache wrote over a closed
 * tab's hand-over, and that tab's beacon, 1 s before, was sent again).
 */
const LEFT = 'stint:left:';
/** Handed over, then refuted by the site's next outcome: to be sent again. */
const AGAIN = 'stint:again';
/** Ids kept at most: far more than the 64 KB a leaving page may have in flight. */
const MAX_MARKS = 2000;
/** Hand-overs kept at most (the oldest go): pages that leave while no outcome comes. */
const MAX_LEFT = 200;

/**
 * A hand-over: when its entries left, their ids, how many outcomes the site had shared by then, and 1 where an outcome
 * refuted it and `stint:again` was refused (its quota full): sent again by whichever page reads it.
 */
type Group = [at: number, ids: string[], seq: number, refuted?: 1];
type HandedOver = Group[];

/** This page's hand-overs that localStorage refused (and its refutations of others' it refused to record). */
let unwritten: HandedOver = [];
/** The keys of hand-overs this page refuted where localStorage refused the record: their copy is in `unwritten`. */
const shadowed = new Set<string>();
/** This page's part of its hand-overs' keys (its outbox chunks' tag: random). */
let page = '';

function readJson(key: string): unknown[] {
  try {
    const value = JSON.parse(localStorage.getItem(key) || '[]');
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

/** Whether it was written. */
function writeJson(key: string, list: unknown[]): boolean {
  try {
    if (list.length) localStorage.setItem(key, JSON.stringify(list));
    else localStorage.removeItem(key);
    return true;
  } catch {
    // Refused (sandboxed, private mode, full): the next page may send these again.
    return false;
  }
}

const readIds = (key: string) => readJson(key).filter((id): id is string => typeof id === 'string');

export function readMarks(): Set<string> {
  return new Set(readIds(KEY));
}

/** Marks `ids` as sent, beside what other pages marked. */
export function mark(ids: string[]): void {
  if (ids.length) writeJson(KEY, [...readMarks(), ...ids].slice(-MAX_MARKS));
}

/** The keys of the hand-overs in localStorage. */
function leftKeys(): string[] {
  const keys: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(LEFT)) keys.push(key);
    }
  } catch {
    // (no localStorage: none)
  }
  return keys;
}

/** Each hand-over with where it is kept (its key; null: this page's memory, refused). */
function readGroups(): [key: string | null, group: Group][] {
  const groups: [string | null, Group][] = unwritten.map((g) => [null, g]);
  for (const key of leftKeys()) {
    if (shadowed.has(key)) continue;
    const [at, ids, seq, refuted] = readJson(key);
    if (typeof at != 'number' || !Array.isArray(ids)) continue;
    groups.push([key, refuted === 1 ? [at, ids, +seq! || 0, 1] : [at, ids, +seq! || 0]]);
  }
  return groups;
}

/** The entries leaving pages handed over, awaiting a verdict (this page's refused ones too). */
export const readHandedOver = (): HandedOver => readGroups().map(([, g]) => g);

/**
 * Writes hand-over `group` under `key` (null: a new one, or one of this page's memory, `was`: a key of its own), or
 * removes it where `group` holds no ids. A new one stays in this page's memory where localStorage refuses it, or holds
 * `MAX_LEFT` already (pages that left while no outcome came).
 */
function write(key: string | null, group: Group, was?: Group): void {
  unwritten = unwritten.filter((g) => g !== was);
  // (one in localStorage that it refuses to write again stays as it was)
  const own = key === null;
  // (named by its page and its first entry's id: that page hands over no other with that entry)
  if (own && leftKeys().length < MAX_LEFT) key = `${LEFT}${page}:${group[1][0]}`;
  if ((key && writeJson(key, group[1].length ? group : [])) || !group[1].length) return;
  // A refutation that localStorage refuses to record stays in this page's memory, in place of what it refutes, which
  // the site's next 2xx would take as delivered (test/sim seed 49719: a beacon lost as the network went down, refuted
  // by a failure 8 s later with stint:again and the record refused, judged sent by a 2xx 9 s after that: never sent)
  if (own || group[3]) (unwritten.push(group), own || shadowed.add(key!));
}

/** Page `tag` hands these over (core/send/verdict.ts), after the outcomes the site has shared so far. */
export function handOver(list: [at: number, ids: string[]][], tag: string): void {
  page = tag;
  const seq = readOutcome()?.[2] ?? 0;
  for (const [at, ids] of list) write(null, [at, ids, seq]);
}

/**
 * The site learned a delivery outcome (`[ok, at, seq]`, the seq-th shared): what was handed over before it is judged.
 * A 2xx: sent (marked); a failure within `VERDICT` of their leaving: sent again (`stint:again`); later: sent.
 */
export function judgeHandedOver([ok, at, seq = 0]: Outcome): void {
  // (an outcome from before they left, shared late, says nothing of them)
  const judged = readGroups().filter(([, g]) => g[2] < seq && g[0] <= at);
  const sent = ([left, , , refuted]: Group) => !refuted && (ok || at - left > VERDICT);
  // (written first, a page that dies between the writes leaves them judged twice, never not at all)
  mark(judged.flatMap(([, g]) => (sent(g) ? g[1] : [])));
  const ids = judged.flatMap(([, g]) => (sent(g) ? [] : g[1]));
  // localStorage full, stint:again refused: the refuted stay handed over, marked so (a page that reads them sends them
  // again, and a later 2xx does not take them as delivered: simulator seed 15980, a beacon lost as the network went
  // down, its entries removed by its page restored from the cache). The mark is written shorter than what it replaces
  // (its time and order no longer count), so that a full localStorage takes it: held in this page's memory alone, the
  // refutation went with the page (seed 53650: the judging page reloaded, and the next took the hand-over as sent);
  // where it is refused all the same (a storage that refuses any write), this page holds it (`write`)
  const noted = !ids.length || writeJson(AGAIN, [...readIds(AGAIN), ...ids].slice(-MAX_MARKS));
  for (const [key, g] of judged) write(key, sent(g) || noted ? [g[0], [], 0] : [0, g[1], 0, 1], g);
}

/** The site's last outcome judges what is still handed over, where no page did (the page that shared it died first). */
export function judgeLast(): void {
  const outcome = readOutcome();
  if (outcome) judgeHandedOver(outcome);
}

/** What the site's pages hold of the entries that await a verdict: judged sent, still handed over, or sent again. */
export function readVerdicts(): Verdicts {
  return { left: readHandedOver(), again: readIds(AGAIN), outcome: readOutcome() };
}

/** The outbox no longer holds `ids`: their marks go, and only theirs (other pages may have marked more since). */
export function unmark(ids: Set<string>): void {
  if (!ids.size) return;
  writeJson(KEY, [...readMarks()].filter((id) => !ids.has(id)));
  const again = readIds(AGAIN);
  if (again.some((id) => ids.has(id))) writeJson(AGAIN, again.filter((id) => !ids.has(id)));
  for (const [key, g] of readGroups()) {
    const rest = g[1].filter((id) => !ids.has(id));
    if (rest.length < g[1].length) write(key, [g[0], rest, g[2], ...g.slice(3)] as Group, g);
  }
}

/** Consent withdrawn: nothing of Stint stays on the device. */
export function eraseMarks(): void {
  // (`stint:left`: the list an earlier release kept)
  for (const key of [KEY, AGAIN, 'stint:left', ...leftKeys()]) writeJson(key, []);
  unwritten = [];
  shadowed.clear();
}
