import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Runs against the built package (npm test builds first): what a server-side renderer imports.
describe('the npm package in Node (server-side rendering)', () => {
  it('imports as ESM through its exports map, and createTracker gives a tracker that does nothing', async () => {
    const { createTracker, VERSION } = await import('stint');
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const tracker = createTracker({ collector: '/collect', appId: 'ssr' });
    expect(tracker.track('x')).toBeUndefined();
    expect(tracker.getSession()).toBeNull();
    expect(tracker.sessionHeaders()).toEqual({});
    await expect(tracker.flush()).resolves.toBeUndefined();
    await expect(tracker.shutdown()).resolves.toBeUndefined();
  });

  it('requires as CommonJS', () => {
    const { createTracker } = createRequire(import.meta.url)('stint');
    expect(typeof createTracker).toBe('function');
    expect(() => createTracker({ appId: 'x' })).toThrow(TypeError);
  });
});
