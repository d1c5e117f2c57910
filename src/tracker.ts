/**
 * Wires the parts: event -> consent -> session -> envelope -> outbox.
 *
 * Every call that changes the session becomes an operation stamped with the time it was made. While
 * Stint cannot apply it yet (consent pending, an async store still loading) the operation is held;
 * once it can, held operations run in order with their own times, so the session comes out as if
 * they had run when they were made.
 */
import type { UseStore } from 'idb-keyval';
import type { Config } from './config';
import { globalPrivacyControl, watchTcf } from './consent';
import { deviceContext, snapshotPage, type PageSnapshot } from './context';
import { clientSession, eventJson, type RawEvent, type Surroundings } from './event';
import { nativeFormat } from './delivery/format';
import { byteLength, idbOutbox } from './delivery/outbox';
import { MAX_EVENT_BYTES, Sender } from './delivery/sender';
import { snowplowFormat } from './delivery/snowplow';
import { watchPage, type PageSignal } from './lifecycle/page-lifecycle';
import { debug, error, warn } from './log';
import { withAttribute, withIncrement } from './session/attributes';
import { inMemory, openChain, openCustom, when, type Opening, type Storage } from './session/chain';
import { cookieStore } from './session/cookie-store';
import { deleteStintDb, stintDb } from './session/idb-store';
import { uuids } from './session/ids';
import { SessionKeeper } from './session/keeper';
import { endReason, expire, onEvent, onVisibility, restart, stop, type Ended, type Step } from './session/rules';
import type { Attributes, SessionState } from './session/state';
import { Tabs, type TabMessage } from './session/tabs';
import type { AttributeValue, ClientSession, ConsentState, Properties, Tracker } from './types';

/** Events held before consent or storage answers; past this the newest are dropped, with a warning. */
const MAX_HELD_EVENTS = 500;
/** Properties past this are refused at `track` (the rest of an event takes well under 4 KB). */
const MAX_PROPERTY_BYTES = MAX_EVENT_BYTES - 4096;
/** How long `shutdown()` waits for the collector before it stops anyway. */
const SHUTDOWN_WAIT = 3000;
/** Marks a tab that has already reported `application_initialized` (sessionStorage lives per tab). */
const TAB_MARK = 'stint:tab';

/** The public methods, each called through `_call`, which keeps every error away from the page. */
export const METHODS = [
  'track',
  'page',
  'identify',
  'setBackground',
  'getSession',
  'newSession',
  'endSession',
  'setSessionAttribute',
  'incrementSessionAttribute',
  'setConsent',
  'flush',
  'shutdown',
] as const;

type Mode = 'pending' | 'granted' | 'denied' | 'anonymous';
type Op = (at: number) => void;

export class StintTracker {
  _mode: Mode = 'pending';
  _keeper: SessionKeeper | null = null;
  _sender: Sender | null = null;
  /** Operations waiting for consent or storage, with their times. */
  _held: [number, Op][] = [];
  _heldEvents = 0;
  /** Bumped when storage is torn down (consent withdrawn), so that a late answer of the old one is ignored. */
  _generation = 0;
  _whenReady: Promise<unknown> = Promise.resolve();
  /** While a store is being opened: makes Stint ready at once with a stand-in store. */
  _early: (() => void) | null = null;
  _tabs: Tabs;
  _page: PageSnapshot;
  _pageCalled = false;
  _around: Surroundings;
  /** This page hidden, by the Page Visibility API or by `setBackground`. */
  _hidden: boolean;
  /** The site's state as this tab last saw it, for when no session is kept yet. */
  _siteBg: boolean;
  _newTab = true;
  _user: string | null = null;
  _url: string;
  /** The time given to the call being replayed from the tag's queue. */
  _clock: number | null = null;
  /** When this start (or the fresh start after a withdrawal) happened: `_resume` runs first, at that time. */
  _resumeAt: number | null;
  _off = false;
  _unwatch: (() => void)[];

