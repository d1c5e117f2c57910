/**
 * The stand-in of a slow store (src/session/open.ts): where cookies are blocked and IndexedDB does not answer, a page
 * that must go on does so from what the device tells it synchronously, the later of the tab's hand-over and the mirror
 * in localStorage, never from a fresh device. Found by the simulator (seed 13876): a tab opened while IndexedDB stalled
 * went on from the hand-over alone, and its next event repeated an `eventIndex` the mirror had counted past.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeState, encodeState, type SessionState } from '../src/core/session/state';
import { openStorage, type Opened } from '../src/session/open';
import { state } from './helpers';

/** A browser where cookies are refused, IndexedDB's open never answers, and localStorage holds `items`. */
function stalledBrowser(items: Record<string, string>) {
  const local = new Map(Object.entries(items));
  vi.stubGlobal('document', {
    // (every write is refused: the cookie never reads back)
    get cookie() {
      return '';
    },
    set cookie(_value: string) {},
    location: { hostname: 'shop.test' },
  });
  vi.stubGlobal('location', { hostname: 'shop.test', protocol: 'https:' });
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => local.get(key) ?? null,
    setItem: (key: string, value: string) => void local.set(key, String(value)),
    removeItem: (key: string) => void local.delete(key),
  });
  vi.stubGlobal('indexedDB', { open: () => ({}) });
}

/** The page goes on before the store answers: what it goes on with. */
function goOnWith(handed: SessionState | null): SessionState | null {
  let opened: Opened | null = null;
  const opener = openStorage(
    { store: undefined, cookie: undefined },
    false,
    async () => null,
    (o) => (opened = o),
    () => {},
    handed,
  );
  opener.goOn();
  opener.cancel();
  return opened!.chain.found;
}

describe('the stand-in of a store that does not answer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('goes on from the mirror where it counted past the hand-over of the tab (the later of them)', () => {
    const handed = state({ eventIndex: 5, lastEventAt: 5000, rev: 5 });
    stalledBrowser({ 'stint:mirror': encodeState(state({ eventIndex: 9, lastEventAt: 9000, rev: 9 })) });
    expect(goOnWith(handed)?.eventIndex).toBe(9);
  });

  it('goes on from the hand-over where the mirror is older, and from the mirror alone in a new tab', () => {
    stalledBrowser({ 'stint:mirror': encodeState(state({ eventIndex: 3, lastEventAt: 3000, rev: 3 })) });
    expect(goOnWith(state({ eventIndex: 5, lastEventAt: 5000, rev: 5 }))?.eventIndex).toBe(5);
    expect(goOnWith(null)?.eventIndex).toBe(3);
  });

  it('goes on from the hand-over where the mirror is unreadable', () => {
    stalledBrowser({ 'stint:mirror': 'not a session' });
    expect(decodeState('not a session')).toBeNull();
    expect(goOnWith(state({ eventIndex: 5 }))?.eventIndex).toBe(5);
  });
});

/**
 * A start after the roll call (src/session/open.ts `again`). Found by the chaos harness in Chromium (scripts/chaos.mjs):
 * a page's start waits for the other tabs to answer (100-400 ms on a loaded machine); a tab that counted an event in its
 * last moments had written the cookie, and its message came after, so the page's held application_initialized took the
 * same eventIndex.
 */
describe('a start that waited for the tabs to answer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('goes on from the cookie as it is once they answered, not as it was at the start', async () => {
    const jar = { value: encodeState(state({ eventIndex: 53, lastEventAt: 5000, rev: 5 })) };
    stalledBrowser({});
    vi.stubGlobal('document', {
      get cookie() {
        return `_stint=${encodeURIComponent(jar.value)}`;
      },
      set cookie(_value: string) {},
      location: { hostname: 'shop.test' },
    });
    let answer!: (tabs: Set<string>) => void;
    let opened: Opened | null = null;
    const alive = () => new Promise<Set<string>>((resolve) => (answer = resolve));
    openStorage({ store: undefined, cookie: undefined }, false, alive, (o) => (opened = o), () => {}, null);
    // Meanwhile another tab counted an event; its message is still on its way.
    jar.value = encodeState(state({ eventIndex: 54, lastEventAt: 5100, rev: 6 }));
    answer(new Set(['another tab']));
    await vi.advanceTimersByTimeAsync(0);
    expect(opened!.chain.found?.eventIndex).toBe(54);
    expect(opened!.othersOpen).toBe(true);
  });
});
