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
import type { Input, Settings } from '../core/model';
import { dueToEnd, start, step } from '../core/step';
import { deviceContext, localOffset, timeZone } from './device';
import { randomSeed, readPlace } from './input';
import { browserOf, takeLink } from '../lifecycle/links';
import { takeTab } from '../lifecycle/tab-mark';
import { guard } from '../ground/log';
import { startTabs } from '../session/tabs';
import { note } from '../ground/recorder';
import { startCalls } from './calls';
import type { Shell, TimedTracker } from './shell';
import { startEffects } from './effects';
import { watchSignals } from './signals';
import { whenShown } from './shown';

/**
 * `startedAt`: when the page asked for the tracker (a tag's queued `init`), where its life begins; `onShutdown`: it is
 * being shut down. A page prerendered starts once it is shown, at that time (shell/shown.ts).
 */
export function startTracker(config: Config, startedAt: number, onShutdown: () => void): TimedTracker {
  if ((document as { prerendering?: boolean }).prerendering)
    return whenShown((at) => startTracker(config, at, onShutdown));
  /** The shell's own random ids (this page's name among the tabs, a new tab's id), from a seed of its own. */
  const own = { seed: randomSeed() };
  const leftTab = takeTab();
  // (in this order: the ids drawn from `own`, the tabs' first, then the tab's)
  const tabs = startTabs(`stint:${config.cookie.name || '_stint'}`, freshId(own), (message) =>
    guard(() => signals.hear(message)),
  );
  const shown = document.visibilityState !== 'hidden';
  const tabId = leftTab ? leftTab[0] : freshId(own).slice(0, 8);
  const link = config.crossDomain.length ? takeLink() : null;
  const advance = (input: Input): string | undefined => {
    const next = step(shell.model, input);
    if (effects.recording) note(effects.recording, shell.model, input, next.effects);
    shell.model = next.model;
    for (const effect of next.effects) effects.perform(effect);
    return next.event;
  };
  const shell: Shell = {
    config,
    tabs,
    opener: null,
    keeper: null,
    sender: null,
    db: null,
    stopped: false,
    shown,
    tabId,
    unwatch: [],
    waiting: [],
    model: start({
      at: startedAt,
      settings: settingsOf(config),
      seed: randomSeed(),
      pageHidden: !shown,
      newTab: !leftTab,
      // (out of the URL before the page is read; its session waits for the links part, which reads it)
      link: link ? [link, browserOf()] : null,
      place: readPlace(),
      device: deviceContext((device) => guard(() => shell.now('surroundings', { device }))),
      timeZone: timeZone(),
      offset: localOffset(startedAt),
      tabId,
      focused: document.hasFocus(), // (engaged time)
    }),
    dispatch: (input) => {
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
    },
    now: (type, ...args) => shell.dispatch([type, Date.now(), ...args] as unknown as Input),
  };
  const effects = startEffects(shell, leftTab);
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
