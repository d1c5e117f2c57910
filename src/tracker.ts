/**
 * A running tracker. It only wires the parts; one event's trip, in the order data flows (ARCHITECTURE.md
 * walks it): `api` (the guarded call) -> `pipeline/input` (checks; a raw event) -> `consent/gate` (dropped
 * when refused) -> `pipeline/hold` (held until consent and storage answer) -> `pipeline/record` (the
 * session rules, `session_end`, the JSON) -> `delivery/sender` (outbox, batches, beacons).
 */
import { guard, type Core } from './api';
import type { Config } from './config';
import { ConsentGate, type Mode } from './consent/gate';
import { deviceContext, snapshotPage, type PageSnapshot } from './context';
import { joinUrl } from './delivery/formats/format';
import { idbOutbox } from './delivery/outbox-store';
import { Sender } from './delivery/sender';
import { clientSession, type Surroundings } from './event';
import { watchHistory } from './lifecycle/history';
import { watchPage } from './lifecycle/page';
import { Site, type SiteHost } from './lifecycle/site';
import { initialized, isNewTab, markTab } from './lifecycle/initialized';
import { debug } from './log';
import { Hold, type Call } from './pipeline/hold';
import { eventName, pageValues, rawEvent, userId as checkUserId } from './pipeline/input';
import { Recorder, type Where } from './pipeline/record';
import { withAttribute, withIncrement } from './session/attributes';
import { uuids } from './session/ids';
import { SessionKeeper } from './session/keeper';
import { openStorage, type Opened, type Opener } from './session/open';
import { endReason, expire, onVisibility, restart, stop } from './session/rules';
import type { Attributes } from './session/state';
import { Tabs, type TabMessage } from './tabs';
import type { AttributeValue, ClientSession, PageValues, Properties } from './types';

/** How long `shutdown()` waits for the collector before it stops anyway. */
const SHUTDOWN_WAIT = 3000;

export class Stint implements Core, SiteHost, Where {
  _clock: number | null = null;
  _off = false;
  readonly _url: string;
  readonly _hold = new Hold();
  readonly _tabs: Tabs;
  readonly _site: Site;
  readonly _consent: ConsentGate;
  /** Storage being opened; null once it answered. */
  _opener: Opener | null = null;
  /** The session stage, once storage has answered. */
  _rec: Recorder | null = null;
  _page: PageSnapshot;
  /** Where the page was at the last `page()` (null before the first). */
  _viewed: string | null = null;
  _around: Surroundings;
  _newTab = isNewTab();
  /** When this life began (the start, or the fresh start after a withdrawal): resumed first, at that time. */
  _lifeAt: number | null;
  _unwatch: (() => void)[];

  /** `startedAt`: when the page asked for the tracker (a tag's queued `init`), which is where its life begins. */
  constructor(
    readonly _config: Config,
    startedAt?: number,
  ) {
    this._url = new URL(_config.collector, location.href).href;
    this._page = snapshotPage(document.referrer);
    this._around = { mechanism: 'MEMORY', anonymous: false, device: deviceContext((device) => (this._around.device = device)) };
    this._lifeAt = startedAt ?? Date.now();
    this._tabs = new Tabs(`stint:${_config.cookie.name || '_stint'}`, uuids.random(), (m) => guard(() => this._onTabMessage(m)));
    this._site = new Site(this._tabs, this, _config.lifecycleEvents);
    this._unwatch = [watchPage((signal) => guard(() => !this._off && this._site._onPage(signal)))];
    this._consent = new ConsentGate(_config, this._tabs, (mode, was) => this._consentChanged(mode, was));
    this._unwatch.push(this._consent._start(guard));
    const auto = _config.autoPageViews;
    // A route change the app already reported with page() is not reported twice.
    const onRoute = (from: string) => guard(() => location.href !== this._viewed && this.page(undefined, { referrer: from }));
    if (auto) guard(() => this._unwatch.push(watchHistory(auto !== 'history', onRoute)));
  }

  // ---- the public API (called through api.ts) ---------------------------------------------------

  track(name: string, properties?: Properties): string | undefined {
    return eventName(name) ? this._track(name, properties) : undefined;
  }

