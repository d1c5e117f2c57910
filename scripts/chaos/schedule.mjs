// A chaos seed's schedule (scripts/chaos.mjs): what the visitor, the browser and the network do to 2-4 tabs of one
// site, and when (ms from the start, on the real clock), drawn from the seed alone. The vocabulary is the simulator's
// (test/sim/schedule.ts) where a real Chromium can play it: no crash, discard or storage stall here, which Chromium
// cannot be asked for mid-run; and what only a real browser does is left to it (a hidden tab's throttled timers, a
// frozen tab's channel, the back/forward cache, keepalive's own limits).

/** splitmix32 then xoshiro128** (as test/sim/random.ts): one seed, one schedule. */
export function random(seed) {
  let s = seed >>> 0;
  const mix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [mix(), mix(), mix(), mix()];
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  const next = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 2 ** 32;
  };
  const between = (min, max) => min + Math.floor(next() * (max - min + 1));
  return { next, between, chance: (p) => next() < p, pick: (list) => list[Math.floor(next() * list.length)] };
}

/** What happens next, weighted. */
const MOVES = [
  [30, 'track'],
  [6, 'steady'],
  [8, 'flush'],
  [7, 'show'],
  [3, 'freeze'],
  [4, 'away'],
  [3, 'reload'],
  [2, 'close'],
  [3, 'open'],
  [4, 'collector'],
  [3, 'offline'],
];
const TOTAL = MOVES.reduce((n, [w]) => n + w, 0);

/** Mostly moments apart, sometimes a second or more. */
const gap = (r) => (r.chance(0.6) ? r.between(0, 150) : r.chance(0.8) ? r.between(150, 1500) : r.between(1500, 4000));

/**
 * The schedule of `seed`: `tabs` (2-4) opened early, each in front or behind the others, then `ms` of moves; each
 * fault and each step away has its end in the schedule (a freeze its resume, a step away its way back).
 */
export function schedule(seed, ms = 30_000) {
  const r = random(seed);
  const tabs = r.between(2, 4);
  const actions = [{ at: 0, do: 'open', behind: false }];
  /** When each tab opens: a move names one of those open by then. */
  const opens = [0];
  for (let i = 1; i < tabs; i++) opens.push(r.between(200, ms * 0.3));
  opens.sort((a, b) => a - b);
  for (const at of opens.slice(1)) actions.push({ at, do: 'open', behind: r.chance(0.5) });
  for (let at = r.between(100, 600); at < ms; at += gap(r)) {
    let roll = Math.floor(r.next() * TOTAL);
    const move = MOVES.find(([w]) => (roll -= w) < 0)[1];
    const opened = opens.filter((o) => o <= at).length;
    const tab = r.between(0, opened - 1);
    if (move === 'track') actions.push({ at, do: 'track', tab, n: r.chance(0.7) ? 1 : r.between(2, 8) });
    else if (move === 'steady') actions.push({ at, do: 'steady', tab, every: r.between(50, 500), n: r.between(5, 60) });
    else if (move === 'freeze') actions.push({ at, do: 'freeze', tab, ms: r.between(500, 8000) });
    else if (move === 'away') actions.push({ at, do: 'away', tab, ms: r.between(200, 4000) });
    else if (move === 'open') {
      if (opens.length >= 6) continue;
      actions.push({ at, do: 'open', behind: r.chance(0.5) });
      opens.push(at);
    } else if (move === 'collector') {
      // (slow: each answer held `delay` ms; hang: past the 30 s Stint waits for an answer)
      const mode = r.pick(['down', 'down', 'slow', 'slow', 'hang']);
      actions.push({
        at,
        do: 'collector',
        mode,
        ms: r.between(1000, 8000),
        delay: mode === 'hang' ? 35_000 : r.between(500, 4000),
      });
    } else if (move === 'offline') {
      // (not while the first pages load: a page that cannot load tracks nothing)
      if (at > 3000) actions.push({ at, do: 'offline', ms: r.between(500, 6000) });
    } else actions.push({ at, do: move, tab });
  }
  actions.sort((x, y) => x.at - y.at);
  return { seed, tabs, ms, actions };
}

/** One line per action, for a report. */
export const describe = (a) =>
  `${String(a.at).padStart(6)} ${a.do}${Object.entries(a)
    .filter(([k]) => k !== 'at' && k !== 'do')
    .map(([k, v]) => ` ${k}=${v}`)
    .join('')}`;
