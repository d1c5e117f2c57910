/** `dist/stint.js`: the script tag with Stint's native format (the demo collector, `stint/collector`). */
import { runTag } from '../tag';

runTag({});
