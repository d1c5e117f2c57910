/** `dist/stint.tracardi.js`: the script tag for Tracardi (`data-format="tracardi"`, `data-tracardi-source-id`). */
import { runTag } from './tag';
import { tracardi } from '../tracardi';

runTag({ tracardi }, (data) => ({ tracardi: data.tracardiSourceId ? { sourceId: data.tracardiSourceId } : undefined }));
