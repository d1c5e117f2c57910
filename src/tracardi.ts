/**
 * `import { tracardi } from 'stint/tracardi'`: Tracardi's `/track` endpoint.
 * `createTracker({ collector: 'https://tracardi-api.example.com', appId, format: tracardi({ sourceId }) })`,
 * where `sourceId` is the REST event source configured in Tracardi for the site.
 */
import { tracardiFormat } from './core/formats/tracardi';
import type { TracardiOptions, WireFormat } from './types';

export type { TracardiOptions, WireFormat } from './types';

export function tracardi(options: TracardiOptions): WireFormat {
  const id = options?.sourceId;
  if (typeof id !== 'string' || !id.trim()) throw new TypeError('stint: tracardi.sourceId must be the id of a Tracardi event source');
  return tracardiFormat({ sourceId: id });
}
