/**
 * The demo server's event stream (GET /api/stream), which the live timeline follows: the backlog, then
 * each change as it happens, a reconnection that resumes where it left off, and no listener left behind
 * when a client goes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeErrors } from '../demo/collector.mjs';
import { startServer } from '../demo/server.mjs';
import { entryOf } from '../src/core/event';
import type { Batch } from '../src/core/formats/format';
import { nativeFormat } from '../src/core/formats/native';
import { eventId, state } from './helpers';

type Server = Awaited<ReturnType<typeof startServer>>;
interface Message {
  event: string;
  data: any;
  id?: string;
}

const DEVICE =
  '"device":{"screenResolution":"1280x800","colorDepth":24,"orientation":"landscape","touch":false},"app":{"type":"browser","language":"en","bot":false},' +
  '"userAgent":{"original":"Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36","brands":null,"platform":null,"platformVersion":null}';
const page = { url: 'https://shop.example/', path: '/', referrer: null, title: 'Shop', viewId: '11111111-1111-4111-8111-111111111111' };

/** A native batch of `count` events, as Stint sends it. */
function batch(first: number, count: number): string {
  const events = Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const raw = { id: eventId(n), name: `e${n}`, at: 1_700_000_000_000 + n, props: '{}', page: { page, pageJson: JSON.stringify(page), utm: null, href: page.url }, pageHidden: false };
    return entryOf(raw, state({ eventIndex: n }), { mechanism: 'COOKIE_1', anonymous: false, device: DEVICE, timeZone: null, offset: 0, tabId: '0a1b2c3d' }, 'shop', null).entry;
  });
  const sent: Batch = { dropped: 0, sentAt: Date.now(), profile: null, sampleRate: 1 };
  return nativeFormat.body(events.map((e) => nativeFormat.item(e, sent)), events, sent);
}

/** Reads Server-Sent Events from a response until `until` says stop (bounded by a deadline). */
async function read(reader: ReadableStreamDefaultReader<Uint8Array>, until: (m: Message) => boolean, buffer = { text: '' }): Promise<Message[]> {
  const messages: Message[] = [];
  const decoder = new TextDecoder();
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    let end: number;
    while ((end = buffer.text.indexOf('\n\n')) >= 0) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      if (!fields.event) continue;
      const message = { event: fields.event, data: JSON.parse(fields.data), id: fields.id };
      messages.push(message);
      if (until(message)) return messages;
    }
    const { value, done } = await reader.read();
    if (done) break;
    buffer.text += decoder.decode(value, { stream: true });
  }
  throw new Error(`stream ended or timed out after ${messages.map((m) => m.event).join(', ')}`);
}

describe('GET /api/stream', () => {
  let server: Server;
  beforeEach(async () => {
    server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-stream-')) });
  });
  afterEach(() => server.close());

  it('the batches are valid (or the stream would carry nothing)', () => {
    expect(nativeErrors(JSON.parse(batch(1, 2))).errors).toEqual([]);
  });

  it('sends the backlog, then each change, and stops listening when the client goes', async () => {
    expect(server.collector.receive('s', 'native', batch(1, 2))[0]).toBe(200);
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/stream?run=s`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const backlog = await read(reader, (m) => m.event === 'ready');
    expect(backlog.map((m) => [m.event, m.id])).toEqual([
      ['stint', '1'],
      ['stint', '2'],
      ['request', undefined],
      ['fault', undefined],
      ['ready', undefined],
    ]);
    expect(backlog[0].data).toMatchObject({ eventId: eventId(1), name: 'e1' });
    expect(server.collector.subscribers('s')).toBe(1);

    server.collector.fault('s', { status: 503, ms: 60_000 });
    server.collector.receive('s', 'native', batch(3, 1));
    server.collector.heal('s');
    server.collector.receive('s', 'native', batch(3, 1));
    const live = await read(reader, (m) => m.event === 'request' && m.data.status === 200);
    expect(live.map((m) => [m.event, m.data?.status ?? m.data?.eventId ?? m.data])).toEqual([
      ['fault', 503],
      ['fault', 503],
      ['request', 503],
      ['fault', null],
      ['stint', eventId(3)],
      ['request', 200],
    ]);
    expect(live.at(-2)!.id).toBe('3');

    abort.abort();
    for (let i = 0; i < 100 && server.collector.subscribers('s') > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.collector.subscribers('s')).toBe(0);
  });

  it('a client that reconnects with Last-Event-ID gets only what it missed', async () => {
    server.collector.receive('s', 'native', batch(1, 3));
    const res = await fetch(`${server.url}/api/stream?run=s`, { headers: { 'Last-Event-ID': '2' } });
    const backlog = await read(res.body!.getReader(), (m) => m.event === 'ready');
    expect(backlog.filter((m) => m.event === 'stint').map((m) => m.id)).toEqual(['3']);
  });

  it('closing the server ends the open streams', async () => {
    const res = await fetch(`${server.url}/api/stream?run=s`);
    await read(res.body!.getReader(), (m) => m.event === 'ready');
    const closed = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 3000))]);
    expect(closed).toBe('closed');
  });
});
