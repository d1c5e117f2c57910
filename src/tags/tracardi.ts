/** `dist/stint.tracardi.js`: the script tag for Tracardi (`data-format="tracardi"`). */
import { runTag } from '../tag';
import { tracardi } from '../tracardi';

runTag({ tracardi });
