/**
 * One document of the simulated site: its own JavaScript realm (a `node:vm` context whose microtasks run at the end
 * of each task, as a browser's do), the browser APIs Stint uses as the site's shared state gives them (cookies,
 * localStorage, IndexedDB, the tabs' channel, the network), its own timers on the simulator's clock, a seeded
 * `Math.random` and crypto, and the page's life: visible or hidden, frozen, in the back/forward cache, gone.
 *
 * Everything that enters the page is a task: it runs inside the realm, its microtasks after it, then what the end of a
 * task means to IndexedDB. A page that crashes mid-task (`crashAfter`: at its n-th call of a browser API) stops there:
 * that call throws, and so does every later one, so nothing it would have done next reaches the world.
 */
import vm from 'node:vm';
import type { Loop, Owner, OwnerState, Task } from './loop';
import { probe } from './probes';
import type { Random } from './random';

/** An AbortSignal, as much of it as the simulated fetch reads. */
export interface AbortLike {
  aborted: boolean;
  listeners: (() => void)[];
  addEventListener(type: string, listener: () => void): void;
}
export type FetchInit = { body?: unknown; keepalive?: boolean; redirect?: string; signal?: AbortLike };
import type { StorageMap } from './storage';

/** What a page needs of the site (site.ts). */
export interface World {
  loop: Loop;
  log(line: string): void;
  cookie(page: Page): { get(): string; set(value: string): void };
  localStorage(page: Page): unknown;
  indexedDB(page: Page): unknown;
  channel(page: Page, name: string): unknown;
  fetch(page: Page, url: string, init: { body?: unknown; keepalive?: boolean; redirect?: string }): Promise<unknown>;
  beacon(page: Page, url: string, body: unknown): boolean;
  onLine(): boolean;
  /** the end of a task of `page` (IndexedDB's transactions stop being active) */
  endOfTask(page: Page): void;
  /** something the page did that breaks a rule of the host page (a throw into it, an internal error) */
  fault(page: Page, what: string): void;
  /** `page` removed what Stint shares in localStorage under `key` (a withdrawal erases the site's last outcome) */
  removed(page: Page, key: string): void;
  /** `page` set what Stint shares in localStorage under `key` (an outcome, a withdrawal) */
  shared(page: Page, key: string, value: string): void;
}

type Listener = { type: string; listener: (event: unknown) => void; capture: boolean };

