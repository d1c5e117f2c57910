/**
 * The README's span processor ("The same session.id on your spans"), run by OpenTelemetry's own tracer SDK: every
 * span started while Stint keeps a session carries its `session.id`, and none is invented while there is none.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import type { ClientSession } from '../src/types';

it("puts Stint's session.id on every span", async () => {
  let session: Pick<ClientSession, 'sessionId'> | null = null;
  const stint = { getSession: () => session };
  // As in the README:
  const sessionOnSpans = {
    onStart: (span: { setAttribute(key: string, value: string): unknown }) => {
      const s = stint.getSession();
      if (s) span.setAttribute('session.id', s.sessionId);
    },
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  } as unknown as SpanProcessor;
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [sessionOnSpans, new SimpleSpanProcessor(exporter)] }).getTracer('page');
  tracer.startSpan('before ready').end();
  session = { sessionId: 'f0e1d2c3-0000-4000-8000-000000000001' };
  tracer.startSpan('fetch /cart').end();
  expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['session.id']])).toEqual([
    ['before ready', undefined],
    ['fetch /cart', 'f0e1d2c3-0000-4000-8000-000000000001'],
  ]);
});
