/**
 * When a single-page app's route change is reported (src/core/route/route.ts): a table of what the app does and
 * when, played through the signals the shell (src/lifecycle/history.ts) would give, in simulated time. The
 * answer is each route change reported: when, from where to where, and the title the page view reads then.
 */
import { describe, expect, it, vi } from 'vitest';
import { routeStart, routeStep, SETTLE, UNTITLED, type RouteEffect, type RouteInput } from '../../src/core/route/route';

/** The page's animation frames come every 16 ms (none when hidden); the task after a frame runs 1 ms after it, a poll's 4 ms after the poll (nested timers are clamped). */
const FRAME = 16;
const AFTER_FRAME = 1;
const POLL = 4;

/**
 * What the app does: a URL change (pushState or replaceState), a step back or forward (heard before the router: the
 * Navigation API's navigate, or a capturing popstate listener), a change to the document, a title ('': its <title>
 * removed, a change to the document too).
 */
type Action = ['url', string] | ['traverse', string] | ['draw'] | ['title', string];
/** A route change reported: when, from which path, to which, and the title then. */
type Report = [at: number, from: string, to: string, title: string];
interface Page {
  hidden?: boolean;
  hash?: boolean;
  /** the landing page's title */
  title?: string;
}

const ORIGIN = 'https://shop.example';
const path = (url: string) => url.slice(ORIGIN.length);

/** The app does `actions` (at their times, in order) on a page at / titled 'Home · Shop'; what the core reports. */
function play(actions: [number, ...Action][], { hidden = false, hash = false, title = 'Home · Shop' }: Page = {}): Report[] {
  const doc = { url: ORIGIN + '/', title };
  let wait = routeStart(doc.url, hash);
  const reports: Report[] = [];
  /** What is to happen, in order of time, then of when it was asked for. */
  const queue: { at: number; seq: number; run: () => void }[] = [];
  let seq = 0;
  let now = 0;
  const later = (at: number, run: () => void) => queue.push({ at, seq: seq++, run });
  /** The bound, the task and the watch asked for: one asked for again (or dropped) replaces the one before. */
  const tokens = { bound: 0, task: 0, watch: 0 };
  const once = (slot: keyof typeof tokens, at: number, type: RouteInput[0]) => {
    const token = ++tokens[slot];
    later(at, () => token === tokens[slot] && signal(type));
  };
  let observing = false;

  const signal = (type: RouteInput[0]) => {
    const [next, effect] = routeStep(wait, [type, now, doc.url, doc.title]);
    wait = next;
    if (effect) perform(effect);
  };
  const perform = ([type, value, from, to]: RouteEffect) => {
    if (type === 'watch' && from) reports.push([now, path(from), path(to!), doc.title]);
    if (type === 'watch') {
      ++tokens.watch;
      observing = true;
      once('bound', now + value, 'bound');
      if (hidden) ++tokens.task;
      else once('task', (Math.floor(now / FRAME) + 1) * FRAME + AFTER_FRAME, 'frame');
    } else if (type === 'arm') once('bound', now + value, 'bound');
    else if (type === 'poll') once('task', now + POLL, 'frame');
    else {
      ++tokens.bound;
      ++tokens.task;
      ++tokens.watch;
      observing = false;
      if (value) reports.push([now, path(value), path(doc.url), doc.title]);
    }
  };
  /** The app's change to the document: the watch answers its first, once the app's task is over (a microtask). */
  const changed = () => {
    if (!observing) return;
    observing = false;
    once('watch', now, 'drawn');
  };

  for (const [at, ...action] of actions) {
    later(at, () => {
      if (action[0] === 'url' || action[0] === 'traverse') {
        doc.url = ORIGIN + action[1];
        signal(action[0]);
      } else {
        if (action[0] === 'title') doc.title = action[1];
        changed();
      }
    });
  }
  // (bounded: a wait that never ends is an answer too, and a wrong one)
  while (queue.length && now < 60_000) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = queue.shift()!;
    now = next.at;
    next.run();
  }
  return reports;
}

type Row = [title: string, actions: [number, ...Action][], page: Page, reports: Report[]];
/** Every row of the tables below. */
const rows: Row[] = [];