export interface Page extends Owner {
  id: string;
  url: string;
  visible: boolean;
  /** hidden and paused by the browser (Page Lifecycle) */
  frozen: boolean;
  /** in the back/forward cache */
  cached: boolean;
  /** when it was last restored from the cache (Stint then gives up on the replies it awaited: transport.ts) */
  restoredAt: number;
  stoppedAt: number;
  /** a crashed page's script has stopped */
  crashed: boolean;
  /** the task it crashed in (what it learned in that task, it never recorded), and when */
  crashedTask: number | null;
  crashedAt: number | null;
  /** the browser discarded it (no pagehide: what it had not written yet went with it) */
  discarded: boolean;
  /** the page's n-th browser API call from now throws, and the page is gone (0: never) */
  crashAfter: number;
  /** the number of the task running now (events are known by the task that tracked them) */
  taskNo: number;
  context: vm.Context;
  /** the realm's own Promise */
  Promise: PromiseConstructor;
  /** runs `code` (a function of the page's realm, called with the page's window) as a task of the page */
  run<T>(what: string, code: (window: Record<string, unknown>) => T): T | undefined;
  /** fires a lifecycle event at the page's window or document */
  fire(target: 'window' | 'document', type: string, init?: Record<string, unknown>): void;
  clone<T>(value: T): T;
  error(name: string, message: string): Error;
  promise<T>(executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T>;
  /** `done` once `promise` settles (in the page's realm: at the end of one of its tasks) */
  after(promise: unknown, done: (ok: boolean, value: unknown) => void): void;
  alive(): boolean;
  /** a timer of the simulator's model of one of Stint's, set in the task Stint sets its own: throttled alike */
  timer(delay: number, what: string, run: () => void): void;
  /** the page is shown: the timers that hiding put off run now */
  shown(): void;
  /**
   * the page hides, leaves or freezes: the models of Stint's timers whose time has come run now, put off or not, as
   * Stint takes the replies whose timer is due then (transport.ts `takeDue`)
   */
  takeDue(): void;
  /** a browser API of the page: it throws once the page has crashed (see `crashAfter`) */
  api<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** a Storage of the page over `map`; `refused`: a write the quota refuses (QuotaExceededError); `wrote` is called at
   * each setItem, removeItem or clear */
  storage(map: StorageMap, refused?: (key: string, value: string) => boolean, wrote?: () => void): unknown;
  /** console lines of the page */
  console: string[];
  /** the tab's sessionStorage */
  sessionStorage: Map<string, string>;
  wasDiscarded: boolean;
}

const TRAMPOLINE = new vm.Script('__sim.task()', { filename: 'sim-task' });
const BOOT = new vm.Script(
  `(() => {
  const sim = globalThis.__sim;
  globalThis.window = globalThis;
  globalThis.self = globalThis;
  const RealDate = Date;
  globalThis.Date = class Date extends RealDate {
    constructor(...args) { args.length ? super(...args) : super(sim.now()); }
    static now() { return sim.now(); }
  };
  Math.random = () => sim.random();
  globalThis.queueMicrotask = (f) => { Promise.resolve().then(() => { try { f(); } catch (e) { sim.uncaught(e); } }); };
  sim.makePromise = (executor) => new Promise(executor);
  sim.makeError = (name, message) => { const e = new (globalThis[name] || Error)(message); if (!globalThis[name]) e.name = name; return e; };
  sim.clone = (value) => value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  // (a promise's callbacks are queued in the realm of the function given to then: the page's, so they run at the end
  // of the page's task, not in Node's own queue)
  sim.after = (promise, done) => Promise.resolve(promise).then((value) => done(true, value), (error) => done(false, error));
})();`,
  { filename: 'sim-boot' },
);

export interface PageOptions {
  id: string;
  url: string;
  visible: boolean;
  random: Random;
  sessionStorage: Map<string, string>;
  wasDiscarded?: boolean;
  referrer?: string;
}

/** A timer: its task, its nesting level, whether throttling put it off already. */
interface Timer {
  task?: Task;
  level: number;
  aligned: boolean;
  fire: () => void;
}

export function startPage(world: World, o: PageOptions): Page {
  const { loop } = world;
  const listeners: Record<'window' | 'document', Listener[]> = { window: [], document: [] };
  let calls = 0;
  /** Every browser API the page calls goes through here: a crashed page's script stops at its n-th call. */
  const api = <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      if (page.crashed) throw page.error('Error', 'the page has crashed');
      if (page.crashAfter && ++calls >= page.crashAfter) {
        page.crashed = true;
        page.crashedTask = page.taskNo;
        page.crashedAt = loop.now();
        world.log(`${page.id} crashes (at its call of a browser API)`);
        probe('page: a crash mid-task');
        throw page.error('Error', 'the page has crashed');
      }
      return fn(...args);
    };
  /** the nesting level of the timer task running now (0: another task): HTML's, for its 4 ms clamp */
  let level = 0;
  /** the simulator's models of Stint's timers not yet run: when each is due, and what it does */
  const models = new Map<Timer, [due: number, run: () => void]>();
  /** timers a hidden page's throttling put off to a whole second: run at once when the page is shown */
  const putOff = new Set<Timer>();
  /**
   * A timer of the page, or the simulator's model of one of Stint's (net.ts), set in the same task: it runs after `delay`
   * ms; in a hidden page at the next whole second (Chromium aligns a hidden page's timer wake-ups to 1 s:
   * https://developer.chrome.com/blog/timer-throttling-in-chrome-88; the intensive throttling to 1 minute, after 5
   * minutes hidden, is not modelled); set 5 deep from timer tasks, no sooner than 4 ms
   * (https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timer-initialisation-steps).
   */
  const later = (delay: number, what: string, run: () => void, repeat = false): Timer => {
    const t: Timer = { level: level + 1, aligned: false, fire: () => {} };
    t.fire = () => {
      const wait = page.visible || t.aligned ? 0 : Math.ceil(loop.now() / 1000) * 1000 - loop.now();
      if (wait > 0) {
        probe("timers: a hidden page's timer put off to a whole second");
        (t.aligned = true), putOff.add(t);
        return void (t.task = loop.at(wait, page, what, t.fire));
      }
      (t.aligned = false), putOff.delete(t);
      if (repeat) t.level++, (t.task = loop.at(Math.max(delay, t.level > 5 ? 4 : 1), page, what, t.fire));
      level = t.level;
      try {
        run();
      } finally {
        level = 0;
      }
    };
    t.task = loop.at(t.level > 5 && delay < 4 ? 4 : delay, page, what, t.fire);
    return t;
  };
  const timer = (repeat: boolean) =>
    api((fn: unknown, ms?: number, ...args: unknown[]) => {
      // (the delay is a WebIDL long: a fraction is cut off, https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#dom-settimeout;
      // a fractional clock would give the page a Date.now() no browser gives, and its stored times fail to decode)
      const delay = Math.max(0, Math.trunc(Number(ms)) || 0);
      const id = ++timerIds;
      const t = later(delay, repeat ? 'interval' : 'timeout', () => void (typeof fn === 'function' && fn(...args)), repeat);
      timers.set(id, t);
      return id;
    });
  const clear = (id: unknown) => {
    const t = timers.get(id as number);
    if (t?.task) loop.cancel(t.task);
    if (t) putOff.delete(t);
    timers.delete(id as number);
  };
  let timerIds = 0;
  const timers = new Map<number, Timer>();
  const random = o.random;

