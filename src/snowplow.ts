/**
 * `import { snowplow } from 'stint/snowplow'`: the Snowplow tracker protocol, for a Snowplow pipeline
 * (collector and enrich). `createTracker({ collector: 'https://collector.example.com', appId, format: snowplow() })`.
 * The collector URL is the collector's base (its origin, or origin and a prefix): the tracker protocol's
 * path is joined to it, or `postPath` where a first-party proxy uses another.
 */
import { snowplowFormat } from './core/formats/snowplow';
import { fault } from './ground/log';
import type { SnowplowOptions, WireFormat } from './ground/format-options';

export type { SnowplowOptions, WireFormat } from './ground/format-options';

export function snowplow(options: SnowplowOptions = {}): WireFormat {
  const path = options?.postPath;
  if (path !== undefined && (typeof path !== 'string' || !/^\/[^?#]*$/.test(path))) {
    throw fault(2, 'snowplow.postPath');
  }
  return snowplowFormat({ postPath: path });
}
