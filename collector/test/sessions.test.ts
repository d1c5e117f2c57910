/**
 * The `sessions` view on what Stint's own code sends: a visit played through the core (test/core/harness.ts, as the
 * shell drives it), its events packed into native batches by the delivery's own `pack` and format, posted to the
 * collector. Each session's row is what its events say: the start, the end and its reason, the duration and engaged
 * time `session_end` reports, the entry and exit pages, the events and page views.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from '../../src/core/batch';
import type { PageEvent } from '../../src/core/envelope';
import type { Entry } from '../../src/core/event';
import { nativeFormat } from '../../src/core/formats/native';
import { track } from '../../src/core/step';
import { boot, MIN, place } from '../../test/core/harness';
import { post, serveTemp, type Served } from './helpers';

const S = 1000;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

/**
 * A visit with engaged time: pages /a and /b read for a minute, the tab hidden; back 31 minutes later (the first
 * session ended by the background timeout), a third page read, the tab hidden again. The second session stays open.
 */
function visit() {
  const t = boot({ at: T0, newTab: false, settings: { engagement: { idle: 5 * S }, backgroundTimeout: 30 * MIN } });
  t.open(T0);
  const step = (type: string, at: number, ...rest: unknown[]) => (t.send as (...a: unknown[]) => unknown)(type, T0 + at, ...rest);
  step('page', 0, '{}', place('/a'));
  for (let at = 2 * S; at <= 18 * S; at += 2 * S) step('activity', at);
  step('page', 20 * S, '{}', place('/b'));
  step('track', 30 * S, 'add_to_cart', '{"sku":"A-1"}');
  for (let at = 32 * S; at <= 50 * S; at += 2 * S) step('activity', at);
  step('visibility', 60 * S, true);
  t.send(track, T0 + 60 * S + 31 * MIN, 'back', '{}');
  step('visibility', 60 * S + 31 * MIN + S, false);
  step('page', 60 * S + 31 * MIN + S, '{}', place('/c'));
  step('activity', 60 * S + 31 * MIN + 3 * S);
  step('visibility', 60 * S + 31 * MIN + 6 * S, true);
  return t;
}

/** Native bodies of the visit's events, as the delivery packs them (at most 6 events a batch here: several batches). */
function bodies(entries: Entry[]): string[] {
  const out: string[] = [];
  for (let rest = entries; rest.length; ) {
    const { entries: packed, body } = pack(rest.slice(0, 6), nativeFormat, { dropped: 0, sentAt: T0, profile: null, sampleRate: 1 });
    out.push(body);
    rest = rest.slice(packed.length);
  }
  return out;
}

let collector: Served & { db: string };
let events: PageEvent[] = [];
beforeAll(async () => {
  collector = await serveTemp();
  const t = visit();
  events = t.events();
  const entries = t.effects.flatMap((e) => (e[0] === 'enqueue' ? [e[1] as Entry] : []));
  for (const body of bodies(entries)) expect((await post(`${collector.url}/collect`, body)).status).toBe(204);
});
afterAll(() => collector.close());

describe('sessions, from what Stint sends', () => {
  it("each session's row: start, end and reason, duration, events, page views, engaged time, entry and exit page", async () => {
    const [first, second] = [...new Set(events.map((e) => e.session.sessionId))];
    const end = events.find((e) => e.name === 'session_end')!;
    // What the core reported, which the view reads: the first session's end, the second's page view's engaged time.
    expect(end.properties).toMatchObject({ session_id: first, reason: 'background_timeout', duration_ms: 60 * S, engaged_ms: 48 * S, exit_page: '/b' });
    expect(events.filter((e) => e.session.sessionId === second).map((e) => [e.name, e.context.page.path])).toEqual([
      ['session_start', '/b'],
      ['back', '/b'],
      ['application_foreground', '/b'],
      ['page_view', '/c'],
      ['page_engagement', '/c'],
      ['application_background', '/c'],
    ]);
    expect(await collector.store.query('SELECT * FROM sessions ORDER BY started_at')).toEqual([
      {
        session_id: first,
        app_id: 'shop',
        device_id: end.session.userId,
        user_id: null,
        session_index: 1,
        previous_session_id: null,
        start_reason: 'first',
        started_at: new Date(T0),
        last_event_at: new Date(T0 + 60 * S),
        ended_at: new Date(T0 + 60 * S),
        duration_ms: 60 * S,
        end_reason: 'background_timeout',
        events: 8,
        page_views: 2,
        engaged_ms: 48 * S,
        entry_page: '/a',
        exit_page: '/b',
        sample_rate: 1,
      },
      {
        session_id: second,
        app_id: 'shop',
        device_id: end.session.userId,
        user_id: null,
        session_index: 2,
        previous_session_id: first,
        start_reason: 'background_timeout',
        started_at: new Date(T0 + 60 * S + 31 * MIN),
        last_event_at: new Date(T0 + 60 * S + 31 * MIN + 6 * S),
        ended_at: null,
        duration_ms: 6 * S,
        end_reason: null,
        events: 6,
        page_views: 1,
        engaged_ms: 5 * S,
        entry_page: '/b',
        exit_page: '/c',
        sample_rate: 1,
      },
    ]);
  });

  it('the events view: every event whole, in the order of its session, as the core made it', async () => {
    const rows = await collector.store.query('SELECT event_id, name, timestamp, event_index, page_path, visibility FROM events ORDER BY session_index, event_index');
    expect(rows).toEqual(
      events.map((e) => ({
        event_id: e.eventId,
        name: e.name,
        timestamp: new Date(e.timestamp),
        event_index: e.session.eventIndex,
        page_path: e.context.page.path,
        visibility: e.context.visibility,
      })),
    );
  });
});
