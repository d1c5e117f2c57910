/**
 * A running tracker: the thin shell around the core. It keeps the core's model, turns the page's calls
 * and the browser's signals into inputs (`dispatch`, the one way in), and carries out the effects of each
 * step through small adapters. Data flows one way, signal -> input -> step -> effects -> adapters; an
 * adapter reports what it learns (storage answered, a tab spoke, a store failed) as an input, never by
 * calling into another part. ARCHITECTURE.md walks one event through it.
 */
import type { Config } from './config';
import { globalPrivacyControl } from './consent/gpc';
import { joinUrl } from './core/formats/format';
import type { Dispatch, Effect, Input, Inputs, Model } from './core/model';
import { KIT } from './core/record';
import { freshId } from './core/ids';
import { linkFor } from './core/link';
import { sessionHeaders } from './core/headers';
import { decodeState } from './core/state';
import { currentSession, dueToEnd, gpcRefuses, isReady, start, step } from './core/step';
import { within } from './delivery/bounded';
import { idbOutbox } from './delivery/outbox-store';
import { startSender, type Sender } from './delivery/sender';
import { abandonReplies } from './delivery/transport';
import { eraseMarks } from './delivery/sent-marks';
import { sendTurn } from './delivery/turn';
import { deviceContext, localOffset, timeZone } from './device';
import { consentState, eventName, pageValues, propsJson, randomSeed, readPlace, userId } from './input';
import { watchPage } from './lifecycle/page';
import { landingOf } from './lifecycle/links';
import { cameFrom, handedOver, leaveTab, takeTab } from './lifecycle/tab-mark';
import { debug, guard, warn } from './log';
import { startKeeper, type Keeper } from './session/keeper';
import { openStorage, type Opened, type Opener } from './session/open';
import { copyName, serverCopy } from './session/copy';
import { eraseSession } from './session/stores/chain';
import { deleteStintDb, setLeaving, type StintDb } from './db';
import { startRecorder } from './recorder';
import { startTabs, type TabMessage } from './tabs';
import type { Tracker } from './types';

