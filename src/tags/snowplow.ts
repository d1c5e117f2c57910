/** `dist/stint.snowplow.js`: the script tag for a Snowplow pipeline (`data-format="snowplow"`). */
import { snowplow } from '../snowplow';
import { runTag } from '../tag';

runTag({ snowplow });
