/**
 * The effects of the core, carried out by the adapters (ARCHITECTURE.md, "The effects, and who carries them out"): one
 * small function per effect, in the order the step gave them. What an adapter learns comes back as an input.
 */
import { joinUrl } from '../core/formats/format';
import type { Effect } from '../core/effect';
import type { Outcome } from '../core/send/send-model';
import type { Recording } from '../ground/recorder';
import { decodeState, type SessionState } from '../core/session/state';
import { idbOutbox } from '../delivery/outbox-store';
import { startSender } from '../delivery/sender';
import { sendTurn } from '../delivery/turn';
import { leaveTab } from '../lifecycle/tab-mark';
import { debug, guard, warn } from '../ground/log';
import { sendCopy } from '../session/copy';
import { startKeeper } from '../session/keeper';
import { openStorage, type Opened } from '../session/open';
import { eraseDevice, heedWithdrawal, reread, verifyAfter } from './store';
import type { Shell } from './shell';

export interface Effects {
  perform(effect: Effect): void;
  /** The flight recorder's steps (`debug: true`: recorder.ts). */
  recording: Recording | null;
  /** Events the hold dropped (the `lost` effect) before the sender started: its first batch counts them. */
  lostEarly: number;
  /**
   * The session the page the visitor came back from handed over (encoded, or ''), read before the restore takes it out.
   */
  handOff: string;
  /** The last delivery outcome of a sender stopped by a withdrawal: the next one (anonymous) starts knowing it. */
  outcome: Outcome | null;
  /** When the page last saw the browser offline before the sender started: it learns that when it starts. */
  offline: number | null;
  /** Before a request: a read of the store again that is due, its timer asleep (signals.ts `settleAfter`). */
  overdue(): void;
}

/**
 * How long after a page wrote the store its write may still reach it (test/sim/storage.ts JAR_LAG): the tab's last
 * page's exit, or another tab's write it told.
 */
export const SETTLE = 500;

/** Storage answered: the session is written there from now on, and the outbox sent. */
function whenOpened(shell: Shell, effects: Effects, movedTo: (mechanism: string) => void) {
  const { config, tabs } = shell;
  const url = joinUrl(config.collector, config.format.path);
  return ({ chain, db, othersOpen }: Opened, anonymous: boolean, handed: SessionState | null) => {
    if (shell.stopped) return;
    shell.opener = null;
    shell.db = db;
    shell.keeper = startKeeper(chain, anonymous ? null : tabs, movedTo);
    const { lostEarly: dropped, offline } = effects;
    // (learned once: a sender started again after a withdrawal and a grant took an old offline spell as news, over the
    // 2xx its page learned since, and judged its request in flight as the page left lost: test/sim regression)
    effects.lostEarly = 0;
    effects.offline = null;
    shell.sender = startSender({
      url,
      format: config.format,
      request: { ...config.format.request?.(anonymous), gzip: config.compression == 'gzip' && !config.format.plain },
      store: db && idbOutbox(db),
      dropped,
      outcome: effects.outcome,
      offline,
      tabs: anonymous ? null : tabs,
      // (whose turn it is to send, among the tabs that share the outbox in that database)
      turn: db && sendTurn(db, tabs),
      batch: () => ({
        profile: shell.model.session?.profileId ?? null,
        sampleRate: config.sampleRate,
        appVersion: config.appVersion,
      }),
      recording: effects.recording,
      heed: () => (heedWithdrawal(shell), effects.overdue()),
      heard: ({ profile: id, said }) => {
        debug(54, JSON.stringify(said));
        if (id) guard(() => shell.now('profile', id));
      },
    });
    // (the tab's last page wrote its exit as it left, by another way to the browser's store than this page's writes: it
    // may land after this page's first write, which the read `VERIFY_LATE` after it finds. Test/sim seed 7001)
    shell.now('opened', chain.found, shell.keeper.mechanism(), othersOpen, chain.copy, handed);
  };
}

