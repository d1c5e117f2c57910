/**
 * A running tracker: the thin shell around the core, in three rooms. This file wires them: it keeps the core's model
 * and is the one way in (`dispatch`: an input meets `step`, and its effects are carried out in order). The page's calls
 * and the browser's signals become inputs in shell/calls.ts and shell/signals.ts; the effects become the adapters'
 * calls in shell/effects.ts. Data flows one way, signal -> input -> step -> effects -> adapters; an adapter reports
 * what it learns (storage answered, a tab spoke, a store failed) as an input, never by calling into another part.
 * ARCHITECTURE.md walks one event through it.
 */
import type { Config } from './config';
import { globalPrivacyControl } from '../consent/gpc';
import { freshId } from '../core/ids';
import type { Input, Inputs, Model, Settings } from '../core/model';
import type { Dispatch } from '../core/effect';
import { dueToEnd, start, step } from '../core/step';
import type { Sender } from '../delivery/sender';
import { deviceContext, localOffset, timeZone } from './device';
import { randomSeed, readPlace } from './input';
import { browserOf, takeLink } from '../lifecycle/links';
import { takeTab } from '../lifecycle/tab-mark';
import { guard } from '../ground/log';
import type { Keeper } from '../session/keeper';
import type { Opener } from '../session/open';
import { startTabs, type Tabs } from '../session/tabs';
import type { StintDb } from '../ground/db';
import type { Tracker } from '../ground/types';
import { note } from '../ground/recorder';
import { startCalls } from './calls';
import { startEffects } from './effects';
import { watchSignals } from './signals';

/** A tracker's methods as the shell runs them: the time of the call first, then the page's arguments. */
export type TimedTracker = {
  [M in keyof Tracker]: (at: number, ...args: Parameters<Tracker[M]>) => ReturnType<Tracker[M]>;
};

/** What the shell's rooms share: the config, the tabs, the way in, and the adapters of storage and delivery. */
export interface Shell {
  config: Config;
  tabs: Tabs;
  /** the model now (the core's: read only for the public queries and what the ARCHITECTURE lists) */
  model: Model;
  dispatch: Dispatch;
  /** an input of this moment */
  now<T extends keyof Inputs>(type: T, ...args: Inputs[T]): string | undefined;
  /** storage being opened, and once it has answered: where the session is written, and who sends */
  opener: Opener | null;
  keeper: Keeper | null;
  sender: Sender | null;
  db: StintDb | null;
  /** stopped (the `stop` effect): the page's calls are ignored */
  stopped: boolean;
  /** whether this page is visible, as the core last told the tabs: a page that resumes joins them so */
  shown: boolean;
  /** this tab's id (lifecycle/tab-mark.ts) */
  tabId: string;
  /** what stops the browser's signals */
  unwatch: (() => void)[];
  /** `ready()` promises waiting for calls to run at once */
  waiting: (() => void)[];
}

/**
 * `startedAt`: when the page asked for the tracker (a tag's queued `init`), where its life begins; `onShutdown`: it is
 * being shut down.
 */
export function startTracker(config: Config, startedAt: number, onShutdown: () => void): TimedTracker {
  /** The shell's own random ids (this page's name among the tabs, a new tab's id), from a seed of its own. */
  const own = { seed: randomSeed() };
  const leftTab = takeTab();
  const shell = {
    config,
    tabs: startTabs(`stint:${config.cookie.name || '_stint'}`, freshId(own), (message) =>
      guard(() => signals.hear(message)),
    ),
    opener: null,
    keeper: null,
    sender: null,
    db: null,
    stopped: false,
    shown: document.visibilityState !== 'hidden',
    tabId: leftTab ? leftTab[0] : freshId(own).slice(0, 8),
    unwatch: [],
    waiting: [],
  } as unknown as Shell;
  const effects = startEffects(shell, leftTab);
  const advance = (input: Input): string | undefined => {
    const next = step(shell.model, input);
    if (effects.recording) note(effects.recording, shell.model, input, next.effects);
    shell.model = next.model;
    for (const effect of next.effects) effects.perform(effect);
    return next.event;
  };
  shell.dispatch = (input) => {
    const at = input[1];
    // Another tab may have written the session (one on a sibling subdomain sends no message): read every few ms, and
    // before an end or an exit (a leaving page's last write must not put back an older count than a page restored
    // meanwhile wrote: Chromium may run this pagehide after the restored page's pageshow).
    const due = input[0] === 'pagehide' || dueToEnd(shell.model, at);
    const value = shell.keeper && shell.keeper.read(at, due);
    if (value) advance(['stored', at, value]);
    // The page moved without page() (a single-page app): what follows is there (a page view's referrer is where it
    // moved from).
    const next = input[0];
    if (next !== 'page' && next !== 'route' && next !== 'restore' && location.href !== shell.model.page.href)
      advance(['move', at, readPlace()]);
    return advance(input);
  };
  shell.now = (type, ...args) => shell.dispatch([type, Date.now(), ...args] as unknown as Input);
  const link = config.crossDomain.length ? takeLink() : null;
  shell.model = start({
    at: startedAt,
    settings: settingsOf(config),
    seed: randomSeed(),
    pageHidden: !shell.shown,
    newTab: !leftTab,
    // (out of the URL before the page is read; its session waits for the links part, which reads it)
    link: link ? [link, browserOf()] : null,
    place: readPlace(),
    device: deviceContext((device) => guard(() => shell.now('surroundings', { device }))),
    timeZone: timeZone(),
    offset: localOffset(startedAt),
    tabId: shell.tabId,
    focused: document.hasFocus(), // (engaged time)
  });
  const signals = watchSignals(shell, effects);
  shell.tabs.join(shell.shown);
  const gpc = globalPrivacyControl();
  shell.dispatch(['consent', startedAt, config.consent, 'config', gpc]);
  signals.follow(gpc);
  return startCalls(shell, effects, onShutdown);
}

/**
 * What the core reads of the config: its data, without what holds code (the format, a consent signal, a custom store,
 * the watches): a model is plain data (`structuredClone` copies it; test/config.test.ts starts one with every option).
 */
export function settingsOf(config: Config): Settings {
  const { format, signal, store, watchRoutes, watchInput, watchLinks, watchCopy, ...settings } = config;
  return settings;
}
