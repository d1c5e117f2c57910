/**
 * What the shell's rooms share (shell/tracker.ts makes it; calls.ts, signals.ts, effects.ts and store.ts use it), in a
 * file of its own so that no room imports the file that imports it.
 */
import type { Dispatch } from '../core/effect';
import type { Inputs, Model } from '../core/model';
import type { Sender } from '../delivery/sender';
import type { StintDb } from '../ground/db';
import type { Tracker } from '../ground/types';
import type { Keeper } from '../session/keeper';
import type { Opener } from '../session/open';
import type { Tabs } from '../session/tabs';
import type { Config } from './config';

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
