/**
 * `import { otlp } from 'stint/otlp'`: OpenTelemetry's OTLP/HTTP with the JSON encoding, for an
 * OpenTelemetry Collector's `otlp` receiver (or anything that takes OTLP logs).
 * `createTracker({ collector: 'https://otel.example.com:4318', appId, format: otlp() })`: the collector URL is
 * the receiver's base (its origin, or origin and a prefix); `/v1/logs`, or `logsPath`, is joined to it.
 */
import { otlpFormat } from './core/formats/otlp';
import type { OtlpOptions, WireFormat } from './types';

export type { OtlpOptions, WireFormat } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v == 'object' && !Array.isArray(v);

export function otlp(options: OtlpOptions = {}): WireFormat {
  const { logsPath = '/v1/logs', headers, resource = {} }: OtlpOptions = isObject(options) ? options : {};
  const fail = (why: string) => {
    throw new TypeError('stint: otlp.' + why);
  };
  // (a doubled slash is a 301 from the receiver, which the browser follows as a GET: the batch would be lost)
  if (typeof logsPath != 'string' || !/^(\/[^/?#]+)+$/.test(logsPath)) fail('logsPath must be a path that starts with /');
  if (headers !== undefined && !(isObject(headers) && Object.entries(headers).every(([k, v]) => /^[\w!#$%&'*+.^`|~-]+$/.test(k) && !/^content-type$/i.test(k) && typeof v == 'string')))
    fail('headers must map names to strings (not Content-Type)');
  if (!isObject(resource) || !Object.entries(resource).every(([k, v]) => k && !/^(service\.(name|version)|telemetry\.sdk\.)/.test(k) && (typeof v == 'number' ? isFinite(v) : typeof v == 'string' || typeof v == 'boolean')))
    fail('resource must map names to strings, numbers or booleans');
  return otlpFormat({
    logsPath,
    headers,
    resource: resource as Record<string, string | number | boolean>,
    // (the npm build may be imported where there is no browser: server-side rendering)
    userAgent: typeof navigator != 'undefined' ? navigator.userAgent : '',
  });
}
