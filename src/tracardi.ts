/**
 * `import { tracardi } from 'stint/tracardi'`: Tracardi's `/track` endpoint.
 * `createTracker({ collector: 'https://tracardi-api.example.com', appId, format: tracardi({ sourceId }) })`,
 * where `sourceId` is the REST event source configured in Tracardi for the site.
 */
import { tracardiFormat } from './core/formats/tracardi';
import { fault } from './ground/log';
import type { TracardiOptions, WireFormat } from './ground/format-options';

export type { TracardiOptions, WireFormat } from './ground/format-options';

export function tracardi(options: TracardiOptions): WireFormat {
  const id = options?.sourceId;
  if (typeof id !== 'string' || !id.trim()) throw fault(2, 'tracardi.sourceId');
  return tracardiFormat({ sourceId: id });
}
