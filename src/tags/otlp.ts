/** `dist/stint.otlp.js`: the script tag for an OpenTelemetry Collector (`data-format="otlp"`). */
import { otlp } from '../otlp';
import { runTag } from './tag';

runTag({ otlp });
