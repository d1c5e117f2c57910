/**
 * One site in one browser, simulated: its tabs and their pages (each a realm running Stint's script tag), and what
 * they share: the cookie jar, localStorage, IndexedDB, the tabs' BroadcastChannel, the network and the collector, one
 * clock. What people do (site.act) and what the browser does to pages (hide, freeze, the back/forward cache, a close,
 * a crash) are the simulator's moves; every answer of the browser comes as a task, later, as the seed says. Each tab
 * reads the cookies and localStorage through a copy of its own, which another tab's write reaches later (storage.ts).
 */
import vm from 'node:vm';
import { startIdb, type IdbWorld } from './idb';
import { startLoop, type Loop } from './loop';
import { startNet, type Net } from './net';
import { describe, startPage, type Page, type World } from './page';
import type { Use } from './liveness';
import { probe } from './probes';
import type { Random } from './random';
import { startDisk, startReplica, type Pinned } from './storage';

export interface Tab {
  id: string;
  /** its pages, oldest first; `at` is the current one (a page behind it may be in the back/forward cache) */
  history: { url: string; page: Page | null }[];
  at: number;
  sessionStorage: Map<string, string>;
  /** discarded by the browser: shown again, it reloads (`document.wasDiscarded`) */
  discarded: boolean;
  closed: boolean;
}

/** What the browser did to a page's showing (site.ts `see`, for the session oracle's timeline). */
export type Shown = 'load' | 'hide' | 'show' | 'leave' | 'restore' | 'resume' | 'gone' | 'crash';

/** An event a page tracked: where and when, and the task that tracked it. */
export interface Tracked {
  id: string;
  name: string;
  page: string;
  task: number;
  at: number;
}

export interface Flush {
  page: string;
  at: number;
  /** the events the page had tracked when it asked */
  ids: string[];
  resolvedAt: number | null;
}

export interface SiteOptions {
  seed: number;
  random: Random;
  bundle: vm.Script;
  config: Record<string, unknown>;
  /** the log's lines kept (the flight recorder) */
  log: string[];
  /** what the browser is like: cookies blocked, its engine, the disk (drawn from the seed where not said: storage.ts) */
  scenario?: { cookies: boolean; engine: 'chromium' | 'webkit'; disk?: Pinned };
}

