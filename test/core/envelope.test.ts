/**
 * The wire format: what the page sends (version 2: shared contexts sent once per batch) rebuilds, through
 * the exported `expandEnvelope`, into exactly the whole events of version 1, valid against the schemas.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandEnvelope } from '../../src/collector';
import type { PageSnapshot } from '../../src/core/context';
import { entryOf, type Entry, type RawEvent, type Surroundings } from '../../src/core/event';
import type { Batch } from '../../src/core/formats/format';
import { nativeFormat } from '../../src/core/formats/native';
import { state } from '../helpers';

const page: PageSnapshot = {
  page: { url: 'https://shop.example/a?b=1', path: '/a', referrer: null, title: 'A', viewId: '11111111-1111-4111-8111-111111111111' },
  pageJson: '{"url":"https://shop.example/a?b=1","path":"/a","referrer":null,"title":"A","viewId":"11111111-1111-4111-8111-111111111111"}',
  utm: null,
  href: 'https://shop.example/a?b=1',
};
const around: Surroundings = {
  mechanism: 'COOKIE_1',
  anonymous: false,
  tabId: '0a1b2c3d',
  device: '"device":{"screenResolution":"1280x800","colorDepth":24,"orientation":"landscape","touch":false},"os":{"name":"Linux","version":null},"app":{"type":"browser","name":"Chromium","version":"156","language":"en-US","bot":false}',
  timeZone: 'Europe/Paris',
  offset: 60,
};
const raw = (n: number, at: number, pageHidden = false): RawEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: n % 2 ? 'odd' : 'even',
  at,
  props: JSON.stringify({ n }),
  page,
  pageHidden,
});

const schema = (file: string) => JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ ...schema('envelope-1.json'), $id: 'https://stint.dev/schemas/envelope-1.json' });
const v2 = ajv.compile(schema('envelope-2.json'));
const whole = ajv.getSchema('https://stint.dev/schemas/envelope-1.json#/definitions/event')!;

describe('envelope version 2', () => {
  const s1 = state({ eventIndex: 1 });
  const s2 = state({ eventIndex: 2, attributes: { plan: 'pro' } });
  const at = Date.parse('2026-11-22T10:00:00.000Z');
  const first = entryOf(raw(1, at), s1, around, 'shop', null);
  const entries: Entry[] = [first.entry, entryOf(raw(2, at + 1, true), s2, around, 'shop', first.shared).entry];
  const batch = (dropped: number): Batch => ({ dropped, sentAt: at + 10, profile: null, sampleRate: 1 });
  const bodyOf = (list: Entry[], dropped = 0) => nativeFormat.body(list.map((e) => nativeFormat.item(e, batch(dropped))), list, batch(dropped));
  const body = JSON.parse(bodyOf(entries, 3));

  it('is valid against envelope-2.json, with what the events share sent once per distinct context', () => {
    expect(v2(body), JSON.stringify(v2.errors)).toBe(true);
    expect(body.contexts).toHaveLength(2); // the attributes changed between the two events
    expect(body.events.map((e: { c?: number }) => e.c)).toEqual([0, 1]);
    expect(body.dropped).toBe(3);
    expect(body.sentAt).toBe(new Date(at + 10).toISOString());
  });

  it('expands into whole version-1 events: every field an event carried in version 1', () => {
    const events = expandEnvelope(body);
    for (const e of events) expect(whole(e), JSON.stringify(whole.errors)).toBe(true);
    expect(events[1]).toEqual({
      eventId: '00000000-0000-4000-8000-000000000002',
      name: 'even',
      timestamp: '2026-11-22T10:00:00.001Z',
      properties: { n: 2 },
      session: {
        userId: s2.userId,
        sessionId: s2.sessionId,
        sessionIndex: s2.sessionIndex,
        previousSessionId: s2.previousSessionId,
        storageMechanism: 'COOKIE_1',
        firstEventId: s2.firstEventId,
        firstEventTimestamp: new Date(s2.firstEventAt!).toISOString(),
        eventIndex: 2,
      },
      sessionAttributes: { plan: 'pro' },
      user: { id: null },
      context: {
        page: page.page,
        device: { screenResolution: '1280x800', colorDepth: 24, orientation: 'landscape', touch: false },
        os: { name: 'Linux', version: null },
        app: { type: 'browser', name: 'Chromium', version: '156', language: 'en-US', bot: false },
        utm: { source: null, medium: null, campaign: null, term: null, content: null },
        time: { timeZone: 'Europe/Paris', weekday: 'Sunday' },
        tabId: '0a1b2c3d',
        visibility: 'background',
      },
    });
  });

  it('passes version 1 through, and refuses what is not an envelope', () => {
    expect(expandEnvelope({ v: 1, appId: 'a', sentAt: '', dropped: 0, events: [{ eventId: 'x' }] })).toEqual([{ eventId: 'x' }]);
    expect(() => expandEnvelope({ v: 3, events: [] })).toThrow(TypeError);
    expect(() => expandEnvelope(null)).toThrow(TypeError);
    expect(() => expandEnvelope({ v: 2, contexts: [], events: [{ c: 0 }] })).toThrow(TypeError);
  });
});