  const on = (target: 'window' | 'document') => ({
    addEventListener: (type: string, listener: (event: unknown) => void, options?: boolean | { capture?: boolean }) => {
      const capture = typeof options === 'boolean' ? options : !!options?.capture;
      if (typeof listener !== 'function') return;
      if (!listeners[target].some((l) => l.type === type && l.listener === listener && l.capture === capture))
        listeners[target].push({ type, listener, capture });
    },
    removeEventListener: (type: string, listener: unknown, options?: boolean | { capture?: boolean }) => {
      const capture = typeof options === 'boolean' ? options : !!options?.capture;
      listeners[target] = listeners[target].filter((l) => !(l.type === type && l.listener === listener && l.capture === capture));
    },
  });

  const storage = (map: StorageMap, refused?: (key: string, value: string) => boolean, wrote?: () => void) => ({
    getItem: api((key: string) => (map.has(String(key)) ? map.get(String(key))! : null)),
    setItem: api((key: string, value: string) => {
      wrote?.();
      if (refused?.(String(key), String(value))) {
        world.log(`${o.id} sets ${key}: refused (QuotaExceededError)`);
        throw page.error('QuotaExceededError', 'The quota has been exceeded');
      }
      // (what delivery shares between pages, in the log: the outcome, the hand-over, the marks, a withdrawal)
      if (/^stint:(outcome|left|sent|withdrawn)$|^stint:left:/.test(key)) world.log(`${o.id} sets ${key} ${String(value).slice(0, 120)}`);
      map.set(String(key), String(value));
      world.shared(page, String(key), String(value));
    }),
    removeItem: api((key: string) => {
      wrote?.();
      if (/^stint:(outcome|left|sent|withdrawn)$|^stint:left:/.test(key) && map.has(key)) {
        world.log(`${o.id} removes ${key}`);
        world.removed(page, key);
      }
      map.delete(String(key));
    }),
    clear: api(() => (wrote?.(), map.clear())),
    key: api((i: number) => [...map.keys()][i] ?? null),
    get length() {
      return map.size;
    },
  });

