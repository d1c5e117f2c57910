import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeFormat } from '../src/delivery/formats/native';
import { byteLength } from '../src/delivery/batch';
import { snowplowMechanism } from '../src/delivery/formats/snowplow';
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
      { id: 'a', at: 1, appId: 'shop', body: '{"eventId":"a"}', ctx: '{"k":1}' },
      { id: 'b', at: 2, appId: 'shop', body: '{"eventId":"b"}', ctx: '{"k":1}' },
    ];
    const body = JSON.parse(nativeFormat.body(['{"eventId":"a"}', '{"eventId":"b"}'], 'shop', 3, entries));
    expect(body).toMatchObject({ v: 2, appId: 'shop', dropped: 3, contexts: [{ k: 1 }], events: [{ c: 0, eventId: 'a' }, { c: 0, eventId: 'b' }] });
    expect(Date.parse(body.sentAt)).not.toBeNaN();
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
