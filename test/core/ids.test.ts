import { describe, expect, it, vi } from 'vitest';
import { nameUuid } from '../../src/core/ids';
import { UUID_PATTERN } from '../../src/core/state';

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

describe('random ids', () => {
  it('are version-4 RFC 9562 UUIDs, all different, across refills of the pool', async () => {
    vi.stubGlobal('location', { href: 'https://shop.example/' });
    const { uuids } = await import('../../src/input');
    const seen = new Set<string>();
    for (let n = 0; n < 1000; n++) {
      const id = uuids.fresh();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });
});
