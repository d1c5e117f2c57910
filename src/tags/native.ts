/** `dist/stint.js`: the script tag with Stint's native format (the demo collector, `stint/collector`). */
import { nativeFormat } from '../core/formats/native';
import { runTag } from './tag';

runTag({ native: () => nativeFormat });
