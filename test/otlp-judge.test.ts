/**
 * The judge of the OTLP format (e2e/conformance/otlp.mjs), proven: what OpenTelemetry's own JS logs exporter
 * (@opentelemetry/exporter-logs-otlp-http with @opentelemetry/sdk-logs, run here in Node against the receiver)
 * sends is taken in whole, with nothing the specification forbids; the same body with an id that is not hex, or
 * a 64-bit integer with a fraction, is refused with the receiver's 400; snake_case keys, enum names, duplicate
 * keys and duplicate attribute keys are caught as the specification forbids them.
 */
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Judged {
  refused: string[];
  forbidden: string[];
  records: { eventName: string; timeUnixNano: string; body: unknown; attributes: Record<string, unknown>; resource: Record<string, unknown>; traceId: string; spanId: string; severityNumber?: number }[];
}
interface Receiver {
  origin: string;
  record: { requests: { status: number; contentType: string | null }[]; accepted: { body: string }[]; refused: { status: number; why: string }[]; forbidden: unknown[] };
  records(): Judged['records'];
  close(): Promise<void>;
}
const conformance = () => import('../e2e/conformance/otlp.mjs') as Promise<{ startOtlpReceiver(o?: object): Promise<Receiver>; judgeLogs(body: string): Judged }>;

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

let receiver: Receiver;
let official: string;

beforeAll(async () => {
  receiver = await (await conformance()).startOtlpReceiver();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'judge', 'service.version': '1.0.0' }),
    processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: `${receiver.origin}/v1/logs` }))],
  });
  const logger = provider.getLogger('stint-judge', '0.1.0');
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    eventName: 'session.start',
    timestamp: new Date(1_700_000_000_123),
    severityNumber: 9,
    severityText: 'INFO',
    body: { plan: 'pro', count: 3, ratio: 0.25, ok: true, tags: ['a', 'b'], nested: { deep: 1 } },
    attributes: { 'session.id': 'f0e1d2c3-0000-4000-8000-000000000001', 'stint.session.index': 2, 'stint.sample_rate': 0.5, 'stint.device.touch': false, list: [1, 2] },
    context,
  });
  await provider.forceFlush();
  await provider.shutdown();
  official = receiver.record.accepted[0]?.body;
}, 30_000);

afterAll(() => receiver.close());

describe('the OTLP judge', () => {
  it("takes in what OpenTelemetry's own JS logs exporter sends, whole", () => {
    expect(receiver.record.refused).toEqual([]);
    expect(receiver.record.forbidden).toEqual([]);
    expect(receiver.record.requests.map((r) => [r.status, r.contentType])).toEqual([[200, 'application/json']]);
    const [record] = receiver.records();
    expect(record).toMatchObject({
      eventName: 'session.start',
      timeUnixNano: '1700000000123000000',
      severityNumber: 9,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      body: { plan: 'pro', count: 3, ratio: 0.25, ok: true, tags: ['a', 'b'], nested: { deep: 1 } },
      attributes: { 'session.id': 'f0e1d2c3-0000-4000-8000-000000000001', 'stint.session.index': 2, 'stint.sample_rate': 0.5, 'stint.device.touch': false, list: [1, 2] },
      resource: { 'service.name': 'judge', 'service.version': '1.0.0' },
    });
    // What the exporter chose for what we check in Stint's bodies: ids in hex, 64-bit integers as decimal strings.
    expect(official).toContain(`"traceId":"${TRACE_ID}"`);
    expect(official).toMatch(/"timeUnixNano":"1700000000123000000"/);
  });

  it.each([
    ['a trace id that is not hex', (b: string) => b.replace(TRACE_ID, 'zz' + TRACE_ID.slice(2)), /traceId: an id must be hex/],
    ['a span id one byte short', (b: string) => b.replace(SPAN_ID, SPAN_ID.slice(2)), /spanId: an id of 8 bytes is 16 hex digits/],
    ['a 64-bit integer with a fraction (a string)', (b: string) => b.replace('"1700000000123000000"', '"1700000000123000000.5"'), /timeUnixNano: a fixed64 must be an integer/],
    ['a 64-bit integer with a fraction (a number)', (b: string) => b.replace('"1700000000123000000"', '1700000000.5'), /timeUnixNano: a fixed64 must be an integer/],
    ['an intValue with a fraction', (b: string) => b.replace(/"intValue":"?3"?/, '"intValue":"3.5"'), /intValue: a int64 must be an integer/],
    ['an empty body', () => '', /not JSON/],
  ])('refuses %s, as the receiver does (400)', async (_, change, why) => {
    const { judgeLogs } = await conformance();
    const body = change(official);
    expect(body).not.toBe(official);
    expect(judgeLogs(official).refused).toEqual([]);
    expect(judgeLogs(body).refused.join('\n')).toMatch(why);
    const res = await fetch(`${receiver.origin}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(400);
  });

  it.each([
    ['a snake_case key', (b: string) => b.replace('"timeUnixNano"', '"time_unix_nano"'), /snake_case key/],
    ['an enum by its name', (b: string) => b.replace('"severityNumber":9', '"severityNumber":"SEVERITY_NUMBER_INFO"'), /enum as its name/],
    ['a key given twice', (b: string) => b.replace('"eventName":"session.start"', '"eventName":"session.start","eventName":"session.end"'), /a key given twice/],
    ['an attribute key given twice', (b: string) => b.replace('"attributes":[{"key":"session.id"', '"attributes":[{"key":"list","value":{"boolValue":true}},{"key":"session.id"'), /attribute keys given twice: list/],
    ['a field the receiver would drop', (b: string) => b.replace('"eventName"', '"event":1,"eventName"'), /not a field of LogRecord/],
  ])('catches %s, which the specification forbids', async (_, change, why) => {
    const { judgeLogs } = await conformance();
    const body = change(official);
    expect(body).not.toBe(official);
    const verdict = judgeLogs(body);
    expect(verdict.refused).toEqual([]);
    expect(verdict.forbidden.join('\n')).toMatch(why);
  });

  it('answers as the receiver routes: 415 to text/plain, 405 to a GET, a 301 for a doubled slash, 404 elsewhere', async () => {
    const post = (path: string, type: string, method = 'POST') => fetch(`${receiver.origin}${path}`, { method, headers: { 'Content-Type': type }, body: method === 'POST' ? official : undefined, redirect: 'manual' });
    expect((await post('/v1/logs', 'text/plain;charset=UTF-8')).status).toBe(415);
    expect((await post('/v1/logs', 'application/json', 'GET')).status).toBe(405);
    const redirected = await post('//v1/logs', 'application/json');
    expect([redirected.status, redirected.headers.get('location')]).toEqual([301, '/v1/logs']);
    expect((await post('/v1/logs/', 'application/json')).status).toBe(404);
    expect((await post('/v1/logs', 'application/json; charset=utf-8')).status).toBe(200);
  });
});
