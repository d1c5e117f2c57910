/**
 * The reference handlers of the `serverCookie` endpoint (src/session/server-cookie.ts, exported by `stint/collector`): Node's
 * `http` on a real server, Express-style middleware given a body its parser read, the Fetch API with its own Request.
 * Their answers are test/core/headers.test.ts's (`copyAnswer`); here, that each runtime carries them out.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverCookieFetch, serverCookieHandler } from '../src/collector';
import { encodeState } from '../src/core/session/state';
import { state } from './helpers';

const lean = encodeURIComponent(encodeState(state({ businessUserId: 'alice@example.com' }), true));

describe("Node's http", () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer(serverCookieHandler({ domain: 'example.com' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/stint/id`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('POST of the lean value: 204 and the cookie, Secure when a proxy says the request came over https', async () => {
    const res = await fetch(url, { method: 'POST', body: lean, headers: { 'X-Forwarded-Proto': 'https' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^_stint_srv=2\.[^;]+; Path=\/; Max-Age=34560000; SameSite=Lax; Domain=example.com; Secure$/);
    expect((await fetch(url, { method: 'POST', body: lean })).headers.get('set-cookie')).not.toContain('Secure');
  });

  it('a malformed value: 400 and nothing set; a body too long is not read to its end', async () => {
    for (const body of ['not-a-session', '2.%E0%A4%A', lean + 'x'.repeat(10_000)]) {
      const res = await fetch(url, { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('DELETE: the cookie expired; another method: 405', async () => {
    expect((await fetch(url, { method: 'DELETE' })).headers.get('set-cookie')).toBe('_stint_srv=; Path=/; Max-Age=0; SameSite=Lax; Domain=example.com');
    const get = await fetch(url);
    expect([get.status, get.headers.get('allow'), get.headers.get('set-cookie')]).toEqual([405, 'POST, DELETE', null]);
  });
});

describe('Express-style middleware', () => {
  /** A response as Express gives it: what was written is recorded. */
  const response = () => {
    const written: { status?: number; headers?: Record<string, string>; ended: boolean } = { ended: false };
    return { written, res: { writeHead: (status: number, headers: Record<string, string>) => Object.assign(written, { status, headers }), end: () => (written.ended = true) } };
  };

  it('a body its parser read as text (express.text()) or raw (express.raw()) is taken as it is', () => {
    for (const body of [lean, new TextEncoder().encode(lean)]) {
      const { written, res } = response();
      serverCookieHandler()({ method: 'POST', headers: {}, body, readableEnded: true, on: () => {} }, res);
      expect(written.status).toBe(204);
      expect(written.headers!['Set-Cookie']).toMatch(/^_stint_srv=2\./);
      expect(written.ended).toBe(true);
    }
  });

  it('a body a JSON parser left as {} with the stream read: 400, at once (no wait for a stream that will not end)', () => {
    const { written, res } = response();
    serverCookieHandler()({ method: 'POST', headers: {}, body: {}, readableEnded: true, on: () => {} }, res);
    expect([written.status, written.headers!['Set-Cookie'], written.ended]).toEqual([400, undefined, true]);
  });
});

describe('the Fetch API', () => {
  const handle = serverCookieFetch();
  it('POST: 204 and the cookie (Secure over https); a malformed value: 400; DELETE: expired', async () => {
    const set = await handle(new Request('https://shop.example/stint/id', { method: 'POST', body: lean }));
    expect(set.status).toBe(204);
    expect(set.headers.get('set-cookie')).toMatch(/^_stint_srv=2\.[^;]+; Path=\/; Max-Age=34560000; SameSite=Lax; Secure$/);
    const bad = await handle(new Request('https://shop.example/stint/id', { method: 'POST', body: '2.{"u":1}' }));
    expect([bad.status, bad.headers.get('set-cookie')]).toEqual([400, null]);
    const gone = await handle(new Request('http://shop.example/stint/id', { method: 'DELETE' }));
    expect([gone.status, gone.headers.get('set-cookie')]).toEqual([204, '_stint_srv=; Path=/; Max-Age=0; SameSite=Lax']);
  });

  it('a body longer than a session: 400 (one that says so in Content-Length is not read)', async () => {
    const long = await handle(new Request('https://shop.example/stint/id', { method: 'POST', body: lean + 'x'.repeat(10_000) }));
    expect(long.status).toBe(400);
  });
});
