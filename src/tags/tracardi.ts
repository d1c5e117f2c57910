/** `dist/stint.tracardi.js`: the script tag for Tracardi (`data-format="tracardi"`, `data-tracardi-source-id`). */
import { deviceContext } from '../device';
import { runTag } from '../tag';
import { tracardi } from '../tracardi';

runTag({ tracardi }, deviceContext, (data) => ({ tracardi: data.tracardiSourceId ? { sourceId: data.tracardiSourceId } : undefined }));
