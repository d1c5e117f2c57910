/**
 * The Snowplow tracker protocol: POST `<collector>/com.snowplowanalytics.snowplow/tp2` with a
 * `payload_data` 1-0-4 body. `page_view` is `e=pv`; every other event is `e=ue` with its name and
 * properties in a `dev.stint/event` entity. Contexts: `client_session` 1-0-2 and `dev.stint/context`
 * (the exact storage mechanism, session attributes, UTM, visibility).
 *
 * `client_session.storageMechanism` must be one of Snowplow's enum: COOKIE_1 stays COOKIE_1;
 * IndexedDB, memory and custom stores become LOCAL_STORAGE, which is what Snowplow's own web tracker
 * reports for storage that is not its cookie (and a custom store that declares an enum value keeps it).
 */
import { VERSION } from '../../version';
import { wholeOf } from '../../event';
import type { Format } from './format';

const IGLU = 'iglu:com.snowplowanalytics.snowplow/';
const SNOWPLOW_MECHANISMS = ['SQLITE', 'COOKIE_1', 'COOKIE_3', 'LOCAL_STORAGE', 'FLASH_LSO'];

export const snowplowMechanism = (m: string): string => (SNOWPLOW_MECHANISMS.includes(m) ? m : 'LOCAL_STORAGE');

const selfDescribing = (schema: string, data: unknown) => ({ schema, data });

export const snowplowFormat: Format = {
  path: '/com.snowplowanalytics.snowplow/tp2',
  item(entry) {
    const e = wholeOf(entry);
    const { page, device, app, utm, time, visibility } = e.context;
    const session = e.session;
    const pageView = e.name === 'page_view';
    const item: Record<string, string> = {
      e: pageView ? 'pv' : 'ue',
      eid: e.eventId,
      tv: 'stint-' + VERSION,
      tna: 'stint',
      p: 'web',
      aid: entry.appId,
      dtm: String(entry.at),
      duid: session.userId,
      sid: session.sessionId,
      vid: String(session.sessionIndex),
      url: page.url,
      res: device.screenResolution,
      co: JSON.stringify(
        selfDescribing(IGLU + 'contexts/jsonschema/1-0-0', [
          selfDescribing(IGLU + 'client_session/jsonschema/1-0-2', {
            ...session,
            storageMechanism: snowplowMechanism(session.storageMechanism),
          }),
          selfDescribing('iglu:dev.stint/context/jsonschema/1-0-0', {
            storageMechanism: session.storageMechanism,
            sessionAttributes: e.sessionAttributes,
            utm,
            visibility,
            // A page view has no place for its properties in the protocol: they travel here.
            ...(pageView ? { properties: e.properties } : {}),
          }),
        ]),
      ),
    };
    const optional: [string, unknown][] = [
      ['page', page.title],
      ['refr', page.referrer],
      ['tz', time.timeZone],
      ['lang', app.language],
      ['cd', device.colorDepth],
      ['uid', e.user.id],
    ];
    for (const [key, value] of optional) if (value != null) item[key] = String(value);
    if (!pageView) {
      item.ue_pr = JSON.stringify(
        selfDescribing(
          IGLU + 'unstruct_event/jsonschema/1-0-0',
          selfDescribing('iglu:dev.stint/event/jsonschema/1-0-0', { name: e.name, properties: e.properties }),
        ),
      );
    }
    return JSON.stringify(item);
  },
  // The sent timestamp is the same for the whole batch; it is spliced in as the batch leaves.
  body: (items) =>
    `{"schema":"${IGLU}payload_data/jsonschema/1-0-4","data":[${items.map((i) => `{"stm":"${Date.now()}",${i.slice(1)}`)}]}`,
};
