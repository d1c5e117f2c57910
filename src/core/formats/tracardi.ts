/**
 * Tracardi's `/track` endpoint (tracardi-api app/api/track/event_server_endpoint.py): one
 * `TrackerPayload` (tracardi/domain/payload/tracker_payload.py) per request and per session, as JSON
 * (FastAPI answers 422 to anything else), without cookies, as Tracardi's own tracker sends it.
 *
 * - `source.id`: the REST event source configured in Tracardi; `session.id`: Stint's session id.
 * - `profile.id`: null at first; Tracardi assigns one and returns it in its answer, and Stint keeps it
 *   with the session state and sends it back from then on (an id Tracardi does not know is replaced).
 *   A beacon gets no answer: a profile first seen in a beacon is learnt at the next request.
 * - `events`: `EventPayload` (event_payload.py): `id` (the event id), `type` (its name), `time.create`,
 *   `properties`, and a context with the page, the client_session fields, visibility and the user id.
 * - The payload's `context` carries the browser, screen, time zone and UTM where Tracardi reads them
 *   (`context.browser.local`, `context.screen.local`, `context.time.tz`, `context.utm`). The user agent goes as the
 * browser says it (`context.browser.local.browser.userAgent`, tracker_payload.py `get_browser_agent`): Tracardi parses
 *   it, and the request's User-Agent header, itself (`_set_user_agent`).
 * - `appVersion`, where set, is `context.app.version`, where a payload names its app: Tracardi reads `context.app`'s
 *   name, version and type where it has no user agent to read (tracardi/service/tracking/compute/session_computer.py
 *   `_compute_data_from_user_agent`); with one, the session's `app` is the browser, and the version stays in the
 *   session's context, which is the payload's.
 */
import type { TracardiOptions } from '../../ground/format-options';
import { wholeOf } from '../event';
import type { Format } from './format';

export function tracardiFormat({ sourceId }: TracardiOptions): Format {
  /** The last shared context read, and its session (a cache of a pure function). */
  let ctx = '';
  let session = '';
  return {
    path: '/track',
    plain: true,
    request: () => ({ type: 'application/json', credentials: 'omit' }),
    // One payload per session: the session an entry shares with the events around it (read once for all of them).
    group: (entry) =>
      entry.ctx === ctx ? session : ((ctx = entry.ctx), (session = JSON.parse(ctx).session.sessionId)),
    item(entry) {
      const e = wholeOf(entry);
      const { page, visibility } = e.context;
      return JSON.stringify({
        id: e.eventId,
        type: e.name,
        time: { create: e.timestamp },
        properties: e.properties,
        options: {},
        context: {
          page: { url: page.url, path: page.path, title: page.title, referer: { host: page.referrer } },
          session: e.session,
          visibility,
          user: { id: e.user.id },
          stint: {
            storageMechanism: e.session.storageMechanism,
            sessionAttributes: e.sessionAttributes,
            tabId: e.context.tabId,
          },
        },
      });
    },
    body(items, entries, batch) {
      const first = wholeOf(entries[0]);
      const { device, app, userAgent, utm, time } = first.context;
      const [width, height] = device.screenResolution.split('x').map(Number);
      const context = {
        browser: { local: { browser: { userAgent: userAgent.original, language: app.language } } },
        screen: { local: { width, height, colorDepth: device.colorDepth, orientation: device.orientation } },
        time: { tz: time.timeZone },
        utm,
        app: batch.appVersion ? { version: batch.appVersion } : undefined,
        stint: { dropped: batch.dropped },
      };
      const profile = batch.profile ? { id: batch.profile } : null;
      const id = (value: unknown) => JSON.stringify({ id: value });
      const session = id(first.session.sessionId);
      const who = `"source":${id(sourceId)},"session":${session},"profile":${profile && id(profile.id)}`;
      return `{${who},"context":${JSON.stringify(context)},"properties":{},"options":{},"events":[${items}]}`;
    },
    answer(text) {
      let answer: { profile?: { id?: unknown }; ux?: unknown; errors?: unknown };
      try {
        answer = JSON.parse(text);
      } catch {
        return;
      }
      const id = answer?.profile?.id;
      return {
        profile: typeof id === 'string' && id ? id : undefined,
        said: { ux: answer?.ux, errors: answer?.errors },
      };
    },
  };
}