export interface Site {
  loop: Loop;
  net: Net;
  idb: IdbWorld;
  tabs: Tab[];
  /** what the device holds (a write reaches it a moment after its page made it: storage.ts) */
  cookies: Map<string, { value: string; expires: number }>;
  local: Map<string, string>;
  /** what it holds once the writes on their way have landed */
  settled(): { cookies: Map<string, { value: string; expires: number }>; local: Map<string, string> };
  tracked: Map<string, Tracked>;
  flushes: Flush[];
  faults: string[];
  /** pages by id, every one that lived */
  pages: Map<string, Page>;
  /** when each page left or froze, each time (its requests in flight then awaited a verdict, if delivery worked) */
  left: Map<string, { at: number; order: number }[]>;
  log(line: string): void;
  current(tab: Tab): Page | null;
  openTab(): Tab;
  /** `size`: characters of text each event carries */
  track(tab: Tab, count: number, size?: number): void;
  view(tab: Tab): void;
  flush(tab: Tab): void;
  setConsent(tab: Tab, state: string): void;
  hide(tab: Tab): void;
  show(tab: Tab): void;
  freeze(tab: Tab): void;
  resume(tab: Tab): void;
  navigate(tab: Tab): void;
  back(tab: Tab): void;
  reload(tab: Tab): void;
  close(tab: Tab): void;
  /** the page crashes at its `after`-th browser API call from now (1: at once) */
  crash(tab: Tab, after: number): void;
  discard(tab: Tab): void;
  /** called when a flush resolves (the invariants) */
  onFlush: ((flush: Flush) => void) | null;
  /** called for each IndexedDB write that lands */
  onCommit: ((db: string, store: string, key: string, value: unknown) => void) | null;
  /** called for each message a page posts on the tabs' channel and each write it makes to storage (liveness.ts) */
  onUse: ((page: string, use: Use) => void) | null;
  /**
   * when each page heard the site's consent decisions (its own call, or another tab's message): the first grant and
   * refusal, and every decision it heard and follows, in order (docs/consent.md: the latest decision wins, whatever
   * order the channel brings them in; a refusal over a grant of the same ms); `decidedAt`: the latest's time
   */
  consent: Map<string, { granted: number | null; denied: number | null; heard: { at: number; state: string }[]; decidedAt: number }>;
  /** the visitor's decisions, in order (the config's first): the page told, and how many pages the site had by then */
  decisions: { at: number; state: string; page?: string; pages?: number; lost?: true }[];
  /** what the pages set in localStorage that the site's other pages read: which page, which key, when, in which task */
  shares: { page: string; key: string; at: number; task: number }[];
  /** the site's last delivery outcome (`stint:outcome`) as each tab's copy of localStorage holds it, in order */
  outcomeCopies: { tab: string; value: string | null; order: number }[];
  /** the session's count (and the one it followed) as the cookie jar holds it, by when each write of it reached the jar */
  jarred: { at: number; session: string; index: number; prev: string | null }[];
  /** when a tab read the session's cookie while its own write was on its way, not shown another tab's (storage.ts) */
  masked: { tab: string; at: number }[];
  /** the same of the session's mirror in localStorage, and the tab that wrote it */
  mirrored: { at: number; session: string; index: number; prev: string | null; tab: string }[];
  /** each write of what a page sent (`stint:left`, `stint:sent`) as it reached another tab: whose, made when, when */
  records: { from: string; made: number; tab: string; at: number }[];
  /** each localStorage write refused for quota: which page, which key and value, when */
  refusals: { page: string; key: string; value: string; at: number }[];
  /** each write of the session's cookie: which page, which session (and the one it followed), its eventIndex */
  written: { at: number; page: string; session: string; index: number; prev: string | null; idb?: true }[];
  /** each `sending` message: who told it, which ids, in what order, and when each page heard it */
  sending: { from: string; ids: string[]; order: number; heard: Map<string, number> }[];
  /**
   * what the browser showed of each page, as it changed: its load, a hide, a show, a leave, a restore, a resume, its
   * end (`crash`: it crashed while shown)
   */
  seen: { at: number; page: string; visible: boolean; how: Shown }[];
  /** each consent decision each page heard, in order, and in which of its tasks (`consent`: the first each way) */
  hearings: { page: string; at: number; task: number; state: string }[];
  /** when each page went, and how (crashed, left, discarded, evicted, its tab closed) */
  deaths: Map<string, { at: number; why: string }>;
  /** the channel's tail: when a page heard a message late, busy with a long task (none of its tasks ran) or not */
  busy: { page: string; from: number; until: number; busy: boolean }[];
}

const ORIGIN = 'https://shop.test';
const SNIPPET = new vm.Script(
  'window.stint = function () { window.stint.q.push([arguments, Date.now()]); }; window.stint.q = [];',
  { filename: 'snippet' },
);