/** A tracker's methods as the shell runs them: the time of the call first, then the page's arguments. */
export type TimedTracker = { [M in keyof Tracker]: (at: number, ...args: Parameters<Tracker[M]>) => ReturnType<Tracker[M]> };
/** How long `shutdown()` waits for the collector before it stops anyway. */
const SHUTDOWN_WAIT = 3000;
/** How long a page back from the back/forward cache waits for its store before it goes on with what it knows. */
const REREAD_WAIT = 1000;
/** `startedAt`: when the page asked for the tracker (a tag's queued `init`), where its life begins; `onShutdown`: it is being shut down. */
export function startTracker(config: Config, startedAt: number, onShutdown: () => void): TimedTracker {
  const url = joinUrl(config.collector, config.format.path);
  /** The shell's own random ids (this page's name among the tabs, a new tab's id), from a seed of its own. */
  const own = { seed: randomSeed() };
  const tabs = startTabs(`stint:${config.cookie.name || '_stint'}`, freshId(own), (message) => guard(() => hear(message)));
  /** Storage being opened, and once it has answered: where the session is written, and who sends. */
  let opener: Opener | null = null;
  let keeper: Keeper | null = null;
  let sender: Sender | null = null;
  /** Stint's database, once storage answered: closed at shutdown. */
  let db: StintDb | null = null;
  /** A save is queued for the end of the task. */
  let saving = false;
  /** Storage is being opened (the `openStorage` effect, until its answer): a flush waits for it. */
  let opening = false;
  /** Stopped (the `stop` effect): the page's calls are ignored. */
  let stopped = false;
  /** Events the hold dropped (the `lost` effect) before the sender started: its first batch counts them. */
  let lostEarly = 0;
  /** The session the page the visitor came back from handed over (encoded, or ''), read before the restore takes it out. */
  let handOff = '';
  /** Whether this page is visible, as the core last told the tabs: a page that resumes joins them so. */
  let shown = document.visibilityState !== 'hidden';
  /** `ready()` promises waiting for calls to run at once. */
  const waiting: (() => void)[] = [];
  /** What stops the browser's signals. */
  const unwatch: (() => void)[] = [];
  let model: Model;
  /** The flight recorder, with `debug: true`. */
  const recorder = config.debug ? startRecorder() : null;
  /** The server's copy of the session, with `serverCookie` (session/copy.ts). */
  const copy = config.serverCookie ? serverCopy(config.serverCookie, copyName(config.cookie)) : null;
  /** The one way in: an input meets the core (`step`: what happened, and when), and its effects are carried out in order. */
  const dispatch: Dispatch = (input) => {
    const next = input[0];
    const at = input[1];
    // Another tab may have written the session (one on a sibling subdomain sends no message): read every few ms, and before an end.
    const value = keeper && keeper.read(at, dueToEnd(model, at));
    if (value) advance(['stored', at, value]);
    // The page moved without page() (a single-page app): what follows is there (a page view's referrer is where it moved from).
    if (next !== 'page' && next !== 'route' && next !== 'restore' && location.href !== model.page.href) advance(['move', at, readPlace()]);
    return advance(input);
  };
  const advance = (input: Input): string | undefined => {
    const next = step(model, input);
    recorder?.note(model, input, next.effects);
    model = next.model;
    for (const effect of next.effects) (perform[effect[0]] as (payload: unknown, more: unknown) => void)(effect[1], effect[2]);
    return next.event;
  };
  /** An input of this moment. */
  const now = <T extends keyof Inputs>(type: T, ...args: Inputs[T]) => dispatch([type, Date.now(), ...args] as unknown as Input);
  const resolveReady = () => waiting.splice(0).forEach((resolve) => resolve());
  const save = (all: boolean) => {
    saving = false;
    if (keeper && model.session) keeper.save(model.session, all);
  };
  /** The session is kept elsewhere now: a store failed, or a slow one answered late. */
  const movedTo = (mechanism: string) => guard(() => now('surroundings', { mechanism }));
  /** Storage answered: the session is written there from now on, and the outbox sent. */
  const opened = ({ chain, db: database, othersOpen }: Opened, anonymous: boolean) => {
    if (stopped) return;
    opener = null;
    opening = false;
    db = database;
    keeper = startKeeper(chain, anonymous ? null : tabs, movedTo);
    const dropped = lostEarly;
    lostEarly = 0;
    sender = startSender({
      url,
      format: config.format,
      request: { ...config.format.request?.(anonymous), gzip: config.compression == 'gzip' && !config.format.plain },
      store: database && idbOutbox(database),
      dropped,
      tabs: anonymous ? null : tabs,
      // (whose turn it is to send, among the tabs that share the outbox in that database)
      turn: database && sendTurn(database, tabs),
      batch: () => ({ profile: model.session?.profileId ?? null, sampleRate: config.sampleRate, appVersion: config.appVersion }),
      heard: ({ profile: id, said }) => {
        debug(54, JSON.stringify(said));
        if (id) guard(() => now('profile', id));
      },
    });
    now('opened', chain.found, keeper.mechanism(), othersOpen, chain.copy);
  };
  /** How each effect is carried out. */
  const perform: { [T in Effect[0]]: (payload: Extract<Effect, [T, ...unknown[]]>[1], more: never) => void } = {
    enqueue: (entry) => sender?.add(entry),
    save(now) {
      if (now) return save(true);
      if (saving) return;
      saving = true;
      queueMicrotask(() => saving && guard(() => save(false)));
    },
    beacon: (leaving) => sender?.beacon(leaving),
    retry: () => sender?.retry(),
    reread() {
      // (the item read again: Chromium and Firefox may run the left page's pagehide after this pageshow)
      const answer = (value: unknown) => guard(() => now('reread', value, handedOver() || handOff));
      within(Promise.resolve().then(() => keeper?.reread()), REREAD_WAIT).then(answer, () => answer(null));
    },
    lost: (count) => (sender ? sender.lost(count) : (lostEarly += count)),
    openStorage(anonymous) {
      opening = true;
      const answered = (answer: Opened) => guard(() => opened(answer, anonymous));
      const mine = (opener = openStorage(config, anonymous, () => tabs.alive(), after ? (answer) => after(() => opener === mine && answered(answer)) : answered, movedTo, decodeState(leftTab && leftTab[2])));
    },
    erase() {
      opener?.cancel();
      sender?.stop(true);
      opener = keeper = sender = null;
      saving = opening = false;
      // Nothing of Stint stays on the device, in any tab: the session (the cookie in every domain variant, or the
      // custom store, and the mirror), the whole database (the outbox, other tabs' too), the sent marks, the tab's id.
      eraseSession(config.store, config.cookie);
      copy?.erase();
      deleteStintDb();
      eraseMarks();
      leaveTab(null);
    },
    tellConsent: (consent) => tabs.send({ k: 'consent', c: consent }),
    announce: (visible) => tabs.announce((shown = visible)),
    rollCall(wanted) {
      tabs.alive(wanted).then((alive) =>
        guard(() => {
          const gone = alive ? wanted.filter((tab) => !alive.has(tab)) : [];
          if (gone.length) now('tabsGone', gone);
        }),
      );
    },
    joinTabs: (visible) => tabs.join((shown = visible)),
    leaveTabs: () => ((shown = false), tabs.leave()),
    leaveTab: (handOver) => leaveTab(handOver === null ? null : tabId, handOver ?? ''),
    hideTab: (handOver) => leaveTab(tabId, handOver, true),
    resolveReady,
    stop() {
      stopped = true;
      for (const stop of unwatch.splice(0)) stop();
      tabs.leave();
      opener?.cancel();
      sender?.stop();
      db?.close();
      opener = null;
      resolveReady();
    },
    warn,
    debug,
  };
  /** A message of another tab of the site. */
  const hear = (message: TabMessage) => {
    if (message.k === 'vis') now('tab', message.tab, message.visible);
    else if (message.k === 'state') now('stored', message.v);
    else if (message.k === 'sent') sender?.sentElsewhere(message.ids);
    else if (message.k === 'sending') sender?.sendingElsewhere(message.ids);
    else if (message.k === 'consent') now('consent', message.c, 'tab', globalPrivacyControl());
  };
  const gpc = globalPrivacyControl();
  let offset = localOffset(startedAt);
  /** What the tab's last page left: its id, its URL, the session it handed over (a stand-in's, if the store is slow). */
  const leftTab = takeTab();
  const tabId = leftTab ? leftTab[0] : freshId(own).slice(0, 8);
  const [link, after, landed, hurry] = landingOf(config); // (out of the URL before the page is read; its session waits for the links part)
  model = start({
    at: startedAt,
    settings: config,
    seed: randomSeed(),
    pageHidden: !shown,
    newTab: !leftTab,
    link,
    place: readPlace(),
    device: deviceContext((device) => guard(() => now('surroundings', { device }))),
    timeZone: timeZone(),
    offset,
    tabId,
    focused: document.hasFocus(), // (engaged time)
  });
  unwatch.push(
    watchPage({
      mayLeave: () => (opener?.goOn(), hurry?.()),
      hidden: (hidden) => (now('visibility', hidden), hidden && copy?.renew(model, Date.now())),
      // Nothing left pending that could block the next page (see db.ts).
      left: (persisted) => (setLeaving(true), now('pagehide', persisted), copy?.renew(model, Date.now())),
      restored() {
        // Back from the back/forward cache: nothing it started before is waited for (db.ts, transport.ts); the session the tab's last page handed over is taken at once (this page may leave again before its store answers: e2e/bfcache.spec.ts).
        setLeaving(false);
        abandonReplies();
        if ((handOff = handedOver())) now('stored', handOff);
        now('restore', readPlace(), cameFrom());
      },
      // A frozen page leaves the tabs' channel: Chromium still runs its messages, and would answer a roll call (e2e/freeze.spec.ts).
      froze() {
        setLeaving(true);
        now('visibility', true);
        sender?.freeze();
        tabs.leave();
      },
      // (the other tabs went on meanwhile, unheard: the core reads the store again before it records anything)
      resumed() {
        setLeaving(false);
        tabs.join(shown);
        sender?.resume();
        now('resume');
      },
    }),
  );
  tabs.join(shown);
  dispatch(['consent', startedAt, config.consent, 'config', gpc]);
  // A CMP is followed once the configured consent is applied (a CMP that answers at once is not overruled by it).
  const signal = config.signal;
  // (a page's default applies as the config's does: in this tab only)
  if (signal && !gpcRefuses(config, gpc)) unwatch.push(signal((state, isDefault) => guard(() => now('consent', state, isDefault ? 'default' : 'signal', globalPrivacyControl()))));
  const auto = config.autoPageViews;
  if (auto) guard(() => unwatch.push(config.watchRoutes(auto !== 'history', (from, to) => now('route', to ? { ...readPlace({ url: to }), href: to } : readPlace(), from), location.href)));
  const engagement = config.engagement; // (its steps come with the input part: until then the stretch the page started with stays open)
  if (config.activity === 'input' || engagement) guard(() => unwatch.push(config.watchInput((at, focused) => guard(() => dispatch(focused === undefined ? ['activity', at] : ['focus', at, focused])), engagement ? (make) => void (engagement.stepsLoaded = make(KIT)) : undefined)));
  if (config.crossDomain.length) guard(() => unwatch.push(config.watchLinks(config.crossDomain, () => (globalPrivacyControl() ? null : linkFor(model, Date.now())), landed)));
  const methods: TimedTracker = {
    track(at, name, properties) {
      const props = eventName(name) ? propsJson(name, properties) : undefined;
      return props === undefined ? undefined : dispatch(['track', at, name, props]);
    },
    page(at, properties, values) {
      // (a page view is where a change to or from daylight saving time is looked for: not on every event)
      if (localOffset(at) !== offset) dispatch(['surroundings', at, { offset: (offset = localOffset(at)) }]);
      const own = pageValues(values) || {};
      return dispatch(['page', at, propsJson('page_view', properties) ?? null, readPlace(own), own.referrer]);
    },
    identify: (at, user, traits) => (userId(user) ? dispatch(['identify', at, user, propsJson('identify', traits) ?? null]) : undefined),
    setBackground: (at, isBackground) => void dispatch(['visibility', at, !!isBackground]),
    getSession: (at) => currentSession(model, at),
    sessionHeaders: (at) => sessionHeaders(model, at),
    newSession: (at) => void dispatch(['newSession', at]),
    endSession: (at) => void dispatch(['endSession', at]),
    setSessionAttribute: (at, key, value) => void dispatch(['attribute', at, key, value, false]),
    incrementSessionAttribute: (at, key, by = 1) => void dispatch(['attribute', at, key, by, true]),
    setConsent: (at, state) => void (!stopped && consentState(state) && dispatch(['consent', at, state, 'page', globalPrivacyControl()])),
    debugLog: () => (recorder ? recorder.dump(model) : null),
    ready: () => (isReady(model) ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    // (while storage is being opened, what is held is queued once it answers)
    flush: (at) => (opening ? methods.ready(at) : Promise.resolve()).then(() => sender?.flush()).catch(() => {}),
    shutdown(at) {
      onShutdown();
      dispatch(['shutdown', at, true]); // (the page view's engaged time so far goes with the flush: nothing reports it later)
      // A collector that is down must not keep the page waiting: what is left stays in the outbox for the next start.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT)));
      return Promise.race([methods.flush(at), bound]).then(() => {
        clearTimeout(timer);
        guard(() => dispatch(['shutdown', Date.now()]));
      });
    },
  };
  return methods;
}
