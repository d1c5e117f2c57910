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
 * (core/verdict.ts): it hands those ids over with the time they left (`stint:left`). The site's next delivery outcome
 * judges them, whichever page learns it (`judgeHandedOver`): a 2xx makes them sent, a failure soon after they left
 * sends them again (`stint:again`); a sender that reads them meanwhile awaits that verdict. A hand-over that
 * localStorage refuses (its quota full) stays in the page's memory, where only the page itself judges it: taken as
 * judged by the site, its entries counted as delivered though a failure followed (test/sim: a hidden tab's lost beacon,
 * never sent again).
 */
import type { Outcome, Verdicts } from '../core/send-model';
import { VERDICT } from '../core/verdict';
import { readOutcome } from './outcome';

const KEY = 'stint:sent';
const LEFT = 'stint:left';
/** Handed over, then refuted by the site's next outcome: to be sent again. */
const AGAIN = 'stint:again';
/** Ids kept at most: far more than the 64 KB a leaving page may have in flight. */
const MAX_MARKS = 2000;

/**
 * Each hand-over: when its entries left, their ids, how many outcomes the site had shared by then, and 1 where an
 * outcome refuted it and `stint:again` was refused (its quota full): sent again by whichever page reads it.
 */
type HandedOver = [at: number, ids: string[], seq: number, refuted?: 1][];

/** This page's hand-overs that localStorage refused. */
let unwritten: HandedOver = [];

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

/** The entries leaving pages handed over, awaiting a verdict, by when they left (this page's refused ones too). */
export function readHandedOver(): HandedOver {
  return [
    ...readJson(LEFT)
      .filter((g): g is HandedOver[number] => Array.isArray(g) && typeof g[0] == 'number' && Array.isArray(g[1]))
      .map(([at, ids, seq, refuted]): HandedOver[number] =>
        refuted === 1 ? [at, ids, +seq || 0, 1] : [at, ids, +seq || 0],
      ),
    ...unwritten,
  ];
}

/**
 * Writes the hand-overs (this page's refused ones with them); `added`, this page's new ones, stay in memory if
 * localStorage refuses them.
 */
const writeLeft = (groups: HandedOver, added: HandedOver = []) =>
  void (unwritten = writeJson(LEFT, groups.slice(-MAX_MARKS)) ? [] : [...unwritten, ...added]);

/** A page hands these over (core/verdict.ts), after the outcomes the site has shared so far. */
export function handOver(list: [at: number, ids: string[]][]): void {
  const seq = readOutcome()?.[2] ?? 0;
  const added = list.map(([at, ids]): HandedOver[number] => [at, ids, seq]);
  if (list.length) writeLeft([...readHandedOver(), ...added], added);
}

/**
 * The site learned a delivery outcome (`[ok, at, seq]`, the seq-th shared): what was handed over before it is judged.
 * A 2xx: sent (marked); a failure within `VERDICT` of their leaving: sent again (`stint:again`); later: sent.
 */
export function judgeHandedOver([ok, at, seq = 0]: Outcome): void {
  const groups = readHandedOver();
  if (!groups.length) return;
  // (an outcome from before they left, shared late, says nothing of them)
  const judged = groups.filter((g) => g[2] < seq && g[0] <= at);
  if (!judged.length) return;
  const sent = ([left, , , refuted]: HandedOver[number]) => !refuted && (ok || at - left > VERDICT);
  // (written first, a page that dies between the writes leaves them judged twice, never not at all)
  mark(judged.filter(sent).flatMap(([, ids]) => ids));
  const again = judged.filter((g) => !sent(g));
  const ids = again.flatMap(([, list]) => list);
  const rest = groups.filter((g) => !judged.includes(g));
  // localStorage full, stint:again refused: the refuted stay handed over, marked so (a page that reads them sends them
  // again, and a later 2xx does not take them as delivered: simulator seed 15980, a beacon lost as the network went
  // down, its entries removed by its page restored from the cache); where that is refused too, they stay as they were
  writeLeft(
    !ids.length || writeJson(AGAIN, [...readIds(AGAIN), ...ids].slice(-MAX_MARKS))
      ? rest
      : [...rest, ...again.map(([left, list, n]): HandedOver[number] => [left, list, n, 1])],
  );
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
  const groups = readHandedOver();
  if (!groups.some(([, list]) => list.some((id) => ids.has(id)))) return;
  const rest = groups.map(([at, list, ...more]): HandedOver[number] => [
    at,
    list.filter((id) => !ids.has(id)),
    ...more,
  ]);
  writeLeft(rest.filter(([, list]) => list.length));
}

/** Consent withdrawn: nothing of Stint stays on the device. */
export function eraseMarks(): void {
  for (const key of [KEY, LEFT, AGAIN]) writeJson(key, []);
  unwritten = [];
}