  page(properties?: Properties, values?: PageValues): string | undefined {
    const own = pageValues(values) || {};
    // In a single-page app the previous route is the referrer of the next.
    const previous = this._page.page.url;
    const referrer = this._viewed !== null && previous !== (own.url || location.href) ? previous : document.referrer;
    this._page = snapshotPage(own.referrer ?? referrer, own);
    this._viewed = location.href;
    return this._track('page_view', properties);
  }

  identify(userId: string | null, traits?: Properties): string | undefined {
    if (!checkUserId(userId)) return;
    if (this._consent._mode === 'anonymous') return void debug('identify ignored: consent refused');
    this._run(this._now(), () => {
      const rec = this._rec!;
      rec._user = userId;
      const state = rec._keeper._state;
      if (state) rec._keeper._set({ ...state, businessUserId: userId });
    });
    return this._track('identify', traits);
  }

  setBackground(isBackground: boolean): void {
    this._site._setPageHidden(!!isBackground);
  }

  getSession(): ClientSession | null {
    const keeper = this._rec?._keeper;
    const state = keeper?._state;
    return state && !endReason(state, this._now(), this._config) ? clientSession(state, keeper!._mechanism, this._around.anonymous) : null;
  }

  newSession(): void {
    this._run(this._now(), (at) => this._rec!._step((prev) => restart(prev, at, this._site._siteBackground(), this._page.utm, uuids), at));
  }

  endSession(): void {
    this._run(this._now(), (at) => this._rec!._step((prev) => prev && stop(prev, at), at));
  }

  setSessionAttribute(key: string, value: AttributeValue): void {
    this._attribute((attrs) => withAttribute(attrs, key, value));
  }

  incrementSessionAttribute(key: string, by = 1): void {
    this._attribute((attrs) => withIncrement(attrs, key, by));
  }

  setConsent(state: unknown): void {
    if (!this._off) this._consent._fromPage(state);
  }

  ready(): Promise<void> {
    return this._off || this._consent._mode === 'denied' ? Promise.resolve() : this._hold._ready();
  }

  flush(): Promise<void> {
    // While storage is being opened, what is held will be queued once it answers.
    const opened = this._opener ? this._hold._ready() : Promise.resolve();
    return opened.then(() => this._rec?._sender._flush()).catch(() => {});
  }

