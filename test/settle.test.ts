/**
 * The store read again after the tabs talk (src/shell/signals.ts `settleAfter`): a state another tab told reaches the
 * browser's store by another way than this tab's writes, and may land over them; so the store is read again `SETTLE`
 * after the last state heard, at most once per `SETTLE` while tabs talk (test/sim seed 6947: a closing tab's
 * eventIndex 59 landed 27 ms late over the 67 the tab that heard it had written since, and a new tab counted from 59);
 * and before a request when its timer has not woken by then (a hidden page's timers wake at whole seconds).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SETTLE } from '../src/shell/effects';
import { settleAfter } from '../src/shell/signals';
import type { Shell } from '../src/shell/shell';

function shell(values: string[]) {
  const heard: unknown[] = [];
  const fake = {
    keeper: { read: () => values.shift() ?? null },
    now: (...input: unknown[]) => void heard.push(input),
    unwatch: [] as (() => void)[],
  };
  return { shell: fake as unknown as Shell, heard, unwatch: fake.unwatch };
}

describe('the store read again after a state heard', () => {
  afterEach(() => void vi.useRealTimers());
  it('reads it SETTLE after the last state heard, once per SETTLE while tabs talk, and no more once they stop', () => {
    vi.useFakeTimers();
    const { shell: s, heard } = shell(['a', 'b', 'c']);
    const settle = settleAfter(s, { overdue: () => {} });
    settle();
    vi.advanceTimersByTime(SETTLE - 1);
    expect(heard).toEqual([]);
    // (another state heard meanwhile: the read is not put off past SETTLE, and a second follows the last)
    settle();
    vi.advanceTimersByTime(1);
    expect(heard).toEqual([['stored', 'a']]);
    vi.advanceTimersByTime(SETTLE);
    expect(heard).toEqual([['stored', 'a'], ['stored', 'b']]);
    vi.advanceTimersByTime(10 * SETTLE);
    expect(heard).toHaveLength(2);
  });

  it('a read due while its timer sleeps (a hidden page: timers wake at whole seconds) is taken before a request, once', () => {
    vi.useFakeTimers();
    const { shell: s, heard } = shell(['a', 'b']);
    const effects = { overdue: () => {} };
    const settle = settleAfter(s, effects);
    settle();
    vi.setSystemTime(Date.now() + SETTLE - 1);
    effects.overdue();
    expect(heard).toEqual([]);
    // (the clock passes the read's time, its timer has not woken: test/sim seed 37883, a tab that crashed meanwhile)
    vi.setSystemTime(Date.now() + 1);
    effects.overdue();
    expect(heard).toEqual([['stored', 'a']]);
    effects.overdue();
    vi.advanceTimersByTime(10 * SETTLE);
    expect(heard).toHaveLength(1);
  });

  it('is stopped with the page: no read after the tracker is gone', () => {
    vi.useFakeTimers();
    const { shell: s, heard, unwatch } = shell(['a']);
    settleAfter(s, { overdue: () => {} })();
    for (const stop of unwatch) stop();
    vi.advanceTimersByTime(2 * SETTLE);
    expect(heard).toEqual([]);
  });
});
