/**
 * A seed's schedule: what the people and the browser do, and when (ms from the start), drawn from the seed alone. A
 * schedule is a list, so that a failing one can be made shorter by leaving actions out (run.ts `shrink`): each action
 * keeps its own time, and one that names a tab that is not there (closed, never opened) does nothing.
 */
import type { CollectorMode } from './net';
import type { Random } from './random';

export type Action =
  | { at: number; do: 'open' }
  /** `size`: characters of text each event carries (a burst of large events: a form's fields, a search's results) */
  | { at: number; do: 'track'; tab: number; n: number; size?: number }
  /** a page that tracks on its own, one event every `every` ms, `n` times (a scroll, a player's progress) */
  | { at: number; do: 'steady'; tab: number; every: number; n: number }
  | { at: number; do: 'view' | 'flush' | 'hide' | 'show' | 'freeze' | 'resume'; tab: number }
  | { at: number; do: 'navigate' | 'back' | 'reload' | 'close' | 'discard'; tab: number }
  | { at: number; do: 'crash'; tab: number; after: number }
  | { at: number; do: 'offline' | 'online' | 'lie' }
  | { at: number; do: 'collector'; mode: CollectorMode }
  | { at: number; do: 'stall'; ms: number }
  | { at: number; do: 'consent'; tab: number; state: 'granted' | 'denied' };

/** The tracker's config and what the browser is like, for one seed. */
export interface Scenario {
  tabs: number;
  consent: 'granted' | 'pending';
  onDenied: 'drop' | 'anonymous';
  /** the browser blocks cookies: the session lives in IndexedDB */
  cookies: boolean;
  /** WebKit drops the IndexedDB writes a page leaves unfinished as it enters the back/forward cache */
  engine: 'chromium' | 'webkit';
  /**
   * the network as real ones also are (in a share of seeds, drawn from a stream of their own so that the others stay as
   * they were): a collector that answers 429, 408, 307 or 413 (net.ts), and bursts of hundreds of events in one task,
   * past the 60 KB a request carries and the 64 KiB a leaving page may beacon
   */
  rich?: true;
}

export interface Schedule {
  scenario: Scenario;
  actions: Action[];
}

/** A weighted choice of what happens next. */
const MOVES: [weight: number, move: Action['do']][] = [
  [30, 'track'],
  [4, 'steady'],
  [4, 'view'],
  [8, 'flush'],
  [6, 'hide'],
  [6, 'show'],
  [3, 'freeze'],
  [3, 'resume'],
  [5, 'navigate'],
  [4, 'back'],
  [3, 'reload'],
  [2, 'close'],
  [2, 'crash'],
  [1, 'discard'],
  [3, 'offline'],
  [3, 'online'],
  [1, 'lie'],
  [4, 'collector'],
  [1, 'stall'],
  [1, 'consent'],
  [3, 'open'],
];
const TOTAL = MOVES.reduce((n, [w]) => n + w, 0);

function pickMove(random: Random): Action['do'] {
  let r = random.int(TOTAL);
  for (const [weight, move] of MOVES) if ((r -= weight) < 0) return move;
  return 'track';
}

/** Mostly moments apart, sometimes seconds, now and then minutes (past a session's timeouts). */
function gap(random: Random): number {
  const r = random.next();
  return r < 0.55 ? random.between(0, 50) : r < 0.85 ? random.between(50, 1500) : r < 0.97 ? random.between(1500, 15_000) : random.between(15_000, 120_000);
}

/** `rich`: whether the network is as real ones are (schedule.ts `Scenario.rich`); drawn where not said. */
export function schedule(random: Random, rich?: boolean): Schedule {
  const scenario: Scenario = {
    tabs: random.between(1, 5),
    consent: random.chance(0.8) ? 'granted' : 'pending',
    onDenied: random.chance(0.5) ? 'drop' : 'anonymous',
    cookies: random.chance(0.85),
    engine: random.chance(0.7) ? 'chromium' : 'webkit',
  };
  // (its own stream: the schedule's draws stay as they were; only the seeds it picks change)
  const network = random.fork('network');
  if (rich ?? network.chance(0.15)) scenario.rich = true;
  const length = random.between(8, 50);
  const actions: Action[] = [{ at: 0, do: 'open' }];
  let at = 0;
  let opened = 1;
  for (let i = 1; i < length; i++) {
    at += gap(random);
    const move = pickMove(random);
    const tab = random.int(opened);
    if (move === 'open') {
      if (opened >= scenario.tabs) continue;
      opened++;
      actions.push({ at, do: 'open' });
    } else if (move === 'track') {
      const n = random.chance(0.7) ? 1 : random.between(2, 8);
      const burst = scenario.rich && network.chance(0.08);
      if (!burst) actions.push({ at, do: 'track', tab, n });
      else actions.push({ at, do: 'track', tab, n: network.between(200, 900), size: network.between(20, 400) });
    }
    else if (move === 'steady') actions.push({ at, do: 'steady', tab, every: random.between(2, 40), n: random.between(5, 60) });
    else if (move === 'crash') actions.push({ at, do: 'crash', tab, after: random.chance(0.3) ? 1 : random.between(2, 40) });
    else if (move === 'offline' || move === 'online' || move === 'lie') actions.push({ at, do: move });
    else if (move === 'stall') actions.push({ at, do: 'stall', ms: random.between(1000, 8000) });
    else if (move === 'collector') {
      const mode = random.pick(['ok', 'ok', 'down', 'refuse', 'slow', 'hang'] as const);
      const rich = scenario.rich && network.chance(0.6) ? network.pick(['throttle', 'timeout', 'moved', 'small'] as const) : mode;
      actions.push({ at, do: 'collector', mode: rich });
    }
    else if (move === 'consent') actions.push({ at, do: 'consent', tab, state: random.chance(0.7) ? 'granted' : 'denied' });
    else actions.push({ at, do: move, tab } as Action);
  }
  // (a pending site is granted at some point, most of the time: else little is sent)
  if (scenario.consent === 'pending' && random.chance(0.8)) {
    const k = random.between(1, actions.length - 1);
    actions.splice(k, 0, { at: actions[k - 1].at, do: 'consent', tab: 0, state: 'granted' });
  }
  actions.sort((a, b) => a.at - b.at);
  return { scenario, actions };
}

/** One line per action, for a failing schedule's report. */
export function describeAction(a: Action): string {
  const rest = Object.entries(a)
    .filter(([k]) => k !== 'at' && k !== 'do')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${String(a.at).padStart(7)} ${a.do}${rest ? ` (${rest})` : ''}`;
}
