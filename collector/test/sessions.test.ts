/**
 * The `sessions` view on what Stint's own code sends: a visit played through the core (test/core/harness.ts, as the
 * shell drives it), its events packed into native batches by the delivery's own `pack` and format, posted to the
 * collector. Each session's row is what its events say: the start, the end and its reason, the duration and engaged
 * time `session_end` reports, the entry and exit pages, the events and page views.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageEvent } from '../../src/core/formats/envelope';
import { MIN } from '../../test/core/harness';
import { post, serveTemp, type Served } from './helpers';
import { S, T0, visit } from './visit';

let collector: Served & { db: string };
let events: PageEvent[] = [];
beforeAll(async () => {
  collector = await serveTemp();
  const sent = visit();
  events = sent.events;
  for (const body of sent.bodies) expect((await post(`${collector.url}/collect`, body)).status).toBe(204);
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
        app_version: '2.0.0',
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
        app_version: '2.0.0',
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
