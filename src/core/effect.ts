/**
 * What a step of the core gives (step.ts): the effects it asks the shell for, in order, and the next model.
 */
import type { ConsentState } from '../ground/types';
import type { Entry } from './event';
import type { Input, InputOf, Inputs, Model } from './model';
import type { PartName } from './parts';

/**
 * What an input of type `T` does to the model (a copy, for this step) and which effects it asks for; a call that tracks
 * an event answers its id (undefined: dropped).
 */
export type Step<T extends keyof Inputs = keyof Inputs> = (m: Model, fx: Effect[], input: InputOf<T>) => string | void;

/** Gives the core an input. */
export type Dispatch = (input: Input) => string | undefined;

/** What the shell must do, in order: a verb, and what it is done with. */
export type Effect =
  /** an event for the outbox */
  | [type: 'enqueue', entry: Entry]
  /** the session changed: saved and told to the tabs at the end of the task; `now`: at once, the mirror too */
  | [type: 'save', now?: true]
  /** the store may hold less than this tab knows: written at the task's end, untold; `ifWrote`: if it wrote lately */
  | [type: 'writeBack', ifWrote?: true]
  /** what waits goes out at once by beacon; `leaving`: pagehide, the page's requests in flight outlive it */
  | [type: 'beacon', leaving: boolean]
  /**
   * the page is back in the foreground: a failing collector may be tried now, rather than at the end of a long backoff
   */
  | [type: 'retry']
  /**
   * back from the back/forward cache, or running again after a freeze: the store is read again, and answers with a
   * `reread` input
   */
  | [type: 'reread']
  /** events the hold had to drop, for the next batch's `dropped` */
  | [type: 'lost', count: number]
  /** storage opens (memory only when anonymous); it answers with an `opened` input */
  | [type: 'openStorage', anonymous: boolean]
  /**
   * consent withdrawn: everything Stint keeps is let go, in this page (storage being opened is abandoned,
   * nothing queued is sent or written any more) and on the device, in every tab; `withdrawn`: when, if this page had
   * consent (the device keeps that time alone, for the pages the tabs' message cannot reach: cached, frozen); `found`:
   * a refusal in a page that had none, marked only where the device holds a session (a grant it did not hear)
   */
  | [type: 'erase', withdrawn?: number, found?: boolean]
  | [type: 'tellConsent', consent: ConsentState, at: number]
  /** this page's visibility, told to the other tabs; hidden, the tabs it takes for shown */
  | [type: 'announce', visible: boolean, shown?: readonly string[]]
  /** ask these tabs whether they are alive; those that do not answer come back as `tabsGone` */
  | [type: 'rollCall', tabs: readonly string[]]
  | [type: 'joinTabs', visible: boolean]
  | [type: 'leaveTabs', shown?: readonly string[]]
  /**
   * the tab's id (and that it reported application_initialized) is left for its next page with the session as this
   * page leaves it (`handOver`, encoded; '' for none: pagehide, with consent), or taken back (null: a restore)
   */
  | [type: 'leaveTab', handOver: string | null]
  /**
   * the same, left when the page is hidden: Chrome may discard a hidden tab, with no pagehide, and reload it when it is
   * shown again; only such a reload takes it (a page that is shown again leaves it: no other page takes it)
   */
  | [type: 'hideTab', handOver: string]
  /** a part is waited for at most `ms`: a `late` input then, if it has not come */
  | [type: 'await', name: PartName, ms: number]
  /** the server's copy of the session is renewed with this value (URI-encoded: core/session/copy.ts) */
  | [type: 'copy', value: string]
  | [type: 'resolveReady']
  /** shut down: no more signals, no more sending, and ready() resolves */
  | [type: 'stop']
  /** a message (log.ts): its code, and where it comes from */
  | [type: 'warn', code: number, where: string]
  | [type: 'debug', code: number, where: string];

/**
 * What one step gives: the next model, what to do, and the id of the event the call tracked (run or held; undefined:
 * none, or dropped).
 */
export interface Next {
  model: Model;
  effects: Effect[];
  event?: string;
}
