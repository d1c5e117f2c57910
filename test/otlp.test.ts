/**
 * The OTLP format (core/formats/otlp.ts), fed real outbox entries from the core (test/core/harness.ts) and judged
 * by the conformance receiver's rules (e2e/conformance/otlp.mjs judgeLogs): every body taken in, nothing the
 * specification forbids, each event one LogRecord with its attributes once; sessions in OpenTelemetry's words;
 * a body under the request limit, a batch split, never cut; the path joined with one slash.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, pack, byteLength } from '../src/core/send/batch';
import type { Entry } from '../src/core/event';
import { joinUrl, type Batch } from '../src/core/formats/format';
import { otlpFormat } from '../src/core/formats/otlp';
import { attribute, endSession, identify, newSession, track } from '../src/core/step';
import { otlp } from '../src/otlp';
import { VERSION } from '../src/ground/version';
import { boot, MIN } from './core/harness';

interface Record {
  eventName: string;
  timeUnixNano: string;
  observedTimeUnixNano: string;
  body: unknown;
  rawBody: unknown;
  attributes: { [key: string]: unknown };
  rawAttributes: { key: string; value: object }[];
  resource: { [key: string]: unknown };
  scope: { name: string; version: string };
}
const { judgeLogs } = (await import('../e2e/conformance/otlp.mjs')) as unknown as { judgeLogs(body: string): { refused: string[]; forbidden: string[]; records: Record[] } };

/** A time of this century: an event's time is nanoseconds since the epoch. */
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36';
const format = otlpFormat({ logsPath: '/v1/logs', resource: { 'deployment.environment.name': 'test' } });
const batch = (o: Partial<Batch> = {}): Batch => ({ dropped: 0, sentAt: 10 * MIN, profile: null, sampleRate: 1, appVersion: '2.0.0', ...o });
const entriesOf = (t: ReturnType<typeof boot>): Entry[] => t.effects.flatMap((e) => (e[0] === 'enqueue' ? [e[1]] : []));

/** Every request of `list` (pack, as the sender cuts them), judged: none refused, nothing forbidden. */
function send(list: Entry[], b = batch()): { bodies: string[]; records: Record[] } {
  const bodies: string[] = [];
  const records: Record[] = [];
  for (let rest = list; rest.length; ) {
    const { entries, body } = pack(rest, format, b);
    expect(body, 'a body for every entry').not.toBe('');
    const verdict = judgeLogs(body);
    expect(verdict.refused, 'what the receiver refuses').toEqual([]);
    expect(verdict.forbidden, 'what the specification forbids').toEqual([]);
    bodies.push(body);
    records.push(...verdict.records);
    rest = rest.slice(entries.length);
  }
  return { bodies, records };
}

/** A session: its start, application_initialized, a signup, an identify, attributes; ended, and the next one begun. */
function visit() {
  const t = boot({ at: T0 });
  t.open(T0);
  t.send(attribute, T0 + 1000, 'plan', 'pro', false);
  t.send(track, T0 + 2000, 'signup', JSON.stringify({ method: 'email', n: 3, ratio: 0.5, big: 2 ** 60, tags: ['a', 1, null], nested: { deep: { deeper: true } }, none: null }));
  t.send(identify, T0 + 3000, 'user-7', '{}');
  t.send(newSession, T0 + 4000);
  t.send(track, T0 + 5000, 'after', '{}');
  return t;
}