  /** `startedAt`: when the page asked for the tracker (a tag's queued `init`), which is where its life begins. */
  constructor(
    readonly _config: Config,
    startedAt?: number,
  ) {
    this._url = new URL(_config.collector, location.href).href;
    this._siteBg = this._hidden = document.visibilityState === 'hidden';
    this._page = snapshotPage(document.referrer);
    this._around = { mechanism: 'MEMORY', anonymous: false, device: deviceContext((device) => (this._around.device = device)) };
    try {
      this._newTab = !sessionStorage.getItem(TAB_MARK);
    } catch {
      // No sessionStorage (sandboxed): every page counts as a new tab.
    }
    this._tabs = new Tabs(`stint:${_config.cookie.name || '_stint'}`, uuids.random(), (m) => this._guard(() => this._onTabMessage(m)));
    this._tabs._open(!this._hidden);
    this._unwatch = [watchPage((signal) => this._guard(() => this._onPage(signal)))];
    this._resumeAt = startedAt ?? this._now();
    let consent = _config.consent;
    if (_config.respectGlobalPrivacyControl && globalPrivacyControl()) {
      debug('Global Privacy Control: consent denied');
      consent = 'denied';
    } else if (consent === 'tcf') {
      consent = 'pending';
      this._unwatch.push(
        watchTcf(
          (state) => this._guard(() => this._apply(state, true)),
          () => warn('consent is "tcf" but no __tcfapi appeared: nothing is stored or sent'),
        ),
      );
    }
    this._apply(consent, false);
  }

  /** A public call: `at` is the time a queued tag call was made. Never throws into the page. */
  _call(method: (typeof METHODS)[number], args: unknown[], at: number | null = null): unknown {
    this._clock = at;
    const answer = this._guard(() => (this[method] as (...a: unknown[]) => unknown)(...args), true);
    this._clock = null;
    if (answer !== this) return answer;
    // After an internal error: what the method would have returned, so that the page's code goes on.
    return method === 'getSession' ? null : method === 'flush' || method === 'shutdown' ? Promise.resolve() : undefined;
  }

  /** Runs `fn`; an internal error is logged once, never thrown into the page (returns `this` when `mark`). */
  _guard<T>(fn: () => T, mark?: boolean): T | this | undefined {
    try {
      return fn();
    } catch (e) {
      error(`internal error, please report it: ${(e as Error)?.stack || e}`);
      return mark ? this : undefined;
    }
  }

  // ---- public API -------------------------------------------------------------------------------

  track(name: string, properties?: Properties): string | undefined {
    if (typeof name !== 'string' || !name) return void warn('track needs an event name (a non-empty string)');
    return this._event(name, properties);
  }

  page(properties?: Properties): string | undefined {
    // In a single-page app the previous route is the referrer of the next.
    const previous = this._page.page.url;
    this._page = snapshotPage(this._pageCalled && previous !== location.href ? previous : document.referrer);
    this._pageCalled = true;
    return this._event('page_view', properties);
  }

  identify(userId: string | null, traits?: Properties): string | undefined {
    if (userId !== null && (typeof userId !== 'string' || !userId || userId.length > 255)) {
      return void warn('identify needs a user id (1 to 255 characters) or null');
    }
    if (this._mode === 'anonymous') return void debug('identify ignored: consent refused');
    this._op(this._now(), () => {
      this._user = userId;
      const state = this._keeper?._state;
      if (state) this._keeper!._set({ ...state, businessUserId: userId });
    });
    return this._event('identify', traits);
  }

  setBackground(isBackground: boolean): void {
    this._hidden = !!isBackground;
    this._visibilityChanged();
  }

  getSession(): ClientSession | null {
    const state = this._keeper?._state;
    return state && !endReason(state, this._now(), this._config)
      ? clientSession(state, this._keeper!._mechanism, this._around.anonymous)
      : null;
  }

  newSession(): void {
    this._op(this._now(), (at) => this._step((prev) => restart(prev, at, this._siteBackground(), this._page.utm, uuids), at));
  }

  endSession(): void {
    this._op(this._now(), (at) => this._step((prev) => prev && stop(prev, at), at));
  }

  setSessionAttribute(key: string, value: AttributeValue): void {
    this._attribute((attrs) => withAttribute(attrs, key, value));
  }

  incrementSessionAttribute(key: string, by = 1): void {
    this._attribute((attrs) => withIncrement(attrs, key, by));
  }

  setConsent(state: ConsentState): void {
    if (state === 'granted' || state === 'pending' || state === 'denied') this._apply(state, true);
    else warn(`setConsent needs 'granted', 'pending' or 'denied', not ${JSON.stringify(state)}`);
  }

  flush(): Promise<void> {
    return this._whenReady.then(() => this._sender?._flush()).catch(() => {});
  }

