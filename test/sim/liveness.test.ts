/**
 * The simulator's liveness bounds (liveness.ts, loop.ts `halt`) on a bare loop: a livelock halts the loop, with what
 * was running, and each later `runUntil` returns at once.
 */
import { describe, expect, it } from 'vitest';
import { BOUNDS, startLiveness } from './liveness';
import { startLoop, type Owner } from './loop';

const page = (id: string): Owner => ({ id, state: 'running', deferred: [], enter: (run) => run() });

describe('liveness', () => {
  it('a runUntil past its bound of tasks halts the loop, naming the tasks that ran last by page and kind', () => {
    const loop = startLoop(0);
    const [a, b] = [page('t1.1'), page('t2.2')];
    // (two pages that answer each other at once, for ever: the clock never reaches 10 ms)
    const ping = (from: Owner, to: Owner) => loop.at(0, to, `message ${from.id}>${to.id}`, () => ping(to, from));
    ping(a, b);
    expect(loop.runUntil(10, 5000)).toBe(false);
    const why = /^5000 tasks in 0 simulated ms, short of 10; the last 1000: t2\.2: message from t1\.1 ×500/;
    expect(loop.halted()).toMatch(why);
    expect(loop.count()).toBe(5000);
    expect(loop.runUntil(20)).toBe(false);
    expect([loop.count(), loop.now()]).toEqual([5000, 0]);
  });

  it("a page's messages or writes past their bound in one simulated second halt the loop after the task", () => {
    const loop = startLoop(0);
    const liveness = startLiveness(loop);
    const writer = page('t1.1');
    // (a write in each of its first tasks: within the bound in every second, then past it in one)
    for (let i = 0; i < 3 * BOUNDS.write; i++)
      loop.at(Math.floor(i / (BOUNDS.write / 2)) * 1000, writer, 'track', () => liveness.use('t1.1', 'idb'));
    expect(loop.runUntil(5000)).toBe(true);
    expect([loop.halted(), liveness.busiest.write]).toEqual([null, BOUNDS.write / 2]);
    for (let i = 0; i <= BOUNDS.message; i++) loop.at(1000, writer, 'track', () => liveness.use('t1.1', 'message'));
    expect(loop.runUntil(7000)).toBe(false);
    expect(loop.halted()).toBe(
      `t1.1 made over ${BOUNDS.message} messages on the tabs' channel in second 6 of the run: ` +
        `{"message":${BOUNDS.message + 1},"idb":0,"localStorage":0,"cookie":0,"write":0}`,
    );
  });
});
