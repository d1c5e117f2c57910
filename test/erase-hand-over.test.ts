/**
 * A withdrawal drops the tab's hand-over (src/shell/effects.ts `erase`): the session the tab's last page handed over
 * belongs to the life the refusal ended, and a grant after it starts afresh (test/sim seed 31482: a page reloaded took
 * its tab's hand-over, was refused, then granted, and the store's new session merged with the old one, which won by
 * its id; the page ended it at once and counted on from the old session's index).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeState } from '../src/core/session/state';
import { state } from './helpers';

const opened: unknown[] = [];
vi.mock('../src/session/open', () => ({
  openStorage: (...args: unknown[]) => (opened.push(args[5]), { goOn() {}, cancel() {} }),
}));
const { startEffects } = await import('../src/shell/effects');

function shell() {
  return {
    config: { debug: false, cookie: {}, store: undefined, collector: 'https://c.test', format: { path: '/collect' } },
    tabs: { alive: async () => null, send() {}, leave() {} },
    model: {},
    unwatch: [],
    now() {},
  } as never;
}

describe("a withdrawal and the tab's hand-over", () => {
  afterEach(() => void (opened.length = 0));
  it('a start before the refusal goes on from the hand-over; a grant after it starts afresh', () => {
    const left = state({ eventIndex: 40 });
    const effects = startEffects(shell(), ['page-1', undefined, encodeState(left)]);
    effects.perform(['openStorage', false] as never);
    expect(opened[0]).toMatchObject({ sessionId: left.sessionId, eventIndex: 40 });
    effects.perform(['erase', undefined, false] as never);
    effects.perform(['openStorage', false] as never);
    expect(opened[1]).toBeNull();
  });
});
