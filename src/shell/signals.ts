/**
 * The browser's signals and the other tabs' messages, turned into inputs for the core (the page's calls are
 * shell/calls.ts's): the page's life (lifecycle/page.ts), a consent platform, the routes, the person's input, the links
 * to the other domains, and the parts' code as it comes (core/parts.ts). What only an adapter does at a signal (the
 * stand-in of a slow store, delivery's freeze) is done here too, before the input.
 */
import { globalPrivacyControl } from '../consent/gpc';
import type { PartCode, PartName } from '../core/parts';
import { keepPart } from '../core/parts';
import { KIT } from '../core/record';
import { gpcRefuses } from '../core/consent';
import { setLeaving } from '../ground/db';
import { abandonReplies, takeDue, wentOffline } from '../delivery/transport';
import { readPlace } from './input';
import { watchPage } from '../lifecycle/page';
import { readWithdrawn } from '../consent/withdrawn';
import { cameFrom, handedOver } from '../lifecycle/tab-mark';
import { guard } from '../ground/log';
import { records, type TabMessage } from '../session/tabs';
import type { Shell } from './shell';
import { SETTLE, type Effects } from './effects';
import { heedWithdrawal, readAgain } from './store';

export interface Signals {
  /** A message of another tab of the site. */
  hear(message: TabMessage): void;
  /** Follows what the config names once its consent is applied: a consent platform, routes, input, links, the copy. */
  follow(gpc: boolean): void;
}

/**
 * The browser offline before the sender starts is an outcome it learns when it does (core/send/verdict.ts): a request a
 * page left in flight just before may have been lost (test/sim regression). Returns the function that stops.
 */
function watchOffline(shell: Shell, effects: Effects): () => void {
  const offline = () => void (shell.sender || !wentOffline() || (effects.offline = Date.now()));
  offline();
  addEventListener('offline', offline);
  return () => removeEventListener('offline', offline);
}

/**
 * A withdrawal a page back from the cache or a freeze could not hear while away (consent/withdrawn.ts), learned before
 * anything else: it may leave in the same task (a frozen tab resumed to be reloaded: test/sim regression), before its
 * store answers.
 */
const learnWithdrawal = (shell: Shell) => shell.now('withdrawal', readWithdrawn());

/**
 * A tab tells its state once it wrote it, and that write reaches the browser's store by another way than this tab's: it
 * may land over this tab's later writes (test/sim seed 6947: a closing tab's eventIndex 59 landed 27 ms late, over the
 * 67 the tab that heard it had written since, and a new tab counted from 59). So the store is read again once that
 * moment has passed, and what it lacks written back: at most once per `SETTLE` while tabs talk, and once `SETTLE` after
 * the last state heard. Returns what to call at each state heard. `effects.overdue` takes the read at once when
 * `SETTLE` has passed since the last state heard and its timer has not woken: a hidden page's timers wake at whole
 * seconds (Chromium), up to a second late, and a tab that dies meanwhile leaves the older count; its requests do not
 * wait for them, and the read is taken before each (effects.ts; test/sim seed 37883: a closing tab's 4 landed 157 ms
 * late over the 5 of a hidden tab, which sent a request 565 ms later and crashed 32 ms after it, its read asleep till
 * the next second; a new tab counted 5 again).
 */
export function settleAfter(shell: Shell, effects: Pick<Effects, 'overdue'>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = 0;
  const settled = () => {
    // (still set where `overdue` took the read before its timer woke)
    clearTimeout(timer);
    timer = undefined;
    guard(() => readAgain(shell));
    if (due > Date.now()) timer = setTimeout(settled, due - Date.now());
  };
  shell.unwatch.push(() => clearTimeout(timer));
  effects.overdue = () => void (timer !== undefined && Date.now() >= due && settled());
  return () => {
    due = Date.now() + SETTLE;
    timer ??= setTimeout(settled, SETTLE);
  };
}