describe('format otlp', () => {
  it('one LogRecord per event, in one resource (the app and Stint) and one scope (Stint)', () => {
    const t = visit();
    const entries = entriesOf(t);
    const { bodies, records } = send(entries);
    expect(bodies).toHaveLength(1);
    expect(records.map((r) => r.attributes['log.record.uid'])).toEqual(entries.map((e) => e.id));
    for (const r of records) {
      expect(r.resource).toEqual({
        'deployment.environment.name': 'test',
        'service.name': 'shop',
        'service.version': '2.0.0',
        'telemetry.sdk.name': 'stint',
        'telemetry.sdk.language': 'webjs',
        'telemetry.sdk.version': VERSION,
      });
      expect(r.scope).toEqual({ name: 'stint', version: VERSION });
    }
    // Each event's time, in nanoseconds as a decimal string, tracked and observed.
    expect(records.map((r) => [r.timeUnixNano, r.observedTimeUnixNano])).toEqual(entries.map((e) => [`${e.at}000000`, `${e.at}000000`]));
  });

  it("the properties are the record's body (a kvlistValue: safe integers as intValue, other numbers as doubleValue)", () => {
    const records = send(entriesOf(visit())).records;
    const signup = records.find((r) => r.eventName === 'signup')!;
    expect(signup.body).toEqual({ method: 'email', n: 3, ratio: 0.5, big: 2 ** 60, tags: ['a', 1, null], nested: { deep: { deeper: true } }, none: null });
    expect(signup.rawBody).toMatchObject({
      kvlist_value: {
        values: [
          { key: 'method', value: { string_value: 'email' } },
          { key: 'n', value: { int_value: '3' } },
          { key: 'ratio', value: { double_value: 0.5 } },
          { key: 'big', value: { double_value: 2 ** 60 } },
          { key: 'tags', value: { array_value: { values: [{ string_value: 'a' }, { int_value: '1' }, {}] } } },
          { key: 'nested', value: { kvlist_value: { values: [{ key: 'deep', value: { kvlist_value: { values: [{ key: 'deeper', value: { bool_value: true } }] } } }] } } },
          { key: 'none', value: {} },
        ],
      },
    });
    // An event without properties still has its (empty) body.
    expect(records.find((r) => r.eventName === 'after')!.body).toEqual({});
  });

  it('attributes: the semantic conventions where they name it, stint.* where they do not; none twice, none empty', () => {
    const t = visit();
    const records = send(entriesOf(t)).records;
    for (const r of records) {
      const keys = r.rawAttributes.map((a) => a.key);
      expect(new Set(keys).size, keys.join()).toBe(keys.length);
      for (const a of r.rawAttributes) expect(Object.keys(a.value), a.key).toHaveLength(1);
    }
    const signup = records.find((r) => r.eventName === 'signup')!;
    const session = entriesOf(t).map((e) => JSON.parse(e.ctx)).find((c) => c.sessionAttributes.plan)!.session;
    expect(signup.attributes).toEqual({
      'session.id': session.sessionId,
      'url.full': 'https://shop.example/',
      'url.path': '/',
      'user_agent.original': UA,
      'browser.language': 'en',
      'stint.device.id': session.userId,
      'stint.session.index': 1,
      'stint.session.first_event_id': session.firstEventId,
      'stint.session.first_event_timestamp': session.firstEventTimestamp,
      'stint.storage_mechanism': 'COOKIE_1',
      'stint.session.attributes': { plan: 'pro' },
      'stint.page.referrer': 'https://search.example/',
      'stint.page.title': 'Shop',
      'stint.page.view_id': expect.any(String),
      'stint.device.screen_resolution': '1280x800',
      'stint.device.color_depth': 24,
      'stint.device.orientation': 'landscape',
      'stint.device.touch': false,
      'stint.time.time_zone': 'Europe/Paris',
      'stint.time.weekday': expect.stringMatching(/day$/),
      'stint.tab_id': '0a1b2c3d',
      'stint.app.type': 'browser',
      'stint.app.bot': false,
      'log.record.uid': expect.any(String),
      'stint.event.index': 3,
      'stint.visibility': 'foreground',
    });
    // user.id after identify; session.previous_id in the next session
    const after = records.find((r) => r.eventName === 'after')!;
    expect(after.attributes).toMatchObject({ 'user.id': 'user-7', 'session.previous_id': session.sessionId });
    expect(after.attributes['session.id']).not.toBe(session.sessionId);
  });

  it('sessions in OpenTelemetry’s words: session.start opens each, session.end closes it before the next one’s start', () => {
    const records = send(entriesOf(visit())).records;
    const names = records.map((r) => r.eventName);
    expect(names).toEqual(['session.start', 'application_initialized', 'signup', 'identify', 'session.end', 'session.start', 'after']);
    const [start1, , , , end, start2] = [0, 1, 2, 3, 4, 5].map((i) => records[i]);
    expect(start1.attributes['session.previous_id']).toBeUndefined();
    expect(end.attributes).toMatchObject({ 'session.id': start1.attributes['session.id'], 'stint.session.end_reason': 'explicit', 'stint.session.duration_ms': 3000, 'stint.session.exit_page': start1.attributes['url.path'] });
    // where each entered: the path of its first page
    expect(start1.attributes['url.path']).toMatch(/^\//);
    expect([start1, start2].map((s) => s.attributes['stint.session.entry_page'])).toEqual([start1.attributes['url.path'], start2.attributes['url.path']]);
    expect(start2.attributes).toMatchObject({ 'session.previous_id': start1.attributes['session.id'] });
    expect(start2.attributes['session.id']).not.toBe(start1.attributes['session.id']);
    // The other records carry no end attributes.
    expect(records.filter((r) => 'stint.session.end_reason' in r.attributes)).toEqual([end]);
  });

  it("dropped is on the batch's first record only; a sampled session's records say their rate", () => {
    const entries = entriesOf(visit());
    const records = send(entries, batch({ dropped: 7, sampleRate: 0.25 })).records;
    expect(records.map((r) => r.attributes['stint.dropped'])).toEqual([7, ...entries.slice(1).map(() => undefined)]);
    expect(records.every((r) => r.attributes['stint.sample_rate'] === 0.25)).toBe(true);
    expect(send(entries).records.some((r) => 'stint.sample_rate' in r.attributes)).toBe(false);
  });

  it('a batch is split under the request limit, never cut: every event arrives whole', () => {
    const t = boot({ at: T0 });
    t.open(T0);
    // Events of every size up to 20 KB of properties (some not ASCII), and a resource of 4 KB.
    for (let i = 0; i < 300; i++) t.send(track, T0 + 1000 + i, 'large', JSON.stringify({ i, text: (i % 2 ? 'é' : 'x').repeat((i * 337) % 10_000) }));
    const big = otlpFormat({ logsPath: '/v1/logs', resource: { note: 'r'.repeat(4000) } });
    const entries = entriesOf(t);
    const records: Record[] = [];
    for (let rest = entries; rest.length; ) {
      const { entries: sent, body } = pack(rest, big, batch({ dropped: 123_456_789 }));
      expect(byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      records.push(...judgeLogs(body).records);
      rest = rest.slice(sent.length);
    }
    expect(records.map((r) => r.attributes['log.record.uid'])).toEqual(entries.map((e) => e.id));
    expect(records.filter((r) => r.eventName === 'large').map((r) => (r.body as { text: string }).text.length)).toEqual(entries.slice(2).map((_, i) => (i * 337) % 10_000));
  });

  it('anonymous: nothing identifying (the nil device id, no user, no previous session)', () => {
    const t = boot({ at: T0, consent: 'denied', settings: { onDenied: 'anonymous' } });
    t.open(T0);
    t.send(identify, T0 + 1000, 'user-7', '{}');
    t.send(endSession, T0 + 2000);
    t.send(track, T0 + 3000, 'next', '{}');
    const records = send(entriesOf(t)).records;
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.attributes['stint.device.id']).toBe('00000000-0000-0000-0000-000000000000');
      expect(r.attributes).not.toHaveProperty('user.id');
      expect(r.attributes).not.toHaveProperty('session.previous_id');
    }
  });
});

