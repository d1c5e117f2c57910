/**
 * OpenTelemetry's OTLP/HTTP, JSON encoding, as an OpenTelemetry Collector's `otlp` receiver takes it
 * (opentelemetry-collector receiver/otlpreceiver/otlphttp.go, pdata's JSON reading; opentelemetry-proto
 * docs/specification.md "JSON Protobuf Encoding"): one `ExportLogsServiceRequest` per request, POSTed to
 * `<collector>/v1/logs` (the receiver's `logs_url_path`: `logsPath`) as `application/json` (anything else
 * is a 415), without cookies. Each event is one `LogRecord`, an OpenTelemetry event:
 *
 * - `eventName`: its name (`session_start` and `session_end` are OpenTelemetry's `session.start` and
 *   `session.end`); `timeUnixNano` and `observedTimeUnixNano`: when it was tracked, as decimal strings;
 *   `body`: its properties, a `kvlistValue`, so that no property can collide with an attribute.
 * - attributes, named as the semantic conventions name them where a name exists (`session.id`,
 *   `session.previous_id`, `log.record.uid`, `user.id`, `url.full`, `url.path`, `user_agent.original` (as the browser
 *   says it: OpenTelemetry's browser instrumentation does not parse it either), `user_agent.synthetic.type`,
 *   `browser.language`) and under `stint.` where none does (the rest of `client_session`, the page, the
 *   screen, visibility, UTM, the session attributes); an unknown value is left out, never sent empty.
 * - The resource is the app (`service.name`: the app id, `service.version`) and Stint (`telemetry.sdk.*`),
 *   the same for every batch of a page; the batch's `dropped` is on its first record (`stint.dropped`).
 */
import { VERSION } from '../../ground/version';
import type { SharedContext } from './envelope';
import type { Entry } from '../event';
import type { Batch, Format, RequestOptions } from './format';

/** What `otlp()` (src/otlp.ts) checked: where the receiver listens, its headers, the extra resource attributes. */
export interface OtlpSettings {
  logsPath: string;
  headers?: Record<string, string>;
  resource: Record<string, string | number | boolean>;
}

/**
 * A JSON value as an `AnyValue` (common.proto): objects as `kvlistValue`, arrays as `arrayValue`, safe
 * integers as `intValue` (an int64: a decimal string), other numbers as `doubleValue`, null as the empty value.
 */
const anyValue = (v: unknown): string =>
  typeof v == 'string'
    ? `{"stringValue":${JSON.stringify(v)}}`
    : typeof v == 'number'
      ? Number.isSafeInteger(v)
        ? `{"intValue":"${v}"}`
        : `{"doubleValue":${v}}`
      : typeof v == 'boolean'
        ? `{"boolValue":${v}}`
        : Array.isArray(v)
          ? `{"arrayValue":{"values":[${v.map(anyValue)}]}}`
          : v
            ? `{"kvlistValue":{"values":[${keyValues(v as object, true)}]}}`
            : '{}';

/** `KeyValue`s of an object's members, in order; `all`: null members too (as the empty value), else left out. */
const keyValues = (o: object, all?: boolean): string[] =>
  Object.entries(o)
    .filter(([, v]) => all || v != null)
    .map(([k, v]) => `{"key":${JSON.stringify(k)},"value":${anyValue(v)}}`);

/**
 * The semantic conventions' names for the context's fields, by their path in it (in snake case); a field they do
 * not name is `stint.<path>` (`device.screen_resolution`: `stint.device.screen_resolution`).
 */
const SEMCONV: Record<string, string> = {
  'session.session_id': 'session.id',
  'session.previous_session_id': 'session.previous_id',
  'session.session_index': 'stint.session.index',
  'session.user_id': 'stint.device.id',
  'session.storage_mechanism': 'stint.storage_mechanism',
  'user.id': 'user.id',
  'page.url': 'url.full',
  'page.path': 'url.path',
  'app.language': 'browser.language',
};

/** The fields of `o` (nested objects' too) as attributes, named by SEMCONV or under `stint.`, into `out`. */
const flatten = (o: object, path: string, out: Record<string, unknown>): Record<string, unknown> => {
  for (const [k, v] of Object.entries(o)) {
    const at = path + k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
    if (v && typeof v == 'object') flatten(v, at + '.', out);
    else out[SEMCONV[at] || 'stint.' + at] = v;
  }
  return out;
};

const NAMES: Record<string, string> = { session_start: 'session.start', session_end: 'session.end' };

export function otlpFormat({ logsPath, headers, resource }: OtlpSettings): Format {
  /**
   * The last shared context met, and its attributes (a cache of a pure function: pack meets one context many times).
   */
  let ctx = '';
  let shared: string[] = [];

  /** One event as a `LogRecord`; `dropped`: the batch's, on its first record. */
  const record = (entry: Entry, batch: Batch, dropped?: number): string => {
    if (entry.ctx !== ctx) {
      const { session, sessionAttributes, user, context } = JSON.parse((ctx = entry.ctx)) as SharedContext;
      const { userAgent, ...rest } = context;
      // (the user agent as the browser says it: OpenTelemetry's browser instrumentation does not parse it either)
      shared = keyValues({
        ...flatten({ session, user, ...rest }, '', {}),
        'user_agent.original': userAgent.original,
        'user_agent.synthetic.type': context.app.bot ? 'bot' : null,
        'stint.session.attributes': Object.keys(sessionAttributes).length ? sessionAttributes : null,
      });
    }
    const properties = JSON.parse(entry.props);
    const ended = entry.name === 'session_end' ? properties : {};
    const started = entry.name === 'session_start' ? properties : {};
    const at = `"${Math.round(entry.at)}000000"`;
    const own = keyValues({
      'log.record.uid': entry.id,
      'stint.event.index': entry.index,
      'stint.visibility': entry.hidden ? 'background' : 'foreground',
      'stint.session.end_reason': ended.reason,
      'stint.session.duration_ms': ended.duration_ms,
      'stint.session.engaged_ms': ended.engaged_ms,
      'stint.page.engaged_ms': entry.name === 'page_engagement' ? properties.engaged_ms : null,
      'stint.session.entry_page': started.entry_page,
      'stint.session.exit_page': ended.exit_page,
      'stint.sample_rate': batch.sampleRate < 1 ? batch.sampleRate : null,
      'stint.dropped': dropped,
    });
    const name = JSON.stringify(NAMES[entry.name] || entry.name);
    const body = `"body":${anyValue(properties)},"attributes":[${shared.concat(own)}]`;
    return `{"timeUnixNano":${at},"observedTimeUnixNano":${at},"eventName":${name},${body}}`;
  };

  /** The request around its records: the resource (the app and Stint) and the one scope (Stint). */
  const frame = (appId: string, batch: Batch, records: string) =>
    `{"resourceLogs":[{"resource":{"attributes":[${keyValues({
      ...resource,
      'service.name': appId,
      'service.version': batch.appVersion,
      'telemetry.sdk.name': 'stint',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': VERSION,
    })}]},"scopeLogs":[{"scope":{"name":"stint","version":"${VERSION}"},"logRecords":[${records}]}]}]}`;

  const request: RequestOptions = { type: 'application/json', credentials: 'omit', headers };
  return {
    path: logsPath,
    request: () => request,
    item: record,
    // The frame, and the first record's `stint.dropped` (a number of at most 16 digits).
    overhead: (entry, batch) => new TextEncoder().encode(frame(entry.appId, batch, '')).length + 60,
    body: (items, entries, batch) =>
      frame(entries[0].appId, batch, [record(entries[0], batch, batch.dropped), ...items.slice(1)].join()),
  };
}