  shutdown(): Promise<void> {
    // A collector that is down must not keep the page waiting: what is left stays in the outbox for the next start.
    const wait = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_WAIT));
    return Promise.race([this.flush(), wait]).then(() => {
      const rec = this._rec;
      rec?._keeper._save(true);
      this._off = true;
      for (const unwatch of this._unwatch) unwatch();
      this._tabs._close();
      rec?._sender._stop();
      this._hold._answered();
    });
  }

  // ---- the pipeline -------------------------------------------------------------------------------

  _now(): number {
    return this._clock ?? Date.now();
  }

  /** An event enters the pipeline; `siteBackground` is the site's state from now on. */
  _track(name: string, properties: unknown, at = this._now(), siteBackground = this._site._siteBackground()): string | undefined {
    // A single-page app that moved without calling page(): the context follows the URL.
    if (location.href !== this._page._loc) this._page = snapshotPage(this._page.page.url, {}, this._page.page.viewId);
    const raw = rawEvent(name, properties, at, this._page, this._site._pageHidden);
    // (its size while held: its own parts, and about as much again for the session and context)
    const chars = raw && raw.name.length + raw.props.length + raw.page.json.length + 800;
    return raw && this._run(at, () => this._rec!._record(raw, siteBackground), chars) ? raw.id : undefined;
  }

  /** The consent step, then the hold: `call` runs now or once storage answers, or is dropped (false). */
  _run(at: number, call: Call, chars?: number): boolean {
    if (this._off || this._consent._mode === 'denied') return false;
    return this._hold._run(at, call, chars);
  }

  _attribute(change: (attrs: Attributes) => Attributes | string): void {
    this._run(this._now(), (at) => this._rec!._attributes(at, change, this._site._siteBackground()));
  }

  _lifecycle(at: number, name: string, extra?: Properties, siteBackground?: boolean): void {
    if (this._config.lifecycleEvents) this._track(name, { transition_type: name, ...extra }, at, siteBackground);
  }

  // ---- consent and storage ------------------------------------------------------------------------

  _consentChanged(mode: Mode, was: Mode): void {
    if (was === 'granted' || was === 'anonymous') this._withdrawn();
    if (mode === 'denied') this._hold._drop();
    else if (mode !== 'pending') this._start(mode === 'anonymous');
  }

  /** What this page held goes with the storage the gate erased: nothing queued is sent, a later grant starts afresh. */
  _withdrawn(): void {
    this._opener?._cancel();
    this._opener = null;
    const rec = this._rec;
    this._rec = null;
    if (rec) {
      rec._sender._stop(true);
      rec._keeper._erased = true;
    }
    this._hold._close(true);
    this._newTab = true;
    this._lifeAt = this._now();
  }

  /** Opens storage (memory only when anonymous); held calls run once it answers. */
  _start(anonymous: boolean): void {
    this._hold._close(false);
    this._opener = openStorage(this._config, anonymous, this._tabs, (opened) => guard(() => this._opened(opened, anonymous)));
  }

  _opened({ chain, db, othersOpen, turn }: Opened, anonymous: boolean): void {
    if (this._off) return;
    this._opener = null;
    const keeper = new SessionKeeper(chain, anonymous ? null : this._tabs);
    this._around = { ...this._around, mechanism: keeper._mechanism, anonymous };
    const format = this._config.format;
    // What the pipeline assigned the visitor (Tracardi's profile id) is kept with the session: never when anonymous.
    format.attach?.(keeper._link(anonymous));
    const sender = new Sender(joinUrl(this._url, format.path), format, db && idbOutbox(db), anonymous ? null : this._tabs, format.request?.(anonymous), turn);
    // Events the hold had to drop are reported with the first batch.
    sender._dropped = this._hold._dropped;
    this._hold._dropped = 0;
    this._rec = new Recorder(this._config, keeper, sender, this._around, this);
    debug('storage: ' + keeper._mechanism);
    const lifeAt = this._lifeAt;
    this._lifeAt = null;
    this._hold._open(guard, () => lifeAt !== null && this._resume(lifeAt, othersOpen));
  }

  /** The start of this page's life: a session found over is reported, the site's state synced, a new tab reported. */
  _resume(at: number, othersOpen: boolean): void {
    const keeper = this._rec!._keeper;
    const state = this._rec!._step((prev) => prev && expire(prev, at, this._config), at);
    if (state) {
      keeper._set({ ...state, closed: false, appVersion: this._config.appVersion });
      const siteBackground = this._site._siteBackground();
      if (state.siteBackground !== siteBackground) this._site._change(at, siteBackground, true);
    }
    if (!this._newTab) return;
    this._newTab = false;
    if (this._consent._mode === 'granted') markTab();
    this._lifecycle(at, 'application_initialized', initialized(this._config, keeper._chain.found, othersOpen));
  }

  _onTabMessage(message: TabMessage): void {
    if (message.k === 'consent') this._consent._set(message.c, false);
    else if (message.k === 'sent') this._rec?._sender._sentElsewhere(message.ids);
    else this._rec?._keeper._merge(message.v);
  }

  // ---- what the site's lifecycle asks of the tracker (lifecycle/site.ts) ---------------------------

  _pageHidden(): boolean {
    return this._site._pageHidden;
  }

  _recordedBackground(): boolean | undefined {
    return this._rec?._keeper._state?.siteBackground;
  }

  _siteChanged(at: number, siteBackground: boolean, event: boolean): void {
    if (event) this._lifecycle(at, siteBackground ? 'application_background' : 'application_foreground', undefined, siteBackground);
    else this._run(at, (time) => this._rec!._step((prev) => onVisibility(prev, time, siteBackground, this._config), time));
  }

  _exit(at: number, siteBackground: boolean): void {
    this._lifecycle(at, 'application_exit', undefined, siteBackground);
  }

  _mayLeave(): void {
    this._opener?._goOn();
  }

  _sendNow(closed: boolean): void {
    const rec = this._rec;
    if (!rec) return;
    const state = rec._keeper._state;
    if (closed && state) rec._keeper._set({ ...state, closed: true });
    rec._keeper._save(true);
    rec._sender._pageHidden(closed);
  }

  _restored(): void {
    const state = this._rec?._keeper._state;
    if (state) this._rec!._keeper._set({ ...state, closed: false });
    if (this._viewed !== null) this.page();
  }
}