export function startSite(o: SiteOptions): Site {
  const random = o.random.fork('browser');
  const loop = startLoop(Date.UTC(2026, 10, 27, 9, 0, 0));
  const log = (line: string) => void o.log.push(`${String(loop.now() - start).padStart(7)} ${line}`);
  const start = loop.now();
  const safeDecode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };
  // (the storage's own streams: what they draw moves none of the other answers)
  const storage = o.random.fork('storage');
  /** How long a resumed page's backlog waits behind what its resume handlers queue: a stream of its own. */
  const backlog = o.random.fork('backlog');
  /** the channel's tail: a stream of its own, so that every other draw of a seed is what it was without it */
  const tail = o.random.fork('channel');
  const behind = () => (backlog.chance(0.3) ? backlog.between(1, 30) : 0);
  const disk = startDisk(storage.fork('disk'), log, o.scenario?.disk);
  // (what each tab's copy holds of the site's last delivery outcome, and from when: what its pages can know of it)
  const outcomeCopies: Site['outcomeCopies'] = [];
  // (and when a leaving page's record of what it sent reached each other tab)
  const records: Site['records'] = [];
  const watch = (tab: string, key: string, value: string | undefined, from?: { tab: string; at: number }) => {
    if (key === 'stint:outcome') outcomeCopies.push({ tab, value: value ?? null, order: net.tick() });
    if (from && /^stint:(left:.*|sent)$/.test(key)) records.push({ from: from.tab, made: from.at, tab, at: loop.now() });
  };
  // (the session's count as localStorage holds its mirror, by when each write of it landed: where cookies are blocked,
  // what another tab can read at once)
  const mirrored: Site['mirrored'] = [];
  const mirror = (key: string, value: string | undefined, tab: string) => {
    const state = key === 'stint:mirror' && value && /^\d\.\{/.test(value) ? JSON.parse(value.slice(2)) : null;
    if (state?.s) mirrored.push({ at: loop.now(), session: state.s, index: state.e, prev: state.p ?? null, tab });
  };
  const local = startReplica<string>(loop, storage.fork('local'), 'localStorage', {
    remote: () => storage.between(0, 1),
    watch,
    stored: mirror,
  });
  type Cookie = { value: string; expires: number };
  // (the session's count as the jar holds it, by when each write of it landed: what another tab can read)
  const jarred: Site['jarred'] = [];
  const stored = (name: string, cookie?: Cookie) => {
    const state = name === '_stint' && cookie && /^\d\.\{/.test(safeDecode(cookie.value)) ? JSON.parse(safeDecode(cookie.value).slice(2)) : null;
    if (state?.s) jarred.push({ at: loop.now(), session: state.s, index: state.e, prev: state.p ?? null });
  };
  const masked: Site['masked'] = [];
  const jar = startReplica<Cookie>(loop, storage.fork('cookies'), 'cookie', {
    remote: () => 0,
    stored,
    masked: (tab, key) => key === '_stint' && masked.push({ tab, at: loop.now() }),
  });
  const cookies = jar.device;
  /** each page's tab (its renderer's copy of the storage) */
  const tabOf = new Map<Page, string>();
  const idb = startIdb(loop, random.fork('idb'), log, (db, store, key, value) => onCommit?.(db, store, key, value), {
    cached: (page) => (page as Page).cached,
    evict: (page, why) => kill(page as Page, why),
    // (the session's count as each page writes it to IndexedDB, where cookies are blocked)
    put: (page, store, value) => store === 'session' && record(page as Page, typeof value === 'string' ? value : '', true),
    wrote: (page) => onUse?.((page as Page).id, 'idb'),
    refuse: disk.refuse,
  });
  const net = startNet(loop, random.fork('net'), log);
  const channels = new Map<string, Set<Channel>>();
  const tabs: Tab[] = [];
  const pages = new Map<string, Page>();
  const left = new Map<string, { at: number; order: number }[]>();
  const leaves = (id: string) => left.set(id, [...(left.get(id) || []), { at: loop.now(), order: net.tick() }]);
  const tracked = new Map<string, Tracked>();
  const flushes: Flush[] = [];
  const faults: string[] = [];
  const consent: Site['consent'] = new Map();
  const written: Site['written'] = [];
  const refusals: Site['refusals'] = [];
  const lastWritten = new Map<string, Site['written'][number]>();
  /** The session's count as `page` writes it: when two pages recorded an index, for the invariants. */
  const record = (page: Page, value: string, idb?: true) => {
    const state = /^\d\.\{/.test(value) ? JSON.parse(value.slice(2)) : null;
    if (!state?.s) return;
    // (the mirror, written with the store at each save: once is enough)
    const same = lastWritten.get(page.id);
    if (same?.at === loop.now() && same.session === state.s && same.index === state.e) return;
    const write = { at: loop.now(), page: page.id, session: state.s, index: state.e, prev: state.p ?? null, ...(idb && { idb }) };
    lastWritten.set(page.id, write);
    written.push(write);
    log(`${page.id} writes the session ${String(state.s).slice(0, 8)} at ${state.e}`);
  };
  const sending: Site['sending'] = [];
  const seen: Site['seen'] = [];
  /** The browser shows `page` now, or no longer (the session oracle's timeline of the site's background). */
  const see = (page: Page, visible: boolean, how: Shown) => {
    page.visible = visible;
    if (visible) page.shown();
    seen.push({ at: loop.now(), page: page.id, visible, how });
  };
  const decisions: Site['decisions'] = [{ at: loop.now(), state: String(o.config.consent ?? 'granted') }];
  const hearings: Site['hearings'] = [];
  const deaths: Site['deaths'] = new Map();
  const busySpans: Site['busy'] = [];
  const shares: Site['shares'] = [];
  /**
   * Page `id` heard the decision `state` now (the first time each way counts); `next`: in its next task; `from`: the
   * page's own decision, the config's, or the time another tab took it (a message).
   */
  const heard = (id: string, state: unknown, next = false, from: 'page' | 'config' | number = 'page') => {
    const known = consent.get(id) || { granted: null, denied: null, heard: [], decidedAt: 0 };
    consent.set(id, known);
    if (typeof from == 'number' && (from < known.decidedAt || (from === known.decidedAt && state === 'granted'))) return;
    // (a page's own decision comes after any it heard, though in the same ms)
    if (from !== 'config') known.decidedAt = typeof from == 'number' ? from : Math.max(loop.now(), known.decidedAt + 1);
    const before = known.heard.at(-1)?.state ?? String(o.config.consent ?? 'granted');
    known.heard.push({ at: loop.now(), state: String(state) });
    const task = (pages.get(id)?.taskNo ?? 0) + (next ? 1 : 0);
    if (state === 'granted' || state === 'denied') hearings.push({ page: id, at: loop.now(), task, state });
    if (state === 'granted') known.granted ??= loop.now();
    if (state === 'denied') known.denied ??= loop.now();
    // (a refusal stops the page's sender: what it awaits then is given up, and its answers are not heard; sender.ts;
    // so does a grant after one, which starts a sender with consent: test/sim seed 25383, an anonymous request's 2xx,
    // heard 11 s after the grant by nobody, taken as the outcome the page left by)
    const page = pages.get(id);
    if (page && (state === 'denied' ? before !== 'denied' : state === 'granted' && before === 'denied')) page.stoppedAt = loop.now();
  };
  let pageCount = 0;
  /** the visitor's last decision, as the site's consent platform keeps it */
  let decision: string | null = null;
  let onFlush: Site['onFlush'] = null;
  let onCommit: Site['onCommit'] = null;
  let onUse: Site['onUse'] = null;
  /** the last delivery time of a message from one page to one channel: per sender, in order */
  const lastDelivery = new Map<string, number>();

  interface Channel {
    page: Page;
    name: string;
    closed: boolean;
    object: Record<string, unknown>;
  }

  const world: World = {
    loop,
    log,
    cookie: (page) => ({
      get: () => {
        if (o.scenario?.cookies === false) return '';
        const now = loop.now();
        const view = jar.view(tabOf.get(page)!);
        return [...view.keys()]
          .map((name) => [name, view.get(name)!] as const)
          .filter(([, c]) => c.expires > now)
          .map(([name, c]) => `${name}=${c.value}`)
          .join('; ');
      },
      set: (text: string) => {
        // (a browser that blocks cookies drops the write without a word)
        if (o.scenario?.cookies === false) return;
        onUse?.(page.id, 'cookie');
        const [pair, ...attributes] = String(text).split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        let expires = Infinity;
        for (const attribute of attributes) {
          const [key, v] = attribute.trim().split('=');
          if (key.toLowerCase() === 'max-age') expires = loop.now() + Number(v) * 1000;
        }
        const view = jar.view(tabOf.get(page)!);
        if (expires <= loop.now()) view.delete(name);
        else view.set(name, { value, expires });
        if (name === '_stint') record(page, safeDecode(value));
      },
    }),
    // (a write refused for quota throws: https://html.spec.whatwg.org/multipage/webstorage.html#dom-storage-setitem)
    localStorage: (page) =>
      page.storage(local.view(tabOf.get(page)!), (key, value) => {
        const refused = disk.refuseLocal(key, value, local.device.get(key));
        if (refused) refusals.push({ page: page.id, key, value, at: loop.now() });
        return refused;
      }, () => onUse?.(page.id, 'localStorage')),
    indexedDB: (page) => idbFor(page),
    channel: (page, name) => open(page, name),
    fetch: (page, url, init) => net.fetch(page, url, init),
    beacon: (page, url, body) => net.beacon(page, url, body),
    onLine: () => net.onLine,
    endOfTask(page) {
      idb.endOfTask(page);
      if (page.crashed && page.state !== 'gone') kill(page, 'crashed');
    },
    fault(page, what) {
      faults.push(`${page.id}: ${what}`);
      log(`FAULT ${page.id}: ${what}`);
    },
    removed(page, key) {
      if (key === 'stint:outcome') net.erased.push({ at: loop.now(), page: page.id, order: net.tick() });
    },
    shared(page, key, value) {
      shares.push({ page: page.id, key, at: loop.now(), task: page.taskNo });
      // (a page whose store has not answered yet records its count in the mirror alone: session/open.ts)
      if (key === 'stint:mirror') record(page, value);
      // An outcome the page shares as new, which the simulator has not seen it learn at this moment: it took it at a
      // moment of its own (its give-up timer, set before the simulator's, fired first). What it shares is what it learned.
      const [ok, at] = value.split(' ');
      const seen = net.outcomes.some((o) => o.page === page.id && o.at === loop.now() && o.ok === (ok === '1'));
      if (key === 'stint:outcome' && Number(at) === loop.now() && !seen) net.learned(page, ok === '1');
    },
  };

  const factories = new Map<Page, unknown>();
  const idbFor = (page: Page) => {
    let factory = factories.get(page);
    if (!factory) {
      const raw = idb.factory(page) as Record<string, (...args: unknown[]) => unknown>;
      factory = { open: page.api(raw.open), deleteDatabase: page.api(raw.deleteDatabase), databases: raw.databases };
      factories.set(page, factory);
    }
    return factory;
  };

  /**
   * A channel message's latency: mostly a few ms; now and then tens; rarely hundreds: its receiving tab busy with a long
   * task (which delays every task of its page, its message events included), or the browser's processes busy (the
   * message is a Mojo IPC through the browser process; the chaos harness saw tabs of one site 50-76 ms apart).
   */
  const latency = () => {
    const base = random.between(0, 3);
    const r = tail.next();
    const ms = r < 0.94 ? base : r < 0.99 ? tail.between(10, 99) : tail.between(100, 900);
    if (ms >= 100) probe('channel: a message hundreds of ms late');
    else if (ms >= 10) probe('channel: a message tens of ms late');
    return ms;
  };

  function open(page: Page, name: string) {
    const channel: Channel = { page, name, closed: false, object: {} };
    const all = channels.get(name) || new Set();
    channels.set(name, all);
    all.add(channel);
    Object.assign(channel.object, {
      onmessage: null,
      postMessage: page.api((data: unknown) => {
        if (channel.closed) throw page.error('InvalidStateError', 'The channel is closed');
        onUse?.(page.id, 'message');
        const text = JSON.stringify(data);
        // (what one tab tells the others it sends: when, and when each heard it, for the invariants)
        const told = (data as { k?: string })?.k === 'sending' ? { from: page.id, ids: (data as { ids: string[] }).ids, order: net.tick(), heard: new Map<string, number>() } : null;
        if (told) sending.push(told);
        for (const other of all) {
          if (other === channel || other.closed) continue;
          // A message that reaches a page in the back/forward cache evicts it in Chromium and Firefox (Chromium's
          // RendererEvictionReason kBroadcastChannelOnMessage; WebKit keeps it): the visitor's way back reloads the
          // page. Stint leaves the channel at pagehide (core/session/site.ts), so that its tag costs the page no instant return.
          if (other.page.cached && o.scenario?.engine !== 'webkit') {
            probe('channel: a cached page evicted by a message');
            const what = 'evicted from the back/forward cache by a message on a channel it kept open there';
            (faults.push(`${other.page.id}: ${what}`), log(`FAULT ${other.page.id}: ${what}`));
            kill(other.page, 'evicted: a channel message reached it in the cache');
            continue;
          }
          // In order per sender, interleaved across senders.
          const key = `${page.id}>${other.page.id}`;
          const ms = latency();
          // (a tail: half the time the receiving tab is busy with a long task from now, and none of its tasks runs
          // before it ends; else the message itself is late, between processes of a busy browser, the page free)
          const busy = ms >= 10 && tail.chance(0.5);
          if (busy) other.page.busyUntil = Math.max(other.page.busyUntil ?? 0, loop.now() + ms);
          if (ms >= 10) busySpans.push({ page: other.page.id, from: loop.now(), until: loop.now() + ms, busy });
          if (ms >= 100) log(`${busy ? `${other.page.id} busy` : 'a message late'} for ${ms} ms: from ${page.id} to ${other.page.id}`);
          const at = Math.max(loop.now() + ms, lastDelivery.get(key) || 0);
          lastDelivery.set(key, at);
          loop.at(
            at - loop.now(),
            other.page,
            `message ${page.id}>${other.page.id}`,
            () => {
              const handler = other.object.onmessage;
              if (other.closed || typeof handler !== 'function') return;
              const message = JSON.parse(text);
              if (message?.k === 'consent') heard(other.page.id, message.c, false, Number(message.t));
              told?.heard.set(other.page.id, net.tick());
              handler.call(other.object, { data: other.page.clone(message) });
            },
            true,
          );
        }
      }),
      close: () => {
        channel.closed = true;
        all.delete(channel);
      },
    });
    return channel.object;
  }

  /** The page is gone: its tasks dropped, its channels closed, its transactions left to the browser. */
  function kill(page: Page, why: string) {
    if (page.state === 'gone') return;
    page.state = 'gone';
    deaths.set(page.id, { at: loop.now(), why });
    log(`${page.id} gone (${why})`);
    see(page, false, page.visible && page.crashed ? 'crash' : 'gone');
    for (const all of channels.values()) for (const c of [...all]) if (c.page === page) (c.closed = true), all.delete(c);
    idb.gone(page, (what) => {
      const lands = random.chance(0.5);
      probe(lands ? 'idb: an unfinished write landed as its page went' : 'idb: an unfinished write lost as its page went');
      log(`${what} of ${page.id} ${lands ? 'lands' : 'is lost'} as the page goes`);
      return lands;
    });
  }

  const current = (tab: Tab): Page | null => {
    const page = tab.history[tab.at]?.page;
    return page && page.state !== 'gone' && !tab.closed ? page : null;
  };

  /** A new document in `tab` at `url`: the snippet, `init` and `page` queued, then Stint's script. */
  function load(tab: Tab, url: string, wasDiscarded = false): Page {
    const page = startPage(world, {
      id: `${tab.id}.${++pageCount}`,
      url,
      visible: true,
      random: o.random.fork(`page ${pageCount}`),
      sessionStorage: tab.sessionStorage,
      wasDiscarded,
      referrer: tab.history[tab.at]?.url,
    });
    pages.set(page.id, page);
    see(page, true, 'load');
    tabOf.set(page, tab.id);
    if (o.config.consent === 'granted') heard(page.id, 'granted', true, 'config');
    log(`${page.id} loads ${url}${wasDiscarded ? ' (discarded before)' : ''}`);
    page.run('load', (w) => {
      // (a page that starts offline learns that much: delivery/sender.ts)
      if (!net.onLine) net.learned(page, false);
      SNIPPET.runInContext(page.context);
      const stint = w.stint as (...args: unknown[]) => unknown;
      stint('init', o.config);
      // (the site's consent platform remembers the visitor's decision, and says it on each page at once)
      if (decision) {
        stint('setConsent', decision);
        heard(page.id, decision);
      }
      stint('page');
      o.bundle.runInContext(page.context);
    });
    return page;
  }

  /** The page leaves: pagehide (`persisted`: into the back/forward cache), then hidden; cached, or gone. */
  function leave(page: Page, persisted: boolean) {
    if (page.frozen) resumePage(page);
    log(`${page.id} leaves${persisted ? ' (into the back/forward cache)' : ''}`);
    // (Stint takes first what its throttled timers had not yet: transport.ts takeDue)
    page.enter(() => page.takeDue());
    leaves(page.id);
    page.enter(() => page.fire('window', 'pagehide', { persisted }));
    if (page.state !== 'gone') see(page, false, 'leave');
    page.enter(() => page.fire('window', 'visibilitychange'));
    // (a page that crashed in its pagehide is gone: the cache keeps nothing of it)
    if (page.state === 'gone') return;
    if (persisted) {
      page.cached = true;
      page.state = 'paused';
      // (WebKit drops what the page left unwritten as it enters the cache: https://bugs.webkit.org/show_bug.cgi?id=315804)
      if (o.scenario?.engine === 'webkit') idb.abandon(page);
      else idb.cached(page);
    } else kill(page, 'left');
  }

  function resumePage(page: Page) {
    see(page, page.visible, 'resume');
    page.frozen = false;
    page.state = 'running';
    loop.resume(page, behind());
    // (Stint's resume judges the visibility, and a hidden page takes then what its timers have not: transport.ts takeDue)
    page.enter(() => (page.visible || page.takeDue(), page.fire('document', 'resume')));
  }

  const site: Site = {
    loop,
    net,
    idb,
    tabs,
    cookies,
    local: local.device,
    settled: () => ({ cookies: jar.settled(), local: local.settled() }),
    tracked,
    flushes,
    faults,
    pages,
    left,
    log,
    current,
    onFlush: null,
    onCommit: null,
    onUse: null,
    consent,
    decisions,
    shares,
    written,
    refusals,
    outcomeCopies,
    records,
    jarred,
    masked,
    mirrored,
    sending,
    seen,
    hearings,
    deaths,
    busy: busySpans,
    openTab() {
      const tab: Tab = { id: `t${tabs.length + 1}`, history: [], at: -1, sessionStorage: new Map(), discarded: false, closed: false };
      tabs.push(tab);
      const url = `${ORIGIN}/p${pageCount + 1}`;
      tab.history.push({ url, page: null });
      tab.at = 0;
      tab.history[0].page = load(tab, url);
      return tab;
    },
    track(tab, count, size = 0) {
      const page = current(tab);
      if (!page || page.state !== 'running') return;
      page.run('track', (w) => {
        const stint = w.stint as (...args: unknown[]) => unknown;
        for (let i = 0; i < count; i++) {
          const name = `e${tracked.size + 1}`;
          const id = stint('track', name, size ? { n: tracked.size + 1, text: 'x'.repeat(size) } : { n: tracked.size + 1 });
          if (typeof id === 'string') tracked.set(id, { id, name, page: page.id, task: page.taskNo, at: loop.now() });
        }
      });
      log(`${page.id} tracks ${count}`);
    },
    view(tab) {
      const page = current(tab);
      if (!page || page.state !== 'running') return;
      page.run('page', (w) => {
        const id = (w.stint as (...args: unknown[]) => unknown)('page');
        if (typeof id === 'string') tracked.set(id, { id, name: 'page_view', page: page.id, task: page.taskNo, at: loop.now() });
      });
      log(`${page.id} page()`);
    },
    flush(tab) {
      const page = current(tab);
      if (!page || page.state !== 'running') return;
      const ids = [...tracked.values()].filter((t) => t.page === page.id).map((t) => t.id);
      const record: Flush = { page: page.id, at: loop.now(), ids, resolvedAt: null };
      flushes.push(record);
      log(`${page.id} flush()`);
      page.run('flush', (w) => {
        page.after((w.stint as (...args: unknown[]) => Promise<void>)('flush'), () => {
          record.resolvedAt = loop.now();
          log(`${page.id} flush() resolved`);
          onFlush?.(record);
        });
      });
    },
    setConsent(tab, state) {
      const page = current(tab);
      if (!page || page.state !== 'running') return;
      log(`${page.id} setConsent(${state})`);
      heard(page.id, state, true);
      decision = state;
      const told: Site['decisions'][number] = { at: loop.now(), state, page: page.id, pages: pages.size };
      decisions.push(told);
      page.run('consent', (w) => (w.stint as (...args: unknown[]) => unknown)('setConsent', state));
      // (the page crashed in that very task, before it stored the withdrawal: no other page of the site heard it, and
      // the site's consent platform tells only the pages that load after)
      const stored = shares.some((s) => s.page === page.id && s.key === 'stint:withdrawn' && s.task === page.taskNo);
      if (state === 'denied' && page.crashed && page.crashedTask === page.taskNo && !stored) told.lost = true;
    },
    hide(tab) {
      const page = current(tab);
      if (!page || !page.visible || page.state !== 'running') return;
      see(page, false, 'hide');
      log(`${page.id} hidden`);
      page.enter(() => (page.takeDue(), page.fire('window', 'visibilitychange')));
    },
    show(tab) {
      if (tab.closed) return;
      if (tab.discarded) {
        tab.discarded = false;
        tab.history[tab.at].page = load(tab, tab.history[tab.at].url, true);
        return;
      }
      const page = current(tab);
      if (!page || page.visible) return;
      if (page.frozen) resumePage(page);
      // (a page that crashed in its resume handler is gone, not shown: seed 14717 had it shown for ever)
      if (page.state === 'gone') return;
      see(page, true, 'show');
      log(`${page.id} shown`);
      page.enter(() => page.fire('window', 'visibilitychange'));
    },
    freeze(tab) {
      const page = current(tab);
      if (!page || page.visible || page.frozen || page.state !== 'running') return;
      log(`${page.id} frozen`);
      page.enter(() => page.takeDue());
      leaves(page.id);
      page.enter(() => page.fire('document', 'freeze'));
      // (a page that crashed in its freeze handler is gone, not frozen)
      if (page.state !== 'running') return;
      page.frozen = true;
      page.state = 'paused';
    },
    resume(tab) {
      const page = current(tab);
      if (!page || !page.frozen) return;
      log(`${page.id} resumed`);
      resumePage(page);
    },
    navigate(tab) {
      const page = current(tab);
      if (!page) return;
      const url = `${ORIGIN}/p${pageCount + 1}`;
      leave(page, random.chance(0.5));
      // (the pages ahead are dropped: a new branch of history; those in the cache are evicted)
      for (const entry of tab.history.splice(tab.at + 1)) if (entry.page) kill(entry.page, 'evicted');
      tab.history.push({ url, page: null });
      tab.at++;
      tab.history[tab.at].page = load(tab, url);
    },
    back(tab) {
      const page = current(tab);
      if (!page || tab.at === 0) return;
      const previous = tab.history[tab.at - 1];
      const restored = previous.page && previous.page.state !== 'gone' && previous.page.cached ? previous.page : null;
      const persisted = random.chance(0.5);
      // Chromium may run the leaving page's pagehide after the restored page's pageshow (docs/sessions.md).
      const late = !!restored && random.chance(0.3);
      if (!late) leave(page, persisted);
      tab.at--;
      if (restored) {
        restored.cached = false;
        restored.restoredAt = loop.now();
        restored.state = 'running';
        see(restored, true, 'restore');
        loop.resume(restored, behind());
        log(`${restored.id} restored from the back/forward cache${late ? ' (before the other page left)' : ''}`);
        restored.enter(() => restored.fire('window', 'pageshow', { persisted: true }));
        restored.enter(() => restored.fire('window', 'visibilitychange'));
      } else previous.page = load(tab, previous.url);
      if (late) leave(page, persisted);
    },
    reload(tab) {
      if (tab.closed) return;
      const page = current(tab);
      // (a crashed or discarded page's tab reloads too)
      if (page) leave(page, false);
      tab.discarded = false;
      tab.history[tab.at].page = load(tab, tab.history[tab.at].url);
    },
    close(tab) {
      const page = current(tab);
      if (page) leave(page, false);
      for (const entry of tab.history) if (entry.page) kill(entry.page, 'its tab closed');
      tab.closed = true;
      log(`${tab.id} closed`);
    },
    crash(tab, after) {
      const page = current(tab);
      if (!page) return;
      if (after <= 1 || page.state !== 'running') {
        page.crashed = true;
        page.crashedTask = page.taskNo + 1;
        page.crashedAt = loop.now();
        log(`${page.id} crashes`);
        kill(page, 'crashed');
      } else page.crashAfter = after;
      tab.discarded = false;
    },
    discard(tab) {
      const page = current(tab);
      if (!page || page.visible) return;
      log(`${page.id} discarded`);
      page.discarded = true;
      kill(page, 'discarded');
      tab.discarded = true;
    },
  };
  Object.defineProperty(site, 'onFlush', { get: () => onFlush, set: (f) => (onFlush = f) });
  Object.defineProperty(site, 'onCommit', { get: () => onCommit, set: (f) => (onCommit = f) });
  Object.defineProperty(site, 'onUse', { get: () => onUse, set: (f) => (onUse = f) });
  void describe;
  return site;
}
