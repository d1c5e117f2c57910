/**
 * The site's tabs, over a BroadcastChannel (~2 µs a message): what one tab tells the others (its
 * visibility, a consent decision, the session after every change, the events it delivered), and the roll
 * call. Every tab keeps the session in memory (reading the cookie after writing it costs ~100 µs in
 * Chromium) and hears the others' changes here.
 *
 * A tab that crashes cannot say goodbye: a tab is known to be alive when it answers a roll call on the
 * channel, in a bounded time. Nothing is held for the page's life: Firefox keeps a page that holds a Web
 * Lock out of its back/forward cache when a navigation starts, even when pagehide releases it (ESR 153;
 * e2e/bfcache.spec.ts; https://github.com/w3c/web-locks/issues/81). A page in the cache has closed its
 * channel: it is not an open tab.
 */
import { ROLL_CALL } from '../core/session/site';
import type { ConsentState } from '../ground/types';

/** What tabs tell each other. */
export type TabMessage =
  /**
   * a tab's visibility; `hello`: a roll call, which every other tab answers with its own; `c`: a tab hidden or gone
   * while it took others for shown names them (and itself, hidden): each may be hidden too, unheard, and the greatest
   * id records the site's background
   */
  | { k: 'vis'; tab: string; visible: boolean; hello?: 1; c?: string[] }
  /** an encoded session state, after every change */
  | { k: 'state'; v: string }
  /** a consent decision taken in one tab at `t` applies to the site */
  | { k: 'consent'; c: ConsentState; t: number }
  /** outbox entries a tab has delivered, so that no other tab sends them again */
  | { k: 'sent'; ids: string[]; a?: 1 }
  /** outbox entries a tab read and sends, so that the tab that wrote them does not beacon them too */
  | { k: 'sending'; ids: string[] };

export interface Tabs {
  /** This tab's id. */
  readonly id: string;
  /** Joins the site's tabs, visible or not (at start, and after a back/forward-cache restore). */
  join(visible: boolean): void;
  /**
   * Leaves (on pagehide, at shutdown): says so, naming the tabs it took for shown (`TabMessage` `c`), and lets go of
   * the channel, which would keep the page out of the back/forward cache.
   */
  leave(taken?: readonly string[]): void;
  /** Tells the other tabs whether this one is visible; hidden, the tabs it takes for shown (`TabMessage` `c`). */
  announce(visible: boolean, taken?: readonly string[]): void;
  send(message: TabMessage): void;
  /**
   * A roll call: the other tabs that answer within `ROLL_CALL` ms (at once when all of `wanted` have,
   * or any tab when `wanted` is missing; a wanted tab answers by any message). Null without a channel: nobody can be
   * asked.
   */
  alive(wanted?: readonly string[]): Promise<Set<string> | null>;
}

/**
 * Whether tab `id` records the site's background for a tab hidden or gone that named it among those it took for shown
 * (`c`): each of them may have hidden before it heard the others, and recorded none; the greatest id records it.
 */
export const records = (c: string[] | undefined, id: string): boolean => !!c?.includes(id) && c.every((t) => t <= id);

/** `hear`: every message of another tab (roll calls answered here). */
export function startTabs(name: string, id: string, hear: (message: TabMessage) => void): Tabs {
  let channel: BroadcastChannel | null = null;
  /** This tab's visibility, as last told to the others. */
  let visible = false;
  /** Roll calls waiting for answers. */
  const listening = new Set<(tab: string, said?: boolean) => void>();

  const send = (message: TabMessage) => {
    try {
      // (signed: a word of this tab's answers a roll call that wants it, `alive`)
      channel?.postMessage(message.k === 'vis' ? message : { ...message, f: id });
    } catch {
      // A closed channel (the page is going away): nothing to tell.
    }
  };
  /** Tells the others whether this tab is visible; `hello` asks each of them to answer with its own. */
  const announce = (isVisible: boolean, hello?: 1, c?: string[]) => {
    visible = isVisible;
    send({ k: 'vis', tab: id, visible, hello, c });
  };
  const receive = (message: TabMessage & { f?: string }) => {
    if (!message || typeof message !== 'object') return;
    if (message.k === 'vis') {
      for (const answered of listening) answered(message.tab);
      if (message.hello) announce(visible);
    } else if (message.f) for (const answered of listening) answered(message.f, true);
    hear(message);
  };

  return {
    id,
    join(isVisible) {
      visible = isVisible;
      if (channel || typeof BroadcastChannel !== 'function') return;
      channel = new BroadcastChannel(name);
      channel.onmessage = ({ data }) => receive(data);
      announce(visible, 1);
    },
    leave(taken) {
      announce(false, undefined, taken as string[]);
      channel?.close();
      channel = null;
    },
    announce: (isVisible, taken) => announce(isVisible, undefined, taken && [...taken, id]),
    send,
    alive(wanted) {
      if (!channel) return Promise.resolve(null);
      return new Promise((resolve) => {
        const answered = new Set<string>();
        const done = () => {
          clearTimeout(timer);
          listening.delete(hear);
          resolve(answered);
        };
        // A wanted tab heard from since the roll call began is alive, whatever it said (`said`): its answer may come
        // late, its page busy with a long task or the browser's processes busy, and it may hold the send turn, its
        // request in flight (test/sim seed 42077: an answer 895 ms late, then 604 ms busy; the turn taken, what it
        // sent was read from the outbox before its 2xx was heard, and sent again). An answer says the visibility.
        const hear = (tab: string, said?: boolean) => {
          if (said && !wanted?.includes(tab)) return;
          answered.add(tab);
          if (!wanted || wanted.every((t) => answered.has(t))) done();
        };
        const timer = setTimeout(done, ROLL_CALL);
        listening.add(hear);
        announce(visible, 1);
      });
    },
  };
}
