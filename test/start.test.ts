/** e2e/start.ts: a browser or driver that fails to start is tried once more, then reported in one line. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { oneLine, startTwice } from '../e2e/start';

describe('startTwice', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a start that fails once is tried again, and says so in one line', async () => {
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    let tries = 0;
    const started = await startTwice('WebKitWebDriver session', async () => {
      if (++tries === 1) throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      return 'session';
    });
    expect([started, tries]).toEqual(['session', 2]);
    expect(said.mock.calls).toEqual([['WebKitWebDriver session did not start (The operation was aborted due to timeout): trying once more']]);
  });

  it('two failures: one line, with no stack', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = startTwice('Chromium', () => Promise.reject(new Error('Failed to launch the browser process!\n<launching> /usr/bin/chromium\n[pid=1] <gracefully close start>')));
    await expect(failing).rejects.toThrow('Chromium did not start, twice: Failed to launch the browser process!');
    const error = await failing.catch((e) => e);
    expect(error.stack.split('\n')).toHaveLength(1);
  });

  it('oneLine: the first line of anything thrown', () => {
    expect(oneLine(new Error('\n  first\nsecond'))).toBe('first');
    expect(oneLine('text')).toBe('text');
    expect(oneLine(null)).toBe('null');
  });
});
