/**
 * The IAB's Global Privacy Platform (GPP: https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform,
 * Core/CMP API Specification.md), followed through the CMP's `window.__gpp`, or from a frame through its `__gppLocator`
 * frame (postMessage): a consent signal (`consent: gpp()` from 'stint/gpp', or `consent: 'gpp'` with the script tag).
 * Stint carries no GPP string decoder: it reads the sections the CMP has parsed, in every published shape of the API:
 * 1.1's `parsedSections` in the ping's data, or 1.0's `getSection` for each section (a 1.0 CMP lists them in
 * `supportedAPIs`, as 1.0's text says since November 2022 and 1.1 kept, or `apiSupport`, the September 2022 draft's
 * name; it answers by return values or by callbacks, and says which sections apply in `getGPPData`). What its answers
 * mean: gpp-read.ts.
 */
import { note } from '../ground/log';
import type { ConsentState } from '../ground/types';
import {
  gppConsent,
  readable,
  unversioned,
  type GppData,
  type GppPing,
  type GppSection,
  type GppSections,
} from './gpp-read';
/** What a listener hears: the event, with the ping's data. */
interface GppEvent {
  listenerId?: number;
  pingData?: GppPing;
}

type GppCallback = (value: unknown, success?: boolean) => void;
/** `__gpp(command, callback, parameter)`: 1.1 answers through the callback, 1.0 by the return value or the callback. */
type GppApi = (command: string, callback: GppCallback, parameter?: unknown) => unknown;

/**
 * A CMP in a parent frame, through its `__gppLocator` frame: `__gppCall` messages, answered by `__gppReturn`
 * ones with the same `callId` (a listener's events come back with its call's). Returns the API and its stop.
 */
function framed(cmp: Window): [GppApi, () => void] {
  const calls = new Map<number, GppCallback>();
  const hear = (event: MessageEvent) => {
    let data = event.data;
    try {
      if (typeof data == 'string') data = JSON.parse(data);
    } catch {
      return;
    }
    const answer = data && data.__gppReturn;
    if (answer) calls.get(answer.callId)?.(answer.returnValue, answer.success);
  };
  addEventListener('message', hear);
  const api: GppApi = (command, callback, parameter) => {
    calls.set(calls.size + 1, callback);
    cmp.postMessage({ __gppCall: { command, parameter, version: '1.1', callId: calls.size } }, '*');
  };
  return [api, () => removeEventListener('message', hear)];
}

/** The window whose frame is named `__gppLocator` (this one or a parent), where a CMP runs; null if none. */
function locate(): Window | null {
  // (the top window is its own parent)
  for (
    let w: Window | undefined = window, depth = 0;
    w && depth < 10;
    w = w === w.parent ? undefined : w.parent, depth++
  ) {
    try {
      if ((w.frames as unknown as Record<string, unknown>).__gppLocator) return w;
    } catch {
      // (a frame of another origin that refuses the look: none there)
    }
  }
  return null;
}

/**
 * Calls the CMP; the answer comes by the return value or the callback (1.0 does either; through a frame, later), and
 * goes to `then` while `live`. Returns true if the CMP threw (no answer: a getSection that throws is a section Stint
 * cannot read).
 */
function call(api: GppApi, live: () => boolean, command: string, parameter: unknown, then: (value: unknown) => void) {
  const take = (answer: unknown) => {
    try {
      if (live()) then(answer);
    } catch {
      // (a CMP's data Stint cannot read: no decision, consent as it was; nothing thrown into the CMP's loop)
    }
  };
  try {
    const value = api(command, take, parameter);
    if (value !== undefined) take(value);
    return false;
  } catch {
    return true;
  }
}

type Ask = (command: string, parameter: unknown, then: (value: unknown) => void) => boolean;

/**
 * Reads what a CMP says: each ping it hears (`hear`) starts a round (the answers of an older ping are dropped) that
 * asks 1.0's GPP data and each section the CMP gives or a decision lacks, and judges after each answer; `onChange` gets
 * each decision, and `warn` the sections that do not come within a second. A grant waits for every section asked
 * (an opt-out in one that does not apply refuses too), for a second at most. `stop` ends the waits.
 */
