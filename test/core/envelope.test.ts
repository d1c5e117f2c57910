/**
 * The wire format: what the page sends (shared contexts sent once per batch, each event an array of what is its own,
 * what the batch implies left out) rebuilds, through the exported `expandEnvelope`, into exactly the whole events,
 * the user agent read there (core/formats/agent.ts), valid against the schema (schemas/envelope.json).
 */
import Ajv from 'ajv';
import fc from 'fast-check';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandEnvelope } from '../../src/collector';
import type { PageSnapshot } from '../../src/core/context';
import { readAgent } from '../../src/core/formats/agent';
import type { PageEvent, WholeEvent } from '../../src/core/formats/envelope';
import { entryOf, wholeOf, type Entry, type RawEvent, type Surroundings } from '../../src/core/event';
import type { Batch } from '../../src/core/formats/format';
import { nativeFormat } from '../../src/core/formats/native';
import { state } from '../helpers';
import { fuzzSeed } from '../seed';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
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
  device:
    '"device":{"screenResolution":"1280x800","colorDepth":24,"orientation":"landscape","touch":false},"app":{"type":"browser","language":"en-US","bot":false},' +
    `"userAgent":{"original":"${UA}","brands":[{"brand":"Chromium","version":"156"}],"platform":"Linux","platformVersion":null}`,
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
ajv.addSchema(schema('envelope.json'));
const v3 = ajv.getSchema('https://stint.dev/schemas/envelope.json')!;
const whole = ajv.getSchema('https://stint.dev/schemas/envelope.json#/definitions/wholeEvent')!;

/** An event as the page holds it, whole as a collector gets it: the user agent read. */
function read({ context, ...event }: PageEvent): WholeEvent {
  const { userAgent, app, ...rest } = context;
  const agent = readAgent(userAgent);
  return { ...event, context: { ...rest, os: agent.os, app: { ...app, name: agent.name, version: agent.version }, userAgent: userAgent.original } };
}
const expected = (list: Entry[]) => list.map((e) => read(wholeOf(e)));

describe('the envelope', () => {
  const s1 = state({ eventIndex: 1 });
  const s2 = state({ eventIndex: 2, attributes: { plan: 'pro' } });
  const at = Date.parse('2026-11-22T10:00:00.000Z');
  const first = entryOf(raw(1, at), s1, around, 'shop', null);
  const entries: Entry[] = [first.entry, entryOf(raw(2, at + 1, true), s2, around, 'shop', first.shared).entry];
  const batch = (dropped: number): Batch => ({ dropped, sentAt: at + 10, profile: null, sampleRate: 1 });
  const bodyOf = (list: Entry[], dropped = 0) => nativeFormat.body(list.map((e) => nativeFormat.item(e, batch(dropped))), list, batch(dropped));
  const body = JSON.parse(bodyOf(entries, 3));

  it('is valid against envelope.json, with what the events share sent once per distinct context', () => {
    expect(v3(body), JSON.stringify(v3.errors)).toBe(true);
    expect(body.contexts).toHaveLength(2); // the attributes changed between the two events
    expect(body.events).toEqual([
      ['00000000-0000-4000-8000-000000000001', 'odd', { n: 1 }, 0, { i: 1 }],
      ['00000000-0000-4000-8000-000000000002', 'even', { n: 2 }, 1, { c: 1, b: 1 }],
    ]);
    expect([body.at, body.dropped, body.sentAt]).toEqual([at, 3, new Date(at + 10).toISOString()]);
  });

  it('expands into whole events, valid against the schema: the user agent read, its Client Hints first', () => {
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
        userAgent: UA,
        utm: { source: null, medium: null, campaign: null, term: null, content: null },
        time: { timeZone: 'Europe/Paris', weekday: 'Sunday' },
        tabId: '0a1b2c3d',
        visibility: 'background',
      },
    });
  });

  it('leaves out what the batch implies, and says what it does not', () => {
    const one = (index: number, t: number, hidden = false, s = s1): Entry => ({ ...entryOf(raw(index, at + t, hidden), { ...s, eventIndex: index }, around, 'shop', null).entry });
    const shared = first.entry.ctx;
    const list = [one(7, 5), one(8, 6), one(9, 6, true), one(11, 9), one(4, -3), one(5, 10, false, s2)];
    for (const e of list.slice(0, 5)) e.ctx = shared;
    const sent = JSON.parse(bodyOf(list));
    expect(v3(sent), JSON.stringify(v3.errors)).toBe(true);
    // the first event's index; consecutive ones none; a hidden page's flag; a gap; an older session_end's negative
    // time; another context, its index following on
    expect(sent.events.map((e: unknown[]) => e.slice(3))).toEqual([[0, { i: 7 }], [1], [1, { b: 1 }], [4, { i: 11 }], [-8, { i: 4 }], [5, { c: 1 }]]);
    expect(expandEnvelope(sent)).toEqual(expected(list));
  });

  it('makes whatever a page sends whole again: any times, indices, contexts and visibility (property)', () => {
    const contexts = [first.entry.ctx, entries[1].ctx, entryOf(raw(3, at), state({ eventIndex: 1 }), { ...around, anonymous: true }, 'shop', null).entry.ctx];
    const entry = fc.record({
      at: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      index: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      hidden: fc.boolean(),
      ctx: fc.constantFrom(...contexts),
      name: fc.string({ minLength: 1, maxLength: 20 }),
      props: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 30 }), fc.boolean(), (drawn, consecutive) => {
        const list: Entry[] = drawn.map((d, n) => ({
          id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
          appId: 'shop',
          at: d.at,
          name: d.name,
          props: JSON.stringify(d.props),
          index: consecutive ? drawn[0].index + n : d.index,
          hidden: d.hidden,
          ctx: d.ctx,
        }));
        const sent = JSON.parse(bodyOf(list));
        expect(v3(sent), JSON.stringify(v3.errors)).toBe(true);
        expect(expandEnvelope(sent)).toEqual(expected(list));
      }),
      { seed: fuzzSeed('envelope 3'), numRuns: 300 },
    );
  });

  it('refuses what is not an envelope', () => {
    expect(() => expandEnvelope({ v: 4, events: [] })).toThrow(TypeError);
    expect(() => expandEnvelope({ v: 2, contexts: [], events: [] })).toThrow(TypeError);
    expect(() => expandEnvelope(null)).toThrow(TypeError);
    expect(() => expandEnvelope({ v: 3, at: 0, contexts: [], events: [['x', 'a', {}, 0]] })).toThrow(TypeError);
    expect(() => expandEnvelope({ v: 3, at: 0, contexts: [{}], events: [{ c: 0 }] })).toThrow(TypeError);
    expect(() => expandEnvelope({ v: 3, contexts: [{}], events: [['x', 'a', {}, 0]] })).toThrow(TypeError);
  });
});