  shutdown(): Promise<void> {
    // A collector that is down must not keep the page waiting: what is left stays in the outbox for the next start.
    const wait = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_WAIT));
    return Promise.race([this.flush(), wait]).then(() => {
      this._keeper?._save(true);
      this._off = true;
      for (const unwatch of this._unwatch) unwatch();
      this._tabs._close();
      this._sender?._stop();
    });
  }

  // ---- consent ----------------------------------------------------------------------------------

  /** Moves to a consent state; tells the other tabs when the decision was taken in this one. */
  _apply(consent: ConsentState, tell: boolean): void {
    if (this._off) return;
    if (consent === 'granted' && this._config.respectGlobalPrivacyControl && globalPrivacyControl()) {
      return warn('consent not granted: the browser sends Global Privacy Control');
    }
    const mode: Mode = consent === 'denied' && this._config.onDenied === 'anonymous' ? 'anonymous' : consent;
    if (mode === this._mode) return;
    debug('consent: ' + mode);
    if (tell) this._tabs._send({ k: 'consent', c: consent });
    if (this._mode === 'granted' || this._mode === 'anonymous') this._erase();
    this._mode = mode;
    if (mode === 'denied') this._held = [];
    else if (mode !== 'pending') this._start(mode === 'anonymous');
  }

  /** Withdrawal: everything Stint stored goes at once, nothing queued is sent, and a later grant starts afresh. */
  _erase(): void {
    this._generation++;
    this._early = null;
    this._sender?._stop(true);
    this._sender = null;
    if (this._keeper) this._keeper._erased = true;
    this._keeper = null;
    this._held = [];
    this._user = null;
    this._newTab = true;
    this._resumeAt = this._now();
    const custom = this._config.store;
    // Every domain variant of the cookie, and the whole database: mirror and outbox, other tabs' too.
    if (custom) Promise.resolve().then(() => custom.delete()).catch(() => {});
    else cookieStore(this._config.cookie).delete();
    deleteStintDb();
    try {
      sessionStorage.removeItem(TAB_MARK);
    } catch {
      // nothing was stored there
    }
  }

  /** Opens storage (memory only when anonymous); operations run once it answers. */
  _start(anonymous: boolean): void {
    const generation = this._generation;
    const db: UseStore | null = anonymous ? null : stintDb();
    const { storage, early }: Opening = anonymous
      ? { storage: inMemory(), early: inMemory() }
      : this._config.store
        ? openCustom(this._config.store)
        : openChain(this._config.cookie, db);
    // A page that goes away before a slow store answers sends what it holds with a fresh session.
    this._early = () => this._ready(early, db, anonymous, ++this._generation, false);
    this._whenReady = Promise.resolve(
      when(storage, (opened) => {
        const found = opened.found;
        // The last page did not exit cleanly: a crash, unless another tab of the site is still open.
        if (anonymous || !found || found.closed) return this._ready(opened, db, anonymous, generation, false);
        return this._tabs._alive().then(
          (alive) => this._ready(opened, db, anonymous, generation, !!alive?.size),
          () => this._ready(opened, db, anonymous, generation, false),
        );
      }),
    ).catch(() => {});
  }

  /** Storage answered: from now on operations run at once, held ones first, in order. */
  _ready(storage: Storage, db: UseStore | null, anonymous: boolean, generation: number, othersOpen: boolean): void {
    if (generation !== this._generation || this._off) return;
    this._early = null;
    const keeper = (this._keeper = new SessionKeeper(storage, anonymous ? null : this._tabs));
    this._around = { ...this._around, mechanism: keeper._mechanism, anonymous };
    const format = this._config.format === 'snowplow' ? snowplowFormat : nativeFormat;
    this._sender = new Sender(this._url + format.path, format, db && idbOutbox(db), anonymous ? null : this._tabs);
    debug('storage: ' + keeper._mechanism);
    if (this._resumeAt !== null) this._guard(() => this._resume(this._resumeAt!, othersOpen));
    this._resumeAt = null;
    const held = this._held;
    this._held = [];
    this._heldEvents = 0;
    for (const [at, op] of held) this._guard(() => op(at));
  }

  /** The start of this page's life: a session found over is reported, the visibility synced, the start reported. */
  _resume(at: number, othersOpen: boolean): void {
    const keeper = this._keeper!;
    const found = keeper._storage.found;
    const state = this._step((prev) => prev && expire(prev, at, this._config), at);
    if (state) {
      keeper._set({ ...state, closed: false, appVersion: this._config.appVersion });
      if (state.background !== this._siteBackground()) this._transition(at, this._siteBackground(), true);
    }
    if (!this._newTab) return;
    this._newTab = false;
    if (this._mode === 'granted') {
      try {
        sessionStorage.setItem(TAB_MARK, '1');
      } catch {
        // This tab will report application_initialized again on its next page.
      }
    }
    const install = this._config.installType;
    const upgraded = !!found && !!this._config.appVersion && found.appVersion !== this._config.appVersion;
    this._lifecycle(at, 'application_initialized', {
      is_first_run: install === 'auto' ? !found : install === 'known_install',
      is_upgrade: install === 'auto' ? upgraded : install === 'known_upgrade',
      successfully_closed: !found || found.closed || othersOpen,
    });
  }

  // ---- operations -------------------------------------------------------------------------------

  _now(): number {
    return this._clock ?? Date.now();
  }

  /** Runs `op` now if the session can be kept, holds it if it may be later, drops it if never. */
  _op(at: number, op: Op, isEvent?: boolean): boolean {
    if (this._off || this._mode === 'denied') return false;
    if (this._keeper) op(at);
    else if (isEvent && ++this._heldEvents > MAX_HELD_EVENTS) {
      if (this._heldEvents === MAX_HELD_EVENTS + 1) warn(`over ${MAX_HELD_EVENTS} events wait for consent or storage: newer ones are dropped`);
      return false;
    } else this._held.push([at, op]);
    return true;
  }

  /** Applies a rule step to the session, reporting the end of a session it found over. */
  _step(rule: (prev: SessionState | null) => Step | null, at: number): SessionState | null {
    const keeper = this._keeper!;
    let prev = keeper._state;
    // About to start a new session: another tab may have kept this one alive since we last heard.
    if (prev && !prev.ended && endReason(prev, at, this._config)) {
      keeper._refresh();
      prev = keeper._state;
    }
    const step = rule(prev);
    if (!step) return prev;
    if (step.ended) this._reportEnd(step.ended);
    // The device's first state: stamp what this page knows about it.
    const state = prev ? step.state : { ...step.state, appVersion: this._config.appVersion, businessUserId: this._user };
    keeper._set(state);
    return state;
  }

  /** A page's event: properties checked and serialised now, so that bad input is reported at the call. */
  _event(name: string, properties?: Properties): string | undefined {
    let props: string;
    try {
      if (properties !== undefined && (!properties || typeof properties !== 'object' || Array.isArray(properties))) {
        throw new TypeError('properties must be a plain object');
      }
      props = JSON.stringify(properties || {});
    } catch (e) {
      return void warn(`event "${name}" dropped: its properties cannot be serialised (${(e as Error).message})`);
    }
    // A UTF-8 character takes at most 3 bytes: only long properties need counting.
    if (props.length > MAX_PROPERTY_BYTES / 3 && byteLength(props) > MAX_PROPERTY_BYTES) {
      return void warn(`event "${name}" dropped: its properties are over ${MAX_PROPERTY_BYTES} bytes`);
    }
    return this._record(name, props);
  }

  /** An event enters the pipeline; `background` is the site's state from now on. */
  _record(name: string, props: string, at = this._now(), background = this._siteBackground()): string | undefined {
    // A single-page app that moved without calling page(): the context follows the URL.
    if (location.href !== this._page.page.url) this._page = snapshotPage(this._page.page.url);
    const raw: RawEvent = { id: uuids.random(), name, at, props, page: this._page, hidden: this._hidden };
    return this._op(at, () => this._emit(raw, background), true) ? raw.id : undefined;
  }

  /** The event meets the session rules and leaves as JSON. */
  _emit(raw: RawEvent, background: boolean, state?: SessionState): void {
    state ||= this._step((prev) => onEvent(prev, raw.at, raw.id, background, raw.page.utm, this._config, uuids), raw.at)!;
    // A store that failed has handed the session on: say where it lives now.
    this._around.mechanism = this._keeper!._mechanism;
    this._sender!._add({ id: raw.id, at: raw.at, appId: this._config.appId, body: eventJson(raw, state, this._around) });
  }

  /**
   * `session_end` for a session found over, stamped with its last activity, in that session. Its id is
   * derived from the session's, so that tabs finding the same end send one event (after de-duplication).
   */
  _reportEnd({ session, reason }: Ended): void {
    const props = {
      session_id: session.sessionId,
      reason,
      duration_ms: Math.max(0, session.lastEventAt - session.startedAt),
      event_count: session.eventIndex,
      attributes: session.attributes,
    };
    const raw: RawEvent = {
      id: uuids.derive(session.sessionId + '/end'),
      name: 'session_end',
      at: session.lastEventAt,
      props: JSON.stringify(props),
      page: this._page,
      hidden: this._hidden,
    };
    this._emit(raw, session.background, { ...session, eventIndex: session.eventIndex + 1 });
  }

  _attribute(change: (attrs: Attributes) => Attributes | string): void {
    this._op(this._now(), (at) =>
      this._step((prev) => {
        // Attributes belong to a live session: one that is over is reported first, a missing one started.
        const step = prev ? expire(prev, at, this._config) : restart(null, at, this._siteBackground(), this._page.utm, uuids);
        const next = change(step.state.attributes);
        if (typeof next === 'string') warn(next);
        else step.state = { ...step.state, attributes: next, attributesAt: at };
        return step;
      }, at),
    );
  }

  // ---- visibility and lifecycle -----------------------------------------------------------------

  _siteBackground(): boolean {
    return !this._tabs._siteVisible();
  }

  /** The site's state as last recorded: by the session (any tab may have changed it), else by this tab. */
  _knownBackground(): boolean {
    return this._keeper?._state?.background ?? this._siteBg;
  }

  _lifecycle(at: number, name: string, extra?: Properties, background?: boolean): void {
    if (this._config.lifecycleEvents) this._record(name, JSON.stringify({ transition_type: name, ...extra }), at, background);
  }

  /** The site went to the background or came back: an event, or a silent step when lifecycle events are off. */
  _transition(at: number, background: boolean, silent?: boolean): void {
    this._siteBg = background;
    if (this._config.lifecycleEvents && !silent) {
      this._lifecycle(at, background ? 'application_background' : 'application_foreground', undefined, background);
    } else {
      this._op(at, (time) => this._step((prev) => onVisibility(prev, time, background, this._config), time));
    }
  }

  /** This page's visibility changed: tell the tabs, report a change of the site's, send what is left when hidden. */
  _visibilityChanged(): void {
    const at = this._now();
    this._tabs._setVisible(!this._hidden);
    const background = this._siteBackground();
    if (this._knownBackground() !== background) this._transition(at, background);
    if (!this._hidden) return;
    this._sender?._hidden();
    this._keeper?._save(true);
    // Another tab said it is visible: unless it crashed meanwhile, the site is still in the foreground.
    if (!background) {
      this._tabs._prune().then((forgot) => {
        if (forgot && this._siteBackground() && this._knownBackground() === false) {
          this._guard(() => this._transition(this._now(), true));
        }
      });
    }
  }

  _onPage(signal: PageSignal): void {
    if (this._off) return;
    const at = this._now();
    // The page may be going away: waiting for a slow store could lose what is held.
    if (signal !== 'visible' && signal !== 'restore') this._early?.();
    if (signal === 'hidden' || signal === 'visible') {
      this._hidden = signal === 'hidden';
      return this._visibilityChanged();
    }
    const state = this._keeper?._state;
    if (signal === 'restore') {
      // Back from the back/forward cache: this page comes back to the foreground, as a fresh page view.
      this._hidden = false;
      this._tabs._open(true);
      if (state) this._keeper!._set({ ...state, closed: false });
      if (this._knownBackground()) this._transition(at, false);
      if (this._pageCalled) this.page();
      return;
    }
    // pagehide: this page leaves the site's tabs; what is left goes out now, the exit event with it.
    this._hidden = true;
    this._tabs._close();
    const background = this._siteBackground();
    if (signal === 'exit' && this._config.lifecycleEvents) this._lifecycle(at, 'application_exit', undefined, background);
    else if (this._knownBackground() !== background) this._transition(at, background);
    const last = this._keeper?._state;
    if (last) {
      this._keeper!._set({ ...last, closed: true });
      this._keeper!._save(true);
    }
    this._sender?._hidden();
  }

  _onTabMessage(message: TabMessage): void {
    if (message.k === 'consent') this._apply(message.c, false);
    else if (message.k === 'sent') this._sender?._sentElsewhere(message.ids);
    else this._keeper?._receive(message.v);
  }
}

/** The public face of a tracker: its methods, each guarded. */
export function publicTracker(tracker: StintTracker): Tracker {
  const api: Record<string, unknown> = {};
  for (const method of METHODS) api[method] = (...args: unknown[]) => tracker._call(method, args);
  return api as unknown as Tracker;
}