export function watchSignals(shell: Shell, effects: Effects): Signals {
  const { config, tabs, now, unwatch } = shell;
  /** A part's code has come: kept beside the core's steps, and the core told (core/parts.ts). */
  const came =
    <N extends PartName>(name: N) =>
    (code: PartCode[N]) =>
      guard(() => (keepPart(name, code), now('part', name)));
  const watch = (start: () => () => void) => guard(() => unwatch.push(start()));
  unwatch.push(watchOffline(shell, effects));
  unwatch.push(
    watchPage({
      mayLeave: () => (takeDue(), shell.opener?.goOn()),
      hidden: (hidden) => (hidden && heedWithdrawal(shell), now('visibility', hidden)),
      // Nothing left pending that could block the next page (see db.ts).
      left: (persisted) => (setLeaving(true), heedWithdrawal(shell), now('pagehide', persisted)),
      restored() {
        // Back from the back/forward cache: nothing it started before is waited for (db.ts, transport.ts); the session
        // the tab's last page handed over is taken at once (this page may leave again before its store answers).
        setLeaving(false);
        learnWithdrawal(shell);
        abandonReplies();
        shell.sender?.resume();
        if ((effects.handOff = handedOver())) now('stored', effects.handOff);
        now('restore', readPlace(), cameFrom());
      },
      // A frozen page leaves the tabs' channel: Chromium still runs its messages, and would answer a roll call.
      froze() {
        (setLeaving(true), heedWithdrawal(shell));
        now('visibility', true);
        shell.sender?.freeze();
        tabs.leave();
      },
      // (the other tabs went on meanwhile, unheard: the core reads the store again before it records anything)
      resumed() {
        setLeaving(false);
        tabs.join(shell.shown);
        learnWithdrawal(shell);
        shell.sender?.resume();
        now('resume');
      },
    }),
  );
  const settle = settleAfter(shell, effects);
  return {
    hear(message) {
      if (message.k === 'vis') now('tab', message.tab, message.visible, records(message.c, tabs.id));
      else if (message.k === 'state') (now('stored', message.v), settle());
      else if (message.k === 'sent') shell.sender?.sentElsewhere(message.ids, message.a === 1);
      else if (message.k === 'sending') shell.sender?.sendingElsewhere(message.ids);
      else if (message.k === 'consent') now('consent', message.c, 'tab', globalPrivacyControl(), +message.t || 0);
    },
    follow(gpc) {
      // A CMP is followed once the configured consent is applied (a CMP that answers at once is not overruled by it);
      // a page's default applies as the config's does: in this tab only.
      const signal = config.signal;
      if (signal && !gpcRefuses(config, gpc))
        unwatch.push(
          signal((state, isDefault) =>
            guard(() => now('consent', state, isDefault ? 'default' : 'signal', globalPrivacyControl())),
          ),
        );
      const auto = config.autoPageViews;
      const route = (from: string, to?: string) =>
        now('route', to ? { ...readPlace({ url: to }), href: to } : readPlace(), from);
      if (auto) watch(() => config.watchRoutes(auto !== 'history', route, location.href));
      const engagement = config.engagement;
      const input = (at: number, focused?: boolean) =>
        guard(() => shell.dispatch(focused === undefined ? ['activity', at] : ['focus', at, focused]));
      // (engaged time's steps come with the input part: until then the stretch the page started with stays open)
      const engage = engagement
        ? (make: (kit: typeof KIT) => PartCode['engagement']) => came('engagement')(make(KIT))
        : undefined;
      if (config.activity === 'input' || engagement) watch(() => config.watchInput(input, engage));
      // (a link's value, at the click: the core's answer, nothing under Global Privacy Control)
      const link = () => shell.now('link', globalPrivacyControl()) ?? null;
      if (config.crossDomain.length) watch(() => config.watchLinks(config.crossDomain, link, came('landing')));
      if (config.serverCookie) watch(() => config.watchCopy(came('copy')));
    },
  };
}
