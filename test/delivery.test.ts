import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeFormat } from '../src/core/formats/native';
import { byteLength } from '../src/core/batch';
import { snowplowMechanism } from '../src/core/formats/snowplow';
import { parseRetryAfter } from '../src/delivery/transport';
import { VERSION } from '../src/version';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it.each([
    ['seconds', '30', 30_000],
    ['zero', '0', 0],
    ['an HTTP date', 'Sat, 21 Nov 2026 10:01:00 GMT', 60_000],
    ['a date in the past', 'Sat, 21 Nov 2026 09:00:00 GMT', 0],
    ['garbage', 'soon', null],
    ['absent', null, null],
  ])('%s', (_, header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});

describe('formats', () => {
  it('native: the envelope around the events, one context for the events that share it', () => {
    const entries = [
      { id: 'a', at: 1, appId: 'shop', fields: '"eventId":"a"', ctx: '{"k":1}' },
      { id: 'b', at: 2, appId: 'shop', fields: '"eventId":"b"', ctx: '{"k":1}' },
    ];
    const batch = { dropped: 3, sentAt: Date.parse('2026-11-21T10:00:00Z'), profile: null, sampleRate: 0.25 };
    const body = JSON.parse(nativeFormat.body(entries.map((e) => nativeFormat.item(e, batch)), entries, batch));
    expect(body).toEqual({ v: 2, appId: 'shop', sentAt: '2026-11-21T10:00:00.000Z', dropped: 3, sampleRate: 0.25, contexts: [{ k: 1 }], events: [{ c: 0, eventId: 'a' }, { c: 0, eventId: 'b' }] });
  });

  it.each([
    ['COOKIE_1', 'COOKIE_1'],
    ['INDEXED_DB', 'LOCAL_STORAGE'],
    ['MEMORY', 'LOCAL_STORAGE'],
    ['LOCAL_STORAGE', 'LOCAL_STORAGE'],
    ['SQLITE', 'SQLITE'],
    ['MY_STORE', 'LOCAL_STORAGE'],
  ])('snowplow storageMechanism %s -> %s', (ours, theirs) => {
    expect(snowplowMechanism(ours)).toBe(theirs);
  });
});

describe('byteLength', () => {
  it('counts UTF-8 bytes', () => {
    expect(byteLength('abc')).toBe(3);
    expect(byteLength('é')).toBe(2);
    expect(byteLength('語')).toBe(3);
    expect(byteLength('😀')).toBe(4);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