  const location = new URL(o.url);
  const document: Record<string, unknown> = {
    ...on('document'),
    get visibilityState() {
      return page.visible ? 'visible' : 'hidden';
    },
    get hidden() {
      return !page.visible;
    },
    hasFocus: () => page.visible,
    title: `page ${o.id}`,
    referrer: o.referrer || '',
    currentScript: null,
    wasDiscarded: !!o.wasDiscarded,
    readyState: 'complete',
    createElement: () => ({ setAttribute() {}, dataset: {} }),
    head: { appendChild() {} },
  };
  Object.defineProperty(document, 'cookie', {
    get: api(() => world.cookie(page).get()),
    set: api((value: string) => world.cookie(page).set(value)),
  });

  const sandbox: Record<string, unknown> = {
    __sim: {
      task: () => {},
      now: () => loop.now(),
      random: () => random.next(),
      uncaught: (e: unknown) => world.fault(page, `an error thrown in a microtask: ${describe(e)}`),
    },
    ...on('window'),
    document,
    location: {
      href: location.href,
      origin: location.origin,
      protocol: location.protocol,
      host: location.host,
      hostname: location.hostname,
      pathname: location.pathname,
      search: location.search,
      hash: location.hash,
      toString: () => location.href,
    },
    history: { state: null, length: 1, pushState() {}, replaceState() {} },
    navigator: {
      get onLine() {
        return world.onLine();
      },
      sendBeacon: api((url: string, body: unknown) => world.beacon(page, String(url), body)),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      language: 'en-US',
      languages: ['en-US'],
      maxTouchPoints: 0,
      webdriver: false,
    },
    screen: { width: 1280, height: 720, colorDepth: 24, orientation: { type: 'landscape-primary' } },
    console: {
      // (console.log, in the flight recorder's log: a debugging aid while a seed is studied)
      log: (...a: unknown[]) => world.log(`${page.id} console: ${a.map(describe).join(' ')}`),
      info: (...a: unknown[]) => page.console.push(a.map(describe).join(' ')),
      debug: (...a: unknown[]) => page.console.push(a.map(describe).join(' ')),
      warn: (...a: unknown[]) => page.console.push('warn: ' + a.map(describe).join(' ')),
      error: (...a: unknown[]) => {
        const line = a.map(describe).join(' ');
        page.console.push('error: ' + line);
        // An internal error (#0) is a bug, unless the page had crashed (its APIs throw from then on).
        if (/\(#0[:)]/.test(line) && !page.crashed) world.fault(page, `internal error: ${line}`);
      },
    },
    setTimeout: timer(false),
    setInterval: timer(true),
    clearTimeout: clear,
    clearInterval: clear,
    crypto: {
      getRandomValues: api((array: Uint32Array | Uint8Array) => {
        for (let i = 0; i < array.length; i++) array[i] = random.words(1)[0] & (array instanceof Uint8Array ? 0xff : 0xffffffff);
        return array;
      }),
    },
    fetch: api((url: unknown, init: FetchInit = {}) => world.fetch(page, String(url), init)),
    // (Stint aborts a request it gave up on, transport.ts: a keepalive fetch's bytes then leave the 64 KiB quota; seed
    // 38765, without it, a page whose request hung was refused every request after, for ever)
    AbortController: class {
      signal: AbortLike = { aborted: false, listeners: [] as (() => void)[], addEventListener(_: string, f: () => void) { this.listeners.push(f); } };
      abort() {
        if (this.signal.aborted) return;
        this.signal.aborted = true;
        for (const f of this.signal.listeners) f();
      }
    },
    URL,
    URLSearchParams,
    TextEncoder,
    Blob,
    Response,
    structuredClone: (value: unknown) => page.clone(value),
    requestAnimationFrame: timer(false),
    // (the page's time zone: Temporal answers at once, where each realm's first Intl.DateTimeFormat costs half a ms)
    Temporal: { Now: { timeZoneId: () => 'Europe/Paris' } },
    MutationObserver: class {
      observe() {}
      disconnect() {}
    },
  };
  Object.defineProperty(sandbox, 'localStorage', { get: () => world.localStorage(page), enumerable: true });
  Object.defineProperty(sandbox, 'sessionStorage', { get: () => sessionStorage, enumerable: true });
  Object.defineProperty(sandbox, 'indexedDB', { get: () => world.indexedDB(page), enumerable: true });
  const sessionStorage = storage(o.sessionStorage);
  sandbox.BroadcastChannel = function BroadcastChannel(name: string) {
    return world.channel(page, String(name));
  };

  const context = vm.createContext(sandbox, { name: o.id, microtaskMode: 'afterEvaluate' });
  const sim = sandbox.__sim as Record<string, (...args: unknown[]) => unknown>;
  BOOT.runInContext(context);

  let depth = 0;
  const page: Page = {
    id: o.id,
    url: o.url,
    visible: o.visible,
    frozen: false,
    cached: false,
    restoredAt: -1,
    stoppedAt: -1,
    crashed: false,
    crashedTask: null,
    crashedAt: null,
    discarded: false,
    crashAfter: 0,
    taskNo: 0,
    state: 'running' as OwnerState,
    deferred: [],
    context,
    Promise: vm.runInContext('Promise', context),
    console: [],
    sessionStorage: o.sessionStorage,
    wasDiscarded: !!o.wasDiscarded,
    // Chromium runs a frozen page's BroadcastChannel messages (tabs.ts): nothing else.
    runsWhilePaused: (task) => !!task.message && page.frozen && !page.cached,
    timer(delay, what, run) {
      const t = later(delay, what, () => (models.delete(t), run()));
      models.set(t, [loop.now() + delay, run]);
    },
    takeDue() {
      for (const [t, [due, run]] of models) {
        if (due > loop.now()) continue;
        if (t.task) loop.cancel(t.task);
        (models.delete(t), putOff.delete(t));
        run();
      }
    },
    shown() {
      for (const t of putOff) {
        if (t.task) loop.cancel(t.task);
        t.task = loop.at(0, page, 'timeout', t.fire);
      }
      putOff.clear();
    },
    enter(run) {
      if (page.crashed) return;
      // (a task inside a task: its microtasks run with the outer one's)
      if (depth) return run();
      depth++;
      page.taskNo++;
      sim.task = () => {
        try {
          run();
        } catch (e) {
          if (!page.crashed) world.fault(page, `an error thrown into the page: ${describe(e)}`);
        }
      };
      try {
        TRAMPOLINE.runInContext(context);
      } finally {
        depth--;
      }
      world.endOfTask(page);
    },
    run(what, code) {
      let result: unknown;
      page.enter(() => (result = code(sandbox)));
      return result as never;
    },
    fire(target, type, init = {}) {
      const event = { type, target: target === 'window' ? sandbox : document, ...init };
      // (capture listeners of the window first, then the target's: enough for what Stint listens to)
      const list = [...listeners.window.filter((l) => l.type === type && (target === 'window' || l.capture)), ...(target === 'document' ? listeners.document.filter((l) => l.type === type) : [])];
      for (const { listener } of list)
        try {
          listener.call(target === 'window' ? sandbox : document, event);
        } catch (e) {
          if (!page.crashed) world.fault(page, `an error thrown into the page's ${type} listener: ${describe(e)}`);
        }
    },
    clone: (value) => sim.clone(value) as never,
    error: (name, message) => sim.makeError(name, message) as Error,
    promise: (executor) => sim.makePromise(executor) as never,
    after: (promise, done) => void sim.after(promise, done),
    alive: () => !page.crashed && page.state !== 'gone',
    api,
    storage,
  };
  return page;
}

export function describe(value: unknown): string {
  try {
    if (value instanceof Error || (value && typeof value === 'object' && 'stack' in value)) return String((value as Error).stack || value);
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

