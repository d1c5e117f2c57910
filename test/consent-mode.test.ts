/**
 * Google Consent Mode v2: what gtag's consent commands in `dataLayer` say of `analytics_storage`, and the
 * watcher that follows them (entries pushed before it started, then each push), without gtag.js.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { consentModeState, readEntry, watchConsentMode, type ConsentMode } from '../src/consent/google';

/** What `function gtag(){dataLayer.push(arguments);}` pushes: an Arguments object. */
function args(..._: unknown[]): IArguments {
  return arguments;
}
const gtagEntry = (...command: unknown[]) => args(...command);

const stateOf = (...entries: unknown[]) => consentModeState(entries.reduce<ConsentMode>(readEntry, { wait: 0 }));

describe('Consent Mode commands to a consent state', () => {
  it.each([
    ['nothing yet', [], ['pending', true]],
    ['a default that denies', [gtagEntry('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' })], ['denied', true]],
    ['a default that grants', [gtagEntry('consent', 'default', { analytics_storage: 'granted' })], ['granted', true]],
    ['an update after the default', [gtagEntry('consent', 'default', { analytics_storage: 'denied' }), gtagEntry('consent', 'update', { analytics_storage: 'granted' })], ['granted', false]],
    ['the latest update wins', [gtagEntry('consent', 'update', { analytics_storage: 'granted' }), gtagEntry('consent', 'update', { analytics_storage: 'denied' })], ['denied', false]],
    ['a default after an update changes nothing', [gtagEntry('consent', 'update', { analytics_storage: 'granted' }), gtagEntry('consent', 'default', { analytics_storage: 'denied' })], ['granted', false]],
    ['an update of other purposes only', [gtagEntry('consent', 'default', { analytics_storage: 'denied' }), gtagEntry('consent', 'update', { ad_storage: 'granted' })], ['denied', true]],
    ['a regional default that denies: Stint cannot tell the region', [gtagEntry('consent', 'default', { analytics_storage: 'denied', region: ['ES', 'FR'] }), gtagEntry('consent', 'default', { analytics_storage: 'granted' })], ['denied', true]],
    ['a regional default that grants is not taken', [gtagEntry('consent', 'default', { analytics_storage: 'granted', region: ['US-CA'] })], ['pending', true]],
    ['an array pushed by hand reads as gtag’s arguments', [['consent', 'update', { analytics_storage: 'granted' }]], ['granted', false]],
    ['Tag Manager events and other commands are ignored', [{ event: 'gtm.js' }, gtagEntry('config', 'G-XXXX'), gtagEntry('set', { analytics_storage: 'granted' }), 'consent'], ['pending', true]],
    ['values that are not Consent Mode’s are ignored', [gtagEntry('consent', 'default', { analytics_storage: 'yes' }), gtagEntry('consent', 'update', null), gtagEntry('consent', 'update')], ['pending', true]],
  ] as const)('%s', (_, entries, expected) => {
    expect(stateOf(...entries)).toEqual(expected);
  });

  it('wait_for_update is read from a default', () => {
    expect(readEntry({ wait: 0 }, gtagEntry('consent', 'default', { analytics_storage: 'denied', wait_for_update: 500 })).wait).toBe(500);
    expect(readEntry({ wait: 0 }, gtagEntry('consent', 'default', { analytics_storage: 'denied', wait_for_update: 'soon' })).wait).toBe(0);
    expect(readEntry({ wait: 0 }, gtagEntry('consent', 'default', { analytics_storage: 'denied', wait_for_update: Infinity })).wait).toBe(0);
  });
});

