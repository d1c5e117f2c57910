/**
 * `dist/stint.snowplow.js`: the script tag for a Snowplow pipeline (`data-format="snowplow"`,
 * `data-snowplow-post-path`).
 */
import { snowplow } from '../snowplow';
import { runTag } from './tag';

runTag({ snowplow }, (data) => ({ snowplow: data.snowplowPostPath ? { postPath: data.snowplowPostPath } : undefined }));
