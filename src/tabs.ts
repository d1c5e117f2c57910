/**
 * The site's tabs. Every tab keeps the session in memory (reading the cookie after writing it costs
 * ~100 µs in Chromium) and tells the others what changed over a BroadcastChannel (~2 µs). The same
 * channel keeps a register of which tabs are visible: the site is in the background only when none is.
 *
 * A tab that crashes cannot say goodbye: a tab is known to be alive when it answers a roll call on the
 * channel, in a bounded time. Nothing is held for the page's life: Firefox keeps a page that holds a
 * Web Lock when a navigation starts out of the back/forward cache, even when pagehide releases it
 * (ESR 153; e2e/bfcache.spec.ts). A page in the cache has closed its channel: it is not an open tab.
 */
import type { ConsentState } from './types';

/** What tabs tell each other besides their visibility. */
export type TabMessage =
  /** an encoded SessionState, after every change */
  | { k: 'state'; v: string }
  /** a consent decision taken in one tab applies to the site */
  | { k: 'consent'; c: ConsentState }
  /** outbox entries a tab has delivered, so that no other tab sends them again */
  | { k: 'sent'; ids: string[] };

interface Visibility {
  k: 'vis';
  tab: string;
  visible: boolean;
  /** a roll call: every other tab answers with its own visibility */
  hello?: 1;
}

/** How long a roll call waits for answers: a live tab answers in a few ms, a crashed one never. */
const ROLL_CALL = 1000;

export class Tabs {
  /** Other tabs that said they are visible. */
  _visibleTabs = new Set<string>();
  _channel: BroadcastChannel | null = null;
  /** This page hidden, as last told to the other tabs. */
  _pageHidden = true;
  /** Roll calls waiting for answers. */
  _listening = new Set<(tab: string) => void>();

  constructor(
    readonly _name: string,
    readonly _id: string,
    readonly _onMessage: (message: TabMessage) => void,
  ) {}

  /** Joins the site's tabs, hidden or not (at start, and after a back/forward-cache restore). */
  _open(pageHidden: boolean): void {
    this._pageHidden = pageHidden;
    if (this._channel || typeof BroadcastChannel !== 'function') return;
    this._channel = new BroadcastChannel(this._name);
    this._channel.onmessage = ({ data }) => this._receive(data);
    this._hello();
  }

  /** Leaves (on pagehide): says so, and lets go of the channel, which would keep the page out of the back/forward cache. */
  _close(): void {
    this._setPageHidden(true);
    this._channel?.close();
    this._channel = null;
    this._visibleTabs.clear();
  }

  _setPageHidden(pageHidden: boolean): void {
    this._pageHidden = pageHidden;
    this._send({ k: 'vis', tab: this._id, visible: !pageHidden });
  }

  /** The site is in the background: no tab of it, this one included, is visible. */
  _siteBackground(): boolean {
    return this._pageHidden && !this._visibleTabs.size;
  }

  _hello(): void {
    this._send({ k: 'vis', tab: this._id, visible: !this._pageHidden, hello: 1 });
  }

  /**
   * A roll call: the other tabs that answer within `ROLL_CALL` ms (at once when all of `wanted` have,
   * or any tab when `wanted` is missing). Null without a channel: nobody can be asked.
   */
  _alive(wanted?: string[]): Promise<Set<string> | null> {
    if (!this._channel) return Promise.resolve(null);
    return new Promise((resolve) => {
      const answered = new Set<string>();
      const done = () => {
        clearTimeout(timer);
        this._listening.delete(hear);
        resolve(answered);
      };
      const hear = (tab: string) => {
        answered.add(tab);
        if (!wanted || wanted.every((t) => answered.has(t))) done();
      };
      const timer = setTimeout(done, ROLL_CALL);
      this._listening.add(hear);
      this._hello();
    });
  }

  /** Forgets visible tabs that do not answer (they crashed); resolves whether one was forgotten. */
  async _prune(): Promise<boolean> {
    const visible = [...this._visibleTabs];
    if (!visible.length) return false;
    const alive = await this._alive(visible);
    let forgot = false;
    for (const tab of visible) {
      if (alive && !alive.has(tab)) forgot = this._visibleTabs.delete(tab) || forgot;
    }
    return forgot;
  }

  _send(message: TabMessage | Visibility): void {
    try {
      this._channel?.postMessage(message);
    } catch {
      // A closed channel (the page is going away): nothing to tell.
    }
  }

  _receive(message: TabMessage | Visibility): void {
    if (!message || typeof message !== 'object') return;
    if (message.k !== 'vis') return this._onMessage(message);
    if (message.visible) this._visibleTabs.add(message.tab);
    else this._visibleTabs.delete(message.tab);
    for (const hear of this._listening) hear(message.tab);
    if (message.hello) this._send({ k: 'vis', tab: this._id, visible: !this._pageHidden });
  }
}
