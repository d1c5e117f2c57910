/**
 * Tab liveness by roll call (src/tabs.ts), over Node's own BroadcastChannel (the browser's API): a live tab
 * answers at once, a tab that left (or crashed, or sits in the back/forward cache) does not, and the roll
 * call never waits past its bound. The e2e specs check it in the browsers: successfully_closed after a crash
 * (lifecycle.spec.ts), one sender at a time (delivery.spec.ts, two tabs and a failing collector).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tabs } from '../src/tabs';

const open: Tabs[] = [];
function tab(id: string, name = 'stint:test'): Tabs {
  const t = new Tabs(name, id, () => {});
  t._open(false);
  open.push(t);
  return t;
}

afterEach(() => {
  for (const t of open.splice(0)) t._close();
});

describe('the roll call', () => {
  it('hears every open tab, and resolves as soon as the wanted ones answered', async () => {
    const a = tab('a');
    tab('b');
    tab('c');
    const started = Date.now();
    expect([...(await a._alive(['b', 'c']))!].sort()).toEqual(['b', 'c']);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('with nobody wanted in particular, the first answer is enough', async () => {
    const a = tab('a');
    tab('b');
    expect([...(await a._alive())!]).toEqual(['b']);
  });

  it('a tab that left is not heard, and the roll call ends at its bound', async () => {
    const a = tab('a');
    const b = tab('b');
    await a._alive(['b']);
    b._close();
    // Its goodbye (hidden, then the channel closed) has reached a.
    await vi.waitFor(() => expect(a._visibleTabs.has('b')).toBe(false));
    const started = Date.now();
    expect([...(await a._alive(['b']))!]).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a page without a channel (gone, or no BroadcastChannel) cannot ask: null', async () => {
    const a = tab('a');
    a._close();
    expect(await a._alive()).toBeNull();
  });

  it('forgets a visible tab that no longer answers (it crashed), keeps one that does', async () => {
    const a = tab('a');
    const b = tab('b');
    const c = tab('c');
    await a._alive(['b', 'c']); // their answers tell a that both are visible
    expect([...a._visibleTabs].sort()).toEqual(['b', 'c']);
    // c dies without a word: its channel is gone, but a still counts it as visible.
    c._channel!.close();
    c._channel = null;
    expect(await a._prune()).toBe(true);
    expect([...a._visibleTabs]).toEqual(['b']);
    expect(b._siteBackground()).toBe(false);
  });
});
