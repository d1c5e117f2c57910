/**
 * The tabs' channel (src/session/tabs.ts), over Node's own BroadcastChannel (the browser's API): what a tab hears,
 * and the roll call: a live tab answers at once, a tab that left (or crashed, or sits in the back/forward
 * cache) does not, and the roll call never waits past its bound. What the site makes of the answers (a
 * crashed visible tab forgotten, the site in the background) is the core's (test/core/site.test.ts); the
 * e2e specs check it in the browsers: successfully_closed after a crash (lifecycle.spec.ts), one sender at a
 * time (delivery.spec.ts, two tabs and a failing collector).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { records, startTabs, type TabMessage, type Tabs } from '../src/session/tabs';

const open: Tabs[] = [];
const heard = new Map<string, TabMessage[]>();
function tab(id: string, visible = true, name = 'stint:test'): Tabs {
  heard.set(id, []);
  const t = startTabs(name, id, (message) => heard.get(id)!.push(message));
  t.join(visible);
  open.push(t);
  return t;
}

afterEach(() => {
  for (const t of open.splice(0)) t.leave();
});

describe('the tabs channel', () => {
  it('tells the others what a tab says, and nothing to the tab itself', async () => {
    const a = tab('a');
    tab('b');
    a.send({ k: 'consent', c: 'denied', t: 1 });
    a.announce(false);
    await vi.waitFor(() => expect(heard.get('b')!.filter((m) => m.k !== 'vis' || !m.hello).slice(-1)).toEqual([{ k: 'vis', tab: 'a', visible: false }]));
    // (signed by who says it: a word of a tab's answers a roll call that wants it)
    expect(heard.get('b')).toContainEqual({ k: 'consent', c: 'denied', t: 1, f: 'a' });
    expect(heard.get('a')!.every((m) => m.k === 'vis' && m.tab === 'b')).toBe(true);
  });

  it('a roll call hears every open tab, and resolves as soon as the wanted ones answered, with their visibility', async () => {
    const a = tab('a');
    tab('b', false);
    tab('c');
    const started = Date.now();
    expect([...(await a.alive(['b', 'c']))!].sort()).toEqual(['b', 'c']);
    expect(Date.now() - started).toBeLessThan(500);
    // Their answers say whether each is visible: the core keeps the register from them.
    expect(heard.get('a')).toContainEqual(expect.objectContaining({ k: 'vis', tab: 'b', visible: false }));
    expect(heard.get('a')).toContainEqual(expect.objectContaining({ k: 'vis', tab: 'c', visible: true }));
  });

  it('with nobody wanted in particular, the first answer is enough', async () => {
    const a = tab('a');
    tab('b');
    expect([...(await a.alive())!]).toEqual(['b']);
  });

  it('a tab that left says so, is not heard again, and the roll call ends at its bound', async () => {
    const a = tab('a');
    const b = tab('b');
    await a.alive(['b']);
    b.leave();
    await vi.waitFor(() => expect(heard.get('a')!.at(-1)).toEqual({ k: 'vis', tab: 'b', visible: false }));
    const started = Date.now();
    expect([...(await a.alive(['b']))!]).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a tab that crashed (its channel gone without a word) does not answer; a live one does', async () => {
    const a = tab('a');
    tab('b');
    const c = new BroadcastChannel('stint:test');
    c.postMessage({ k: 'vis', tab: 'c', visible: true });
    c.close();
    await vi.waitFor(() => expect(heard.get('a')).toContainEqual({ k: 'vis', tab: 'c', visible: true }));
    expect([...(await a.alive(['b', 'c']))!]).toEqual(['b']);
  });

  it('a wanted tab heard from since the roll call began is alive, its answer late; with none wanted, only an answer counts', async () => {
    // (test/sim seed 42077: the tab that held the send turn answered 1.5 s late, its page busy and the browser busy,
    // while it said what it sent; its turn was taken, and what it had in flight read from the outbox and sent again)
    const a = tab('a');
    // A tab busy with a long task: it answers no roll call in time, but what it said before the task comes in.
    const c = new BroadcastChannel('stint:test');
    let started = Date.now();
    const wanted = a.alive(['c']);
    c.postMessage({ k: 'sent', ids: ['x'], f: 'c' });
    expect([...(await wanted)!]).toEqual(['c']);
    expect(Date.now() - started).toBeLessThan(500);
    // (a start's roll call asks who is there, and learns each one's visibility from its answer: a word is no answer)
    started = Date.now();
    const any = a.alive();
    c.postMessage({ k: 'sent', ids: ['y'], f: 'c' });
    expect([...(await any)!]).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    c.close();
  });

  it('a tab hidden or gone while it took others for shown names them: of those named, the greatest id records the background', async () => {
    // (test/sim seed 44427: two tabs hidden 30 ms apart, each hide heard 48 ms late: each took the other for shown, and
    // neither recorded the background, 44 s of it judged by the foreground's timeout)
    const a = tab('a');
    const b = tab('b');
    const c = tab('c');
    b.announce(false, ['a', 'c']);
    await vi.waitFor(() => expect(heard.get('a')).toContainEqual({ k: 'vis', tab: 'b', visible: false, c: ['a', 'c', 'b'] }));
    // (hidden, it names itself: it may be the one; gone, it names the others only)
    c.leave(['a']);
    await vi.waitFor(() => expect(heard.get('a')).toContainEqual({ k: 'vis', tab: 'c', visible: false, c: ['a'] }));
    expect([records(['a', 'c', 'b'], 'c'), records(['a', 'c', 'b'], 'a'), records(['a', 'c', 'b'], 'b')]).toEqual([true, false, false]);
    // (named with no greater id; a tab not named records nothing, nor does any when none are named)
    expect([records(['a'], 'a'), records(['a', 'c'], 'b'), records(undefined, 'z')]).toEqual([true, false, false]);
  });

  it('a page without a channel (gone, or no BroadcastChannel) cannot ask: null', async () => {
    const a = tab('a');
    a.leave();
    expect(await a.alive()).toBeNull();
  });
});
