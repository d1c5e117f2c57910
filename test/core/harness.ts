/**
 * Drives the core as the shell does, in Node: a tracker is a model, the inputs fed to it and the effects
 * it asked for. No browser, no clock: every input carries its time, every id is fixed.
 */
import type { Place } from '../../src/core/context';
import type { PageEvent } from '../../src/core/formats/envelope';
import { wholeOf } from '../../src/core/event';
import type { Input, Inputs, Model, Settings } from '../../src/core/model';
import type { Effect, Step } from '../../src/core/effect';
import { start, step, STEPS, type Start } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { opened } from '../../src/core/answers';
import { copyDue } from '../../src/core/session/copy';
import { engagementSteps } from '../../src/core/engaged/engagement';
import { keepPart, type PartName } from '../../src/core/parts';
import { land } from '../../src/core/session/landing';
import { KIT } from '../../src/core/record';
import type { ConsentState } from '../../src/ground/types';
import type { SessionState } from '../../src/core/session/state';
import { MIN } from '../helpers';

export { MIN };
export const SETTINGS: Settings = {
  appId: 'shop',
  appVersion: '2.0.0',
  foregroundTimeout: 30 * MIN,
  backgroundTimeout: 30 * MIN,
  maxSessionDuration: 0,
  onDenied: 'drop',
  respectGlobalPrivacyControl: true,
  lifecycleEvents: true,
  sampleRate: 1,
  installType: 'auto',
  newSessionOnCampaign: false,
  engagement: false,
};

/**
 * What the parts hand the core (core/parts.ts), kept as the shell keeps it: engaged time's steps (the input part:
 * engagement.ts), a landing page's reading of its link (the links part: landing.ts), when the server's copy is due (the
 * copy part: copy.ts). Code, not data: a replay keeps them as the parts did.
 */
export function keepParts(): void {
  keepPart('engagement', engagementSteps(KIT));
  keepPart('landing', land);
  keepPart('copy', copyDue);
}
keepParts();

/** The parts a page has from its start in these tables (as if they had come first): engaged time's, where on, the links part's, with a link. */
const partsOf = (s: Settings, link?: unknown): PartName[] => [...(s.engagement ? ['engagement' as const] : []), ...(link ? ['landing' as const] : [])];

/** Where the page is: `path` (with its query) on shop.example. */
export function place(path = '/', extra: Partial<Place> = {}): Place {
  const url = new URL(path, 'https://shop.example');
  return { href: url.href, url: url.href, path: url.pathname, search: url.search, title: 'Shop', referrer: 'https://search.example/', ...extra };
}

/** A fixed event id. */
export const id = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;

export interface Tracker {
  model: Model;
  /** Every effect so far, in order. */
  effects: Effect[];
  /**
   * Feeds an input (its step or its type, its time, what came with it), as plain data (`['track', at, ...]`);
   * answers the id of the event it tracked (undefined: none, or dropped).
   */
  send<T extends keyof Inputs>(step: Step<T> | T, at: number, ...args: Inputs[T]): string | undefined;
  /** Every input so far, as the shell gave them (plain data). */
  inputs: Input[];
  /** The effects since the last `take`. */
  take(): Effect[];
  /** The events enqueued so far, whole. */
  events(): PageEvent[];
  /** Their names. */
  names(): string[];
  /** Storage answers: what the device held (`found`), at `at`. */
  open(at?: number, found?: SessionState | null, mechanism?: string, othersOpen?: boolean): void;
}

export type Options = Partial<Omit<Start, 'settings'>> & { settings?: Partial<Settings>; consent?: ConsentState; gpc?: boolean };

/**
 * A tracker started at `at` (default 0), its config's consent (granted unless said otherwise) given as the
 * shell gives it, first; storage not answered yet.
 */
export function boot(o: Options = {}): Tracker {
  const { consent: configured = 'granted', gpc = false, ...rest } = o;
  const model = start({
    at: 0,
    // (any fixed seed: the ids are random-looking, and the same on every run)
    seed: [1, 2, 3, 4],
    pageHidden: false,
    newTab: true,
    place: place(),
    device:
      '"device":{"screenResolution":"1280x800","colorDepth":24,"orientation":"landscape","touch":false},"app":{"type":"browser","language":"en","bot":false},' +
      '"userAgent":{"original":"Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36","brands":null,"platform":null,"platformVersion":null}',
    timeZone: 'Europe/Paris',
    offset: 60,
    tabId: '0a1b2c3d',
    ...rest,
    settings: { ...SETTINGS, ...o.settings },
  });
  model.parts = partsOf(model.settings, o.link);
  let taken = 0;
  const t: Tracker = {
    model,
    effects: [],
    inputs: [],
    send(first, at, ...args) {
      const input = [typeOf(first), at, ...args] as unknown as Input;
      t.inputs.push(input);
      const next = step(t.model, input);
      t.model = next.model;
      t.effects.push(...next.effects);
      return next.event;
    },
    take() {
      const since = t.effects.slice(taken);
      taken = t.effects.length;
      return since;
    },
    events: () => t.effects.flatMap((e) => (e[0] === 'enqueue' ? [wholeOf(e[1])] : [])),
    names: () => t.events().map((e) => e.name),
    open(at = 0, found = null, mechanism = 'COOKIE_1', othersOpen = false) {
      t.send(opened, at, found, mechanism, othersOpen);
    },
  };
  t.send(consent, o.at ?? 0, configured, 'config', gpc);
  return t;
}

/** An input's type, from its step (the tables read best with the step the test imports). */
function typeOf(step: Step<any> | keyof Inputs): keyof Inputs {
  if (typeof step === 'string') return step;
  const found = (Object.keys(STEPS) as (keyof Inputs)[]).find((type) => STEPS[type] === step);
  if (!found) throw new Error(`no input's step: ${step.name}`);
  return found;
}

/** The effects' types, in order (what the shell does, without the payloads; a save now is `save now`). */
export const kinds = (effects: Effect[]) => effects.map((e) => (e[0] === 'save' && e[1] ? 'save now' : e[0]));
