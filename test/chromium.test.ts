/**
 * What the chaos harness (scripts/chaos.mjs: Stint's tag in a real Chromium, tabs driven by a seeded schedule) found,
 * each cause proven here in Node with the browser's part faked as Chromium plays it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Entry } from '../src/core/event';
import { nativeFormat } from '../src/core/formats/native';
import { startSender } from '../src/delivery/sender';
import { memoryOutbox } from './helpers';

/** The window's listeners, by event type. */
let listeners: Record<string, () => void>;
let store: Record<string, string>;

beforeEach(() => {
  vi.useFakeTimers();
  listeners = {};
  store = {};
  vi.stubGlobal('addEventListener', (type: string, listener: () => void) => void (listeners[type] = listener));
  vi.stubGlobal('removeEventListener', () => {});
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => store[key] ?? null,
    setItem: (key: string, value: string) => void (store[key] = value),
    removeItem: (key: string) => void delete store[key],
  });
  vi.stubGlobal('fetch', async () => ({ status: 200, text: async () => '', headers: { get: () => null } }));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

let n = 0;
const entry = (): Entry => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  at: Date.now(),
  appId: 'app',
  name: 'e',
  props: '{}',
  index: n,
  hidden: false,
  ctx: '{}',
});

describe('the network events of a page that was frozen, or in the back/forward cache', () => {
  it('an `offline` heard once the browser is online again (Chromium gives it at the resume) is none', async () => {
    const out = startSender({
      url: '/c',
      format: nativeFormat,
      request: {},
      dropped: 0,
      store: memoryOutbox(),
      tabs: null,
      turn: null,
      batch: () => ({ profile: null, sampleRate: 1 }),
      heard: () => {},
    });
    out.add(entry());
    await out.flush().then(() => vi.advanceTimersByTimeAsync(0));
    expect(out.model.outcome?.[0]).toBe(true);
    const shared = store['stint:outcome'];
    expect(shared).toMatch(/^1 /);
    // The page was frozen through an offline spell: at its resume Chromium gives it `offline`, then `online`.
    listeners.offline();
    listeners.online();
    expect(out.model.outcome?.[0]).toBe(true);
    expect(store['stint:outcome']).toBe(shared);
    // A live one (the browser offline now) is news.
    vi.stubGlobal('navigator', { onLine: false });
    listeners.offline();
    expect(out.model.outcome?.[0]).toBe(false);
    expect(store['stint:outcome']).toMatch(/^0 /);
  });
});