function reader(ask: Ask, onChange: (state: ConsentState) => void, warn: (message: string) => void) {
  let last: ConsentState | undefined;
  let timer: ReturnType<typeof setTimeout>;
  // What the CMP said last, 1.0's GPP data, the sections asked for since, those not answered yet
  let ping: GppPing;
  let data: GppData | null;
  let got: GppSections;
  let asked: string[];
  let waiting: Set<string>;
  let round = 0;
  const judge = () => {
    const { state } = gppConsent(ping, data, got);
    if (state !== 'pending' && state !== last && (state !== 'granted' || !waiting.size)) onChange((last = state));
  };
  /** A second after a round's last ask: one warning for what a decision lacks; a grant no longer waits for the rest. */
  const wait = (current: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (current !== round) return;
      const { unread } = gppConsent(ping, data, got);
      const message = `the GPP CMP says ${unread.join(', ')} applies, but gives no section Stint can read`;
      if (unread.length) warn(message + ': consent stays pending');
      waiting.clear();
      judge();
    }, 1000);
  };
  /** Asks for each section not read or asked yet (as listed, without its version, and with 'v1'), then judges. */
  const read = () => {
    const current = round;
    const fresh: string[] = [];
    for (const name of gppConsent(ping, data, got).ask)
      for (const alias of [name, unversioned(name), unversioned(name) + 'v1'])
        if (!asked.includes(alias)) asked.push(alias), fresh.push(alias), waiting.add(alias);
    // (every ask is waited for before the first answer: one that answers at once must not grant before the others)
    for (const alias of fresh) {
      const answer = (section: unknown) => {
        if (current !== round) return;
        waiting.delete(alias);
        if (readable(section)) got[alias] = section as GppSection;
        judge();
      };
      if (ask('getSection', alias, answer)) answer(null);
    }
    judge();
    if (fresh.length) wait(current);
  };
  return {
    hear(next: GppPing) {
      [ping, data, got, asked, waiting] = [next, null, {}, [], new Set()];
      const current = ++round;
      // 1.0: which sections apply is in its GPP data (1.1 says it in the ping, and has no getGPPData)
      if (!Array.isArray(next.applicableSections))
        ask('getGPPData', undefined, (answer) => {
          if (current === round && readable(answer)) ((data = answer as GppData), read());
        });
      read();
    },
    stop: () => clearTimeout(timer),
  };
}

/**
 * Follows a GPP CMP: calls `onChange` with each decision. The CMP, or its stub, may come after Stint starts, and a
 * CMP may replace a stub without taking over the listeners it kept (the specification's example stub has no
 * `events` command for the CMP to read them): so while Stint has heard nothing but a stub, it looks again every
 * 250 ms for 10 s, registers with the `__gpp` that is there now if it is another function (a frame's, once its
 * `ping` answers as a CMP), and then warns once. Returns the stop function.
 */
export function watchGpp(onChange: (state: ConsentState) => void): () => void {
  let api: GppApi | undefined;
  let unframe = () => {};
  // The registration whose events count (an older one may still be called by the CMP that took it over).
  let registration = 0;
  let listenerId: number | undefined;
  // The current registration has heard the CMP itself, not its stub.
  let heard = false;
  let looks = 0;
  let timer: ReturnType<typeof setTimeout>;
  // One warning per watch: the first reason consent stays pending.
  let warned = false;
  let stopped = false;
  const warnOnce = (message: string) => warned || ((warned = true), note(message));
  const ask: Ask = (command, parameter, then) => call(api!, () => !stopped, command, parameter, then);
  const cmp = reader(ask, onChange, warnOnce);
  const hear = (from: number, value: unknown) => {
    const event = value as GppEvent | null;
    const next = event && typeof event == 'object' && event.pingData;
    if (from !== registration || !next || typeof next != 'object') return;
    if (typeof event.listenerId == 'number') listenerId = event.listenerId;
    heard ||= next.cmpStatus !== 'stub';
    cmp.hear(next);
  };
  const register = (found: GppApi) => {
    const from = ++registration;
    api = found;
    listenerId = undefined;
    // A CMP that throws never throws into the page through Stint: consent stays pending.
    if (
      ask('addEventListener', undefined, (event) => hear(from, event)) ||
      ask('ping', undefined, (pingData) => hear(from, { pingData }))
    )
      warnOnce('the GPP CMP threw: consent stays pending');
  };
  /** Registers again with a CMP that answers at the same `__gpp`, or a frame's: the stub's list may be lost. */
  const retry = (current: GppApi, from = registration) =>
    ask('ping', undefined, (pingData) => {
      if (from === registration && !heard && readable(pingData) && (pingData as GppPing).cmpStatus !== 'stub')
        register(current);
    });
  const look = () => {
    if (stopped || heard) return;
    const own = (window as { __gpp?: GppApi }).__gpp;
    const frame = typeof own == 'function' || api ? null : locate();
    if (typeof own == 'function' && own !== api) register(own);
    else if (frame) register(([api, unframe] = framed(frame))[0]);
    else if (api) retry(api);
    if (heard) return;
    if (++looks > 40) warnOnce('no GPP CMP answered in 10 s (no __gpp, or only its stub): consent stays pending');
    else timer = setTimeout(look, 250);
  };
  look();
  return () => {
    stopped = true;
    clearTimeout(timer);
    cmp.stop();
    try {
      if (listenerId !== undefined) api!('removeEventListener', () => {}, listenerId);
    } catch {
      // (the specification's example stub throws there: it calls splice on an entry of its list)
    }
    unframe();
  };
}