describe('watchConsentMode', () => {
  const w = globalThis as unknown as { window?: unknown; dataLayer?: unknown };
  let changes: [string, boolean][];
  const onChange = (state: string, isDefault: boolean) => void changes.push([state, isDefault]);
  /** gtag as Google's snippet defines it. */
  function gtag(..._: unknown[]) {
    (w.dataLayer as unknown[]).push(arguments);
  }

  beforeEach(() => {
    vi.useFakeTimers();
    changes = [];
    w.window = globalThis;
    delete w.dataLayer;
  });
  afterEach(() => {
    vi.useRealTimers();
    delete w.window;
    delete w.dataLayer;
  });

  it('reads what was pushed before it started as one change, then every push', () => {
    w.dataLayer = [];
    gtag('consent', 'default', { analytics_storage: 'denied' });
    gtag('consent', 'update', { analytics_storage: 'granted' });
    const stop = watchConsentMode(onChange);
    expect(changes).toEqual([['granted', false]]);
    gtag('consent', 'update', { analytics_storage: 'denied' });
    gtag('event', 'page_view');
    gtag('consent', 'update', { analytics_storage: 'denied' });
    expect(changes).toEqual([['granted', false], ['denied', false]]);
    stop();
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(changes).toHaveLength(2);
    expect((w.dataLayer as unknown[]).length).toBe(6);
  });

  it('makes the dataLayer when there is none, as gtag’s snippet does, and keeps a push wrapped after it', () => {
    const stop = watchConsentMode(onChange);
    expect(Array.isArray(w.dataLayer) && w.dataLayer.length).toBe(0);
    // gtag.js (google/data-layer-helper) wraps the push it finds and calls it.
    const layer = w.dataLayer as unknown[] & { push: (...a: unknown[]) => number };
    const found = layer.push;
    const seen: unknown[] = [];
    layer.push = function (...entries: unknown[]) {
      seen.push(...entries);
      return found.apply(this, entries);
    };
    gtag('consent', 'default', { analytics_storage: 'granted' });
    expect(changes).toEqual([['granted', true]]);
    expect(seen).toHaveLength(1);
    stop();
    gtag('consent', 'update', { analytics_storage: 'denied' });
    expect(changes).toHaveLength(1);
    expect(layer).toHaveLength(2);
  });

  it('an update that says what the default said is reported: it is the visitor’s decision, for every tab', () => {
    w.dataLayer = [];
    gtag('consent', 'default', { analytics_storage: 'denied' });
    watchConsentMode(onChange);
    gtag('consent', 'update', { analytics_storage: 'denied' });
    gtag('consent', 'update', { analytics_storage: 'denied' });
    expect(changes).toEqual([['denied', true], ['denied', false]]);
  });

  it('a default that denies waits wait_for_update for an update', () => {
    w.dataLayer = [];
    gtag('consent', 'default', { analytics_storage: 'denied', wait_for_update: 500 });
    watchConsentMode(onChange);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(499);
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(changes).toEqual([['granted', false]]);
    vi.advanceTimersByTime(10_000);
    expect(changes).toEqual([['granted', false]]);
  });

  it('past wait_for_update without an update, the default’s refusal', () => {
    w.dataLayer = [];
    gtag('consent', 'default', { analytics_storage: 'denied', wait_for_update: 500 });
    watchConsentMode(onChange);
    vi.advanceTimersByTime(500);
    expect(changes).toEqual([['denied', true]]);
  });

  it('a frozen dataLayer (no push can be wrapped, or made): what it holds is read, nothing thrown into the page', () => {
    w.dataLayer = Object.freeze([['consent', 'default', { analytics_storage: 'granted' }]]);
    let stop = () => {};
    expect(() => (stop = watchConsentMode(onChange))).not.toThrow();
    expect(changes).toEqual([['granted', true]]);
    expect(() => stop()).not.toThrow();
    // A window whose dataLayer cannot be set: nothing to follow, consent stays pending, said once.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    delete w.dataLayer;
    Object.defineProperty(globalThis, 'dataLayer', { configurable: true, get: () => undefined, set: () => { throw new TypeError('read-only'); } });
    changes = [];
    expect(() => (stop = watchConsentMode(onChange))).not.toThrow();
    vi.advanceTimersByTime(5000);
    expect(changes).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    stop();
    warn.mockRestore();
  });

  it('says once when no consent command came, and never throws into the page', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    w.dataLayer = [{ get 0() { throw new Error('hostile'); } }];
    watchConsentMode(onChange);
    gtag({ get 0() { throw new Error('hostile'); } });
    vi.advanceTimersByTime(5000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('analytics_storage');
    expect(changes).toEqual([]);
    warn.mockRestore();
  });
});