describe('otlp()', () => {
  it('is POSTed as application/json without cookies, to the path joined with one slash', () => {
    const f = otlp() as ReturnType<typeof otlpFormat>;
    expect(f.request!(false)).toEqual({ type: 'application/json', credentials: 'omit', headers: undefined });
    for (const base of ['https://otel.example.com', 'https://otel.example.com/', 'https://otel.example.com//', 'https://otel.example.com/'])
      expect(joinUrl(base, f.path)).toBe('https://otel.example.com/v1/logs');
    expect(joinUrl('https://otel.example.com/otel/', f.path)).toBe('https://otel.example.com/otel/v1/logs');
    expect(joinUrl('https://otel.example.com', (otlp({ logsPath: '/ingest/logs' }) as typeof f).path)).toBe('https://otel.example.com/ingest/logs');
    expect((otlp({ headers: { Authorization: 'Bearer x' } }) as typeof f).request!(false).headers).toEqual({ Authorization: 'Bearer x' });
  });

  it.each([
    ['logsPath', { logsPath: 'v1/logs' }],
    ['logsPath', { logsPath: '//v1/logs' }],
    ['logsPath', { logsPath: '/v1/logs?x=1' }],
    ['headers', { headers: { 'Content-Type': 'text/plain' } }],
    ['headers', { headers: { 'Bad Name': 'x' } }],
    ['headers', { headers: { Authorization: 1 } }],
    ['resource', { resource: { a: {} } }],
    ['resource', { resource: { a: NaN } }],
    ['resource', { resource: [] }],
  ])('a wrong %s is a TypeError that names it', (field, options) => {
    expect(() => otlp(options as never)).toThrow(TypeError);
    expect(() => otlp(options as never)).toThrow(`otlp.${field}`);
  });

  it("Stint's resource attributes win over the page's", () => {
    const f = otlpFormat({ logsPath: '/v1/logs', resource: { 'service.name': 'other', 'telemetry.sdk.name': 'x' } });
    const t = boot({ at: T0 });
    t.open(T0);
    const entries = entriesOf(t);
    const { records } = judgeLogs(f.body(entries.map((e) => f.item(e, batch())), entries, batch()));
    expect(records[0].resource).toMatchObject({ 'service.name': 'shop', 'telemetry.sdk.name': 'stint' });
  });
});