/** The app renders the route (a change to the document) and sets its title, in one task. */
const render = (at: number, title: string): [number, ...Action][] => [
  [at, 'draw'],
  [at, 'title', title],
];

describe('a route change is reported once the app has rendered it and set its title', () => {
  const cases: Row[] = [
    // React Router: React renders after the frame that follows the URL change, and sets the title in an effect.
    ['the title set in a task after the frame: the page view waits for it', [[0, 'url', '/products'], ...render(18, 'Products · Shop')], {}, [[21, '/', '/products', 'Products · Shop']]],
    [
      "React's render 300 ms after the URL change (its scheduler's message, late under load in WebKit): the page view waits for it and has the route's title",
      [[0, 'url', '/products'], ...render(302, 'Products · Shop')],
      {},
      [[305, '/', '/products', 'Products · Shop']],
    ],
    [
      'the same, hidden (no frames): the bound counts from the render, not from the URL change',
      [[0, 'url', '/products'], ...render(302, 'Products · Shop')],
      { hidden: true },
      [[302 + SETTLE, '/', '/products', 'Products · Shop']],
    ],
    [
      "Next.js App Router's streamed metadata: the route's title comes after its content (the document untitled between them, past the 100 ms bound), and its page view has it",
      [[0, 'url', '/products'], [0, 'draw'], [0, 'title', ''], [250, 'title', 'Products · Shop']],
      {},
      [[253, '/', '/products', 'Products · Shop']],
    ],
    [
      'the same, hidden: at the first bound after the title',
      [[0, 'url', '/products'], [0, 'draw'], [0, 'title', ''], [250, 'title', 'Products · Shop']],
      { hidden: true },
      [[300, '/', '/products', 'Products · Shop']],
    ],
    ['a title that never comes: at UNTITLED, untitled', [[0, 'url', '/products'], [0, 'draw'], [0, 'title', '']], {}, [[UNTITLED, '/', '/products', '']]],
    // Vue Router: renders and sets the title (afterEach) in the task of the URL change.
    ['a hidden page, no animation frames: reported after the bounded wait', [[0, 'url', '/products'], ...render(0, 'Products · Shop')], { hidden: true }, [[SETTLE, '/', '/products', 'Products · Shop']]],
    ['a route that keeps the title: SETTLE after the render', [[0, 'url', '/products'], [5, 'draw']], {}, [[5 + SETTLE, '/', '/products', 'Home · Shop']]],
    ['a page that never had a title: SETTLE after the render', [[0, 'url', '/products'], [5, 'draw']], { title: '' }, [[5 + SETTLE, '/', '/products', '']]],
    ['an app that changes nothing: at UNTITLED', [[0, 'url', '/products']], {}, [[UNTITLED, '/', '/products', 'Home · Shop']]],
    ['the same, hidden', [[0, 'url', '/products']], { hidden: true }, [[UNTITLED, '/', '/products', 'Home · Shop']]],
  ];
  rows.push(...cases);
  it.each(cases)('%s', (_, actions, page, reports) => {
    expect(play(actions, page)).toEqual(reports);
  });
});