/** `leftTab`: what the tab's last page left (its id, its URL, the session it handed over). */
export function startEffects(shell: Shell, leftTab: [string, string | undefined, string] | null): Effects {
  const { config, tabs } = shell;
  // The session's writes, one at the end of the task (a `stored` merge later in the task must be what is written): a
  // save, told to the tabs, or a write-back alone (the store alone, whatever this tab last wrote); or a save now.
  let [saving, back] = [false, false];
  const verify = verifyAfter(shell);
  const save = (all: boolean, tell = true, writeBack = back) => {
    saving = back = false;
    if (shell.keeper && shell.model.session) (shell.keeper.save(shell.model.session, all, tell, writeBack), verify());
  };
  const atEnd = () => saving || back || queueMicrotask(() => (saving || back) && guard(() => save(false, saving)));
  /** The session is kept elsewhere now: a store failed, or a slow one answered late. */
  const movedTo = (mechanism: string) => guard(() => shell.now('surroundings', { mechanism }));
  const effects: Effects = {
    perform: (effect) => (perform[effect[0]] as (payload: unknown, more: unknown) => void)(effect[1], effect[2]),
    recording: config.debug ? { kept: [], start: null } : null,
    ...{ lostEarly: 0, handOff: '', outcome: null, offline: null, overdue: () => {} },
  };
  const opened = whenOpened(shell, effects, movedTo);
  const perform: { [T in Effect[0]]: (payload: Extract<Effect, [T, ...unknown[]]>[1], more: never) => void } = {
    enqueue: (entry) => shell.sender?.add(entry),
    save: (now) => (now ? save(true) : (atEnd(), (saving = true))),
    writeBack: (ifWrote) => (!ifWrote || shell.keeper?.wroteLately()) && (atEnd(), (back = true)),
    beacon: (leaving) => shell.sender?.beacon(leaving),
    retry: () => shell.sender?.retry(),
    reread: () => reread(shell, () => effects.handOff),
    lost: (count) => (shell.sender ? shell.sender.lost(count) : (effects.lostEarly += count)),
    openStorage(anonymous) {
      const handed = decodeState(leftTab && leftTab[2]);
      shell.opener = openStorage(
        config,
        anonymous,
        () => tabs.alive(),
        (answer) => guard(() => opened(answer, anonymous, handed)),
        movedTo,
        handed,
      );
    },
    erase(withdrawn, found) {
      // (and the tab's hand-over: a grant after it starts afresh. test/sim seed 31482, a page refused then granted)
      [leftTab, effects.handOff] = [null, ''];
      effects.outcome = shell.sender?.model.outcome ?? effects.outcome;
      shell.opener?.cancel();
      shell.sender?.stop(true);
      shell.opener = shell.keeper = shell.sender = (shell.db?.drop(), (shell.db = null));
      saving = back = false;
      eraseDevice(shell, withdrawn, found);
    },
    copy: (value) => sendCopy(config.serverCookie, 'POST', value),
    await: (name, ms) => setTimeout(() => guard(() => shell.now('late', name)), ms),
    tellConsent: (consent, at) => tabs.send({ k: 'consent', c: consent, t: at }),
    announce: (visible, shown) => tabs.announce((shell.shown = visible), shown),
    rollCall(wanted) {
      tabs.alive(wanted).then((alive) =>
        guard(() => {
          const gone = alive ? wanted.filter((tab) => !alive.has(tab)) : [];
          if (gone.length) shell.now('tabsGone', gone);
        }),
      );
    },
    joinTabs: (visible) => tabs.join((shell.shown = visible)),
    leaveTabs: (shown) => ((shell.shown = false), tabs.leave(shown)),
    leaveTab: (handOver) => leaveTab(handOver === null ? null : shell.tabId, handOver ?? ''),
    hideTab: (handOver) => leaveTab(shell.tabId, handOver, true),
    resolveReady: () => shell.waiting.splice(0).forEach((resolve) => resolve()),
    stop() {
      shell.stopped = true;
      for (const stop of shell.unwatch.splice(0)) stop();
      tabs.leave();
      shell.opener?.cancel();
      shell.sender?.stop();
      shell.db?.close();
      shell.opener = null;
      perform.resolveReady(undefined as never, undefined as never);
    },
    warn,
    debug,
  };
  return effects;
}
