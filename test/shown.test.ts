/**
 * shell/shown.ts: a page prerendered by Speculation Rules starts its tracker once it is shown, at the activation's time,
 * and the calls it made meanwhile run then, in order, at that time (docs/sessions.md, "Prerendered pages"). In Node,
 * with a `document` of its own; the browsers play it in e2e/prerender.spec.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { running } from '../src/door/api';
import { MAX_QUEUE_EVENTS } from '../src/core/send/batch';
import type { TimedTracker } from '../src/shell/shell';
import { whenShown } from '../src/shell/shown';

/** A tracker that writes down each call (its method, its time, its arguments) and answers as a live one. */
function recorder() {
  const calls: unknown[][] = [];
  const tracker = new Proxy({} as TimedTracker, {
    get: (_, method) => (at: number, ...args: unknown[]) => (calls.push([method, at, ...args]), method === 'track' ? 'id' : undefined),
  });
  return { calls, tracker };
}

/** A prerendered document: `activate()` flips `prerendering` and dispatches `prerenderingchange`, as Chromium does. */
function prerendered() {
  const doc = Object.assign(new EventTarget(), { prerendering: true });
  vi.stubGlobal('document', doc);
  return () => ((doc.prerendering = false), doc.dispatchEvent(new Event('prerenderingchange')));
}

describe('whenShown', () => {
  afterEach(() => (vi.unstubAllGlobals(), vi.useRealTimers()));

  it('starts nothing while prerendering; at the activation, starts at its time and runs the calls held, in order, at it', () => {
    vi.useFakeTimers({ now: 1_000 });
    const activate = prerendered();
    const { calls, tracker } = recorder();
    const starts: number[] = [];
    const held = running(whenShown((at) => (starts.push(at), tracker)), '{}');
    held.call('page', [{ a: 1 }], 1_000);
    vi.setSystemTime(2_000);
    expect(held.call('track', ['clicked'])).toBeUndefined();
    expect(starts).toEqual([]);
    expect(calls).toEqual([]);
    vi.setSystemTime(5_000);
    activate();
    expect(starts).toEqual([5_000]);
    expect(calls).toEqual([
      ['page', 5_000, { a: 1 }],
      ['track', 5_000, 'clicked'],
    ]);
    // Once shown, a call runs at once, at its own time.
    vi.setSystemTime(6_000);
    expect(held.call('track', ['after'])).toBe('id');
    expect(calls.at(-1)).toEqual(['track', 6_000, 'after']);
  });

  it('meanwhile, each call answers what a tracker answers when it cannot do its work', async () => {
    prerendered();
    const held = running(whenShown(() => recorder().tracker), '{}');
    expect(held.call('getSession', [])).toBeNull();
    expect(held.call('sessionHeaders', [])).toEqual({});
    await expect(held.call('ready', [])).resolves.toBeUndefined();
    await expect(held.call('flush', [])).resolves.toBeUndefined();
    expect(held.call('debugLog', [])).toBeNull();
  });

  it('holds as many calls as the core holds events, no more', () => {
    const activate = prerendered();
    const { calls, tracker } = recorder();
    const held = running(whenShown(() => tracker), '{}');
    for (let i = 0; i <= MAX_QUEUE_EVENTS; i++) held.call('track', [`e${i}`]);
    activate();
    expect(calls).toHaveLength(MAX_QUEUE_EVENTS);
    expect(calls.at(-1)).toEqual(['track', expect.any(Number), `e${MAX_QUEUE_EVENTS - 1}`]);
  });

  it('a prerender never shown starts nothing', () => {
    prerendered();
    const start = vi.fn(() => recorder().tracker);
    const held = running(whenShown(start), '{}');
    held.call('page', []);
    held.call('flush', []);
    expect(start).not.toHaveBeenCalled();
  });
});
