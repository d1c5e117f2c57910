/**
 * The Snowplow tracker protocol, as a Snowplow pipeline (stream-collector, then enrich) accepts it:
 * POST `<collector>/com.snowplowanalytics.snowplow/tp2` (or `postPath`: the collector routes any
 * `/<vendor>/<version>`, and a first-party proxy may use another) with a `payload_data` 1-0-4 body, as
 * `application/json` (enrich's Tp2Adapter accepts nothing else) and with the collector's cookies (its
 * `sp` network user id comes back, as with Snowplow's own tracker). In anonymous mode the `SP-Anonymous`
 * header tells the collector to keep no IP address and set no cookie.
 *
 * `page_view` is `e=pv`; every other event is `e=ue` with its name and properties in a `dev.stint/event`
 * entity. Contexts: `client_session` 1-0-2, `web_page` 1-0-0 (the page view id), and `dev.stint/context`
 * 1-0-2 (the exact storage mechanism, session attributes, UTM, visibility, the batch's `dropped`, the tab's id);
 * with `appVersion`, Snowplow's own `application` 1-0-0 (iglu-central schemas/com.snowplowanalytics.snowplow/
 * application/jsonschema/1-0-0: `version`, its one property, required, at most 255 characters).
 * Text fields are cut to the lengths of Snowplow's atomic schema (atomic/jsonschema/1-0-0), which enrich
 * enforces (AtomicFieldsLengthValidator): past them an event would be a bad row.
 *
 * `client_session.storageMechanism` must be one of Snowplow's enum: COOKIE_1 stays COOKIE_1;
 * IndexedDB, memory and custom stores become LOCAL_STORAGE, which is what Snowplow's own web tracker
 * reports for storage that is not its cookie (and a custom store that declares an enum value keeps it).
 */
import type { SnowplowOptions } from '../../ground/format-options';
import { VERSION } from '../../ground/version';
import { wholeOf } from '../event';
import type { Format } from './format';

const IGLU = 'iglu:com.snowplowanalytics.snowplow/';
const SNOWPLOW_MECHANISMS = ['SQLITE', 'COOKIE_1', 'COOKIE_3', 'LOCAL_STORAGE', 'FLASH_LSO'];

export const snowplowMechanism = (m: string): string => (SNOWPLOW_MECHANISMS.includes(m) ? m : 'LOCAL_STORAGE');

const selfDescribing = (schema: string, data: unknown) => ({ schema, data });

export function snowplowFormat({ postPath = '/com.snowplowanalytics.snowplow/tp2' }: SnowplowOptions = {}): Format {
  return {
    path: postPath,
    plain: true,
    request: (anonymous) => ({
      type: 'application/json; charset=UTF-8',
      credentials: 'include',
      ...(anonymous ? { headers: { 'SP-Anonymous': '*' } } : {}),
    }),
    item(entry, batch) {
      const e = wholeOf(entry);
      const { page, device, app, utm, time, visibility } = e.context;
      const session = e.session;
      const pageView = e.name === 'page_view';
      // The atomic schema's lengths (page_url, page_referrer 4096; page_title 2000; user_id, app_id 255).
      const cut = (value: unknown, max: number) => (value == null ? undefined : String(value).slice(0, max));
      const contexts = [
        selfDescribing(IGLU + 'client_session/jsonschema/1-0-2', {
          ...session,
          storageMechanism: snowplowMechanism(session.storageMechanism),
        }),
      ];
      contexts.push(selfDescribing(IGLU + 'web_page/jsonschema/1-0-0', { id: page.viewId }));
      if (batch.appVersion)
        contexts.push(selfDescribing(IGLU + 'application/jsonschema/1-0-0', { version: cut(batch.appVersion, 255) }));
      contexts.push(
        selfDescribing('iglu:dev.stint/context/jsonschema/1-0-2', {
          storageMechanism: session.storageMechanism,
          sessionAttributes: e.sessionAttributes,
          utm,
          visibility,
          // A page view has no place for its properties in the protocol: they travel here.
          ...(pageView ? { properties: e.properties } : {}),
          dropped: batch.dropped,
          tabId: e.context.tabId,
        }),
      );
      return JSON.stringify({
        stm: String(batch.sentAt),
        e: pageView ? 'pv' : 'ue',
        eid: e.eventId,
        tv: 'stint-' + VERSION,
        tna: 'stint',
        p: 'web',
        aid: cut(entry.appId, 255),
        dtm: String(entry.at),
        duid: session.userId,
        sid: session.sessionId,
        vid: String(session.sessionIndex),
        url: cut(page.url, 4096),
        page: cut(page.title, 2000),
        refr: cut(page.referrer, 4096),
        res: device.screenResolution,
        cd: cut(device.colorDepth, 12),
        tz: cut(time.timeZone, 255),
        lang: cut(app.language, 255),
        uid: cut(e.user.id, 255),
        ue_pr: pageView
          ? undefined
          : JSON.stringify(
              selfDescribing(
                IGLU + 'unstruct_event/jsonschema/1-0-0',
                selfDescribing('iglu:dev.stint/event/jsonschema/1-0-0', { name: e.name, properties: e.properties }),
              ),
            ),
        co: JSON.stringify(selfDescribing(IGLU + 'contexts/jsonschema/1-0-0', contexts)),
      });
    },
    body: (items) => `{"schema":"${IGLU}payload_data/jsonschema/1-0-4","data":[${items}]}`,
  };
}