describe('a new URL during the wait starts it again; only a new path or query is a route change', () => {
  const cases: Row[] = [
    [
      'a redirect (a push, then a replace, in one task): one route change, to where it led',
      [[0, 'url', '/account'], [0, 'url', '/login'], ...render(18, 'Login · Shop')],
      {},
      [[21, '/', '/login', 'Login · Shop']],
    ],
    [
      'a new URL before the route was reported: one route change, to the last, the wait counted from it',
      [[0, 'url', '/products'], ...render(0, 'Products · Shop'), [50, 'url', '/about'], ...render(60, 'About · Shop')],
      { hidden: true },
      [[60 + SETTLE, '/', '/about', 'About · Shop']],
    ],
    [
      "a new URL rendered later than the one before it: the earlier route's render does not count for it",
      [[0, 'url', '/products'], ...render(0, 'Products · Shop'), [50, 'url', '/about'], ...render(300, 'About · Shop')],
      { hidden: true },
      [[300 + SETTLE, '/', '/about', 'About · Shop']],
    ],
    [
      "a new URL after the app titled the one before: the page view waits for the new route's title",
      [[0, 'url', '/products'], ...render(2, 'Products · Shop'), [10, 'url', '/about'], ...render(30, 'About · Shop')],
      {},
      [[33, '/', '/about', 'About · Shop']],
    ],
    ['an app that changes nothing, a new URL at 900 ms: UNTITLED from that one', [[0, 'url', '/products'], [900, 'url', '/about']], {}, [[900 + UNTITLED, '/', '/about', 'Home · Shop']]],
    ['back to where it started within the wait: none', [[0, 'url', '/products'], [5, 'url', '/'], ...render(18, 'Home · Shop')], {}, []],
    [
      'a replace of the same URL (a router saving its state) changes nothing: no wait, and none started again',
      [[0, 'url', '/'], [0, 'url', '/products'], ...render(0, 'Products · Shop'), [50, 'url', '/products']],
      { hidden: true },
      [[SETTLE, '/', '/products', 'Products · Shop']],
    ],
    ['a change of the hash alone: none', [[0, 'url', '/#specs'], ...render(5, 'Specs · Shop')], {}, []],
    ["with 'history+hash': one", [[0, 'url', '/#specs'], ...render(5, 'Specs · Shop')], { hash: true }, [[17, '/', '/#specs', 'Specs · Shop']]],
    [
      'two route changes, one after the other: each from the one before',
      [[0, 'url', '/products'], ...render(5, 'Products · Shop'), [200, 'url', '/about'], ...render(205, 'About · Shop')],
      {},
      [
        [17, '/', '/products', 'Products · Shop'],
        [209, '/products', '/about', 'About · Shop'],
      ],
    ],
  ];
  rows.push(...cases);
  it.each(cases)('%s', (_, actions, page, reports) => {
    expect(play(actions, page)).toEqual(reports);
  });
});

describe('back and forward are the person\'s steps: each route the app rendered is reported', () => {
  const cases: Row[] = [
    [
      "Vue Router: the route rendered and titled in the router's popstate listener, after Stint heard the step",
      [[0, 'traverse', '/products'], ...render(0, 'Products · Shop')],
      {},
      [[17, '/', '/products', 'Products · Shop']],
    ],
    [
      'back, then forward before the frame: both reported, the first as the second comes',
      [[0, 'traverse', '/products'], ...render(0, 'Products · Shop'), [5, 'traverse', '/'], ...render(5, 'Home · Shop')],
      {},
      [
        [5, '/', '/products', 'Products · Shop'],
        [17, '/products', '/', 'Home · Shop'],
      ],
    ],
    [
      'a step back to a route with the same title, then a link before the frame: both reported',
      [[0, 'traverse', '/products?tab=reviews'], [0, 'draw'], [8, 'url', '/about'], ...render(20, 'About · Shop')],
      {},
      [
        [8, '/', '/products?tab=reviews', 'Home · Shop'],
        [21, '/products?tab=reviews', '/about', 'About · Shop'],
      ],
    ],
    ['a step back the app has not rendered yet, then forward at once: none', [[0, 'traverse', '/products'], [5, 'traverse', '/'], ...render(5, 'Home · Shop')], {}, []],
    [
      'a push the app has rendered, then a new URL before the frame (a redirect): one route change, to where it led',
      [[0, 'url', '/account'], ...render(0, 'Account · Shop'), [5, 'url', '/login'], ...render(5, 'Login · Shop')],
      {},
      [[17, '/', '/login', 'Login · Shop']],
    ],
  ];
  rows.push(...cases);
  it.each(cases)('%s', (_, actions, page, reports) => {
    expect(play(actions, page)).toEqual(reports);
  });
});

it('every row again, in Node with every clock and browser global throwing', () => {
  const trap = () => {
    throw new Error('the core reached for a browser global or a clock');
  };
  for (const name of ['window', 'document', 'location', 'history', 'requestAnimationFrame', 'setTimeout', 'queueMicrotask', 'MutationObserver']) vi.stubGlobal(name, trap);
  vi.spyOn(Date, 'now').mockImplementation(trap);
  vi.spyOn(performance, 'now').mockImplementation(trap);
  let played: Report[][];
  try {
    played = rows.map(([, actions, page]) => play(actions, page));
  } finally {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  }
  expect(played).toEqual(rows.map(([, , , reports]) => reports));
});
