import { describe, expect, it, vi } from 'vitest';
import { freshId, nameUuid, type Seed } from '../../src/core/ids';
import { UUID_PATTERN } from '../../src/core/session/state';

describe('nameUuid', () => {
  it('is a version-8 RFC 9562 UUID', () => {
    const id = nameUuid('22222222-2222-4222-8222-222222222222/1000');
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('8');
    expect('89ab').toContain(id[19]);
  });

  it('is a function of the name alone', () => {
    expect(nameUuid('a/1')).toBe(nameUuid('a/1'));
    expect(nameUuid('a/1')).not.toBe(nameUuid('a/2'));
  });

  it('does not collide over many close names', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(nameUuid(`22222222-2222-4222-8222-222222222222/${1_700_000_000_000 + i}`));
    expect(seen.size).toBe(20_000);
  });
});

describe('the seed of random ids', () => {
  it("is 128 bits from the browser's crypto, new on every page", async () => {
    vi.stubGlobal('location', { href: 'https://shop.example/' });
    const { randomSeed } = await import('../../src/shell/input');
    const seeds = [randomSeed(), randomSeed()];
    for (const seed of seeds) expect(seed.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    expect(seeds[0]).not.toEqual(seeds[1]);
  });
});

describe("the core's random ids (freshId: xoshiro128** from a seed in the model)", () => {
  it('draws the reference generator: xoshiro128** from [1, 2, 3, 4] gives 11520, 0, 5927040, 70819200', () => {
    // (the reference C, https://prng.di.unimi.it/xoshiro128starstar.c, from that state)
    const m: { seed: Seed } = { seed: [1, 2, 3, 4] };
    expect(freshId(m)).toBe(`${hex(11520)}-0000-4000-8${hex(5927040).slice(1, 4)}-${hex(5927040).slice(4)}${hex(70819200)}`);
  });

  it('are version-4 UUIDs, all different, the seed moving on (a copy of the seed draws the same ones)', () => {
    const m: { seed: Seed } = { seed: [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x12345678] };
    const copy: { seed: Seed } = { seed: m.seed };
    const seen = new Set<string>();
    for (let n = 0; n < 50_000; n++) seen.add(freshId(m));
    expect(seen.size).toBe(50_000);
    for (const id of [...seen].slice(0, 1000)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(freshId(copy)).toBe([...seen][0]);
    expect(copy.seed).not.toEqual([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x12345678]);
  });
});

const hex = (n: number) => n.toString(16).padStart(8, '0');
