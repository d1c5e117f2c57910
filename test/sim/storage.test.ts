/**
 * The simulator's storage against what the specifications and Chromium say it does (idb.ts, storage.ts): IndexedDB's
 * upgrade as a versionchange transaction (https://w3c.github.io/IndexedDB/#upgrade-a-database), a write refused for
 * quota, and localStorage that another tab sees a moment later. A browser-free model is only as good as these.
 */
import { describe, expect, it } from 'vitest';
import { startIdb, type IdbPage } from './idb';
import { startLoop } from './loop';
import { random } from './random';
import { startReplica } from './storage';

type Handlers = Record<string, unknown>;

/** A page whose tasks run at once, outside any realm. */
function page(id: string): IdbPage {
  const self: IdbPage = {
    id,
    state: 'running',
    deferred: [],
    enter: (run) => run(),
    clone: (value) => value,
    error: (name, message) => Object.assign(new Error(message), { name }),
    alive: () => self.state !== 'gone',
  };
  return self;
}

function world(refuse = false) {
  const loop = startLoop(0);
  const idb = startIdb(loop, random(1), () => {}, () => {}, { cached: () => false, evict: () => {}, refuse: () => refuse });
  const tick = () => loop.runUntil(loop.now() + 5000);
  /** Opens `stint` for `p`; `upgrade` runs in upgradeneeded, with the request. */
  const open = (p: IdbPage, upgrade: (request: Handlers) => void) => {
    const factory = idb.factory(p) as { open(name: string, version: number): Handlers };
    const request = factory.open('stint', 2);
    const seen: string[] = [];
    request.onupgradeneeded = () => {
      seen.push(`upgradeneeded ${(request.transaction as Handlers).mode}`);
      upgrade(request);
      // (the task's end: the transaction is no longer active, and commits)
      loop.at(0, null, 'end of task', () => idb.endOfTask(p));
    };
    request.onsuccess = () => seen.push('success');
    request.onerror = () => seen.push(`error ${(request.error as Error).name}`);
    return { request, seen };
  };
  return { loop, idb, tick, open };
}

const create = (request: Handlers) => {
  const db = request.result as { createObjectStore(name: string): void };
  for (const name of ['session', 'outbox', 'turn']) db.createObjectStore(name);
};

describe("the simulator's IndexedDB upgrade", () => {
  it('fires upgradeneeded in a versionchange transaction; the stores exist once it commits, then success', () => {
    const { idb, tick, open } = world();
    const { request, seen } = open(page('a'), (r) => {
      create(r);
      // (not the database's before the commit)
      expect(idb.read('stint', 'outbox')).toBeNull();
    });
    tick();
    expect(seen).toEqual(['upgradeneeded versionchange', 'success']);
    expect(request.transaction).toBeNull();
    expect(idb.read('stint', 'outbox')).toEqual(new Map());
  });

  it('aborted by its handler: the open fails with AbortError, and the database it created is gone', () => {
    const { idb, tick, open } = world();
    const { seen } = open(page('a'), (r) => {
      create(r);
      (r.transaction as { abort(): void }).abort();
    });
    tick();
    expect(seen).toEqual(['upgradeneeded versionchange', 'error AbortError']);
    expect(idb.databases()).toEqual([]);
  });

  it('aborted as its page goes: nothing created; the next open upgrades again', () => {
    const { idb, tick, open } = world();
    const a = page('a');
    open(a, (r) => {
      create(r);
      a.state = 'gone';
      idb.gone(a, () => true);
    });
    tick();
    expect(idb.databases()).toEqual([]);
    const { seen } = open(page('b'), create);
    tick();
    expect(seen).toEqual(['upgradeneeded versionchange', 'success']);
    expect(idb.read('stint', 'turn')).toEqual(new Map());
  });

  it('a full disk refuses the creation: AbortError, the database as it was (none)', () => {
    const { idb, tick, open } = world(true);
    const { seen } = open(page('a'), create);
    tick();
    expect(seen).toEqual(['upgradeneeded versionchange', 'error AbortError']);
    expect(idb.databases()).toEqual([]);
    expect(idb.refused).toEqual([{ page: 'a', store: 'open', at: expect.any(Number) }]);
  });

  it('an open asked during the upgrade waits for it, and needs none', () => {
    const { tick, open } = world();
    const first = open(page('a'), create);
    const second = open(page('b'), () => {
      throw new Error('no second upgrade');
    });
    tick();
    expect(first.seen).toEqual(['upgradeneeded versionchange', 'success']);
    expect(second.seen).toEqual(['success']);
  });
});

describe("the simulator's localStorage across tabs", () => {
  it("a tab sees its own write at once, another tab's once the store has told it; every copy ends as the store's", () => {
    const loop = startLoop(0);
    const local = startReplica<string>(loop, random(7), 'localStorage', { remote: () => 1 });
    const [one, two] = [local.view('t1'), local.view('t2')];
    one.set('k', 'a');
    expect(one.get('k')).toBe('a');
    expect(two.get('k')).toBeUndefined();
    expect(local.settled().get('k')).toBe('a');
    // (both write the key before either hears the other: the store keeps the one that reached it last, and so does each
    // copy, which ignores another's change to a key it wrote until the store confirms its own)
    two.set('k', 'b');
    expect(two.get('k')).toBe('b');
    loop.runUntil(1000);
    expect(['a', 'b']).toContain(local.device.get('k'));
    expect([one.get('k'), two.get('k')]).toEqual([local.device.get('k'), local.device.get('k')]);
  });
});
