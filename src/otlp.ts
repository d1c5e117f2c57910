/**
 * `import { otlp } from 'stint/otlp'`: OpenTelemetry's OTLP/HTTP with the JSON encoding, for an
 * OpenTelemetry Collector's `otlp` receiver (or anything that takes OTLP logs).
 * `createTracker({ collector: 'https://otel.example.com:4318', appId, format: otlp() })`: the collector URL is
 * the receiver's base (its origin, or origin and a prefix); `/v1/logs`, or `logsPath`, is joined to it.
 */
import { otlpFormat } from './core/formats/otlp';
import { fault } from './ground/log';
import type { OtlpOptions, WireFormat } from './ground/format-options';

export type { OtlpOptions, WireFormat } from './ground/format-options';

/** `o` is a plain object whose every member passes `ok`. */
const every = (o: unknown, ok: (key: string, value: unknown) => boolean) =>
  !!o && typeof o == 'object' && !Array.isArray(o) && Object.entries(o).every(([k, v]) => ok(k, v));

export function otlp(options: OtlpOptions = {}): WireFormat {
  const { logsPath = '/v1/logs', headers, resource = {} } = options || {};
  const check = (valid: boolean, field: string) => {
    if (!valid) throw fault(2, 'otlp.' + field);
  };
  // (a doubled slash is a 301 from the receiver, which the browser follows as a GET: the batch would be lost)
  check(/^(\/[^/?#]+)+$/.test(logsPath), 'logsPath');
  check(
    headers === undefined ||
      every(headers, (k, v) => typeof v == 'string' && /^[\w!#$%&'*+.^`|~-]+$/.test(k) && !/^content-type$/i.test(k)),
    'headers',
  );
  check(
    every(resource, (_, v) => typeof v == 'string' || (typeof v != 'object' && isFinite(v as number))),
    'resource',
  );
  return otlpFormat({ logsPath, headers, resource });
}
