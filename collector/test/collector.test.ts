/**
 * stint-collector over HTTP, on 127.0.0.1: what it answers (docs/collect-and-query.md, "What it answers") and what it
 * stores. Each test uses its own batches (fresh ids), so that the tests can share one collector.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeState } from '../../src/core/session/state';
import { state } from '../../test/helpers';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { serveCollector, startCollector } from '../src/index.mjs';
import { SCHEMA } from '../src/schema.mjs';
import { envelope, idsOf } from './batches.mjs';
import { countStored, fingerprint, post, serveTemp, tempDir, type Served } from './helpers';

let collector: Served & { db: string };
let url = '';
beforeAll(async () => {
  collector = await serveTemp({ origins: ['https://shop.example'], limit: 100_000 });
  url = `${collector.url}/collect`;
});
afterAll(() => collector.close());

describe('stores, then answers', () => {
  it('answers 204 once the batch is committed: its events are in the store, each field in its column', async () => {
    const batch = envelope({ count: 5, appId: 'shop-web' });
    const res = await post(url, batch);
    expect([res.status, res.text]).toEqual([204, '']);
    // (another connection than the writer's: it sees only what was committed)
    const rows = await collector.store.query('SELECT * FROM events WHERE batch_id = (SELECT batch_id FROM event_rows WHERE event_id = $1::UUID)', [batch.events[0][0]]);
    expect(rows.map((r) => r.event_id)).toEqual(idsOf(batch));
    expect(rows[1]).toMatchObject({
      name: 'add_to_cart',
      timestamp: new Date(batch.at + 250),
      properties: '{"sku":"A-1","price":12.5}',
      event_index: 2,
      session_id: batch.contexts[0].session.sessionId,
      device_id: batch.contexts[0].session.userId,
      page_path: '/',
      visibility: 'foreground',
      os_name: 'Linux',
      browser_name: 'Chromium',
      browser_version: '156',
      utm_source: 'news',
      session_attributes: '{"plan":"pro"}',
      app_id: 'shop-web',
      app_version: null,
    });
  });

  it('a gzipped body (Content-Encoding: gzip, compression: "gzip") is read as the plain one', async () => {
    const batch = envelope();
    const res = await post(url, gzipSync(JSON.stringify(batch)), { 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(204);
    expect(await countStored(collector.store, idsOf(batch))).toBe(20);
  });

  it("keeps the batch's appId, appVersion, sampleRate and dropped: with each event, and in batches", async () => {
    const batch = envelope({ appId: 'checkout', appVersion: '3.1.0', sampleRate: 0.25, dropped: 7 });
    expect((await post(url, batch)).status).toBe(204);
    const events = await collector.store.query('SELECT DISTINCT app_id, app_version, sample_rate, batch_id FROM events WHERE event_id = $1::UUID', [batch.events[3][0]]);
    expect(events).toMatchObject([{ app_id: 'checkout', app_version: '3.1.0', sample_rate: 0.25 }]);
    const [kept] = await collector.store.query('SELECT * FROM batches WHERE batch_id = $1', [events[0].batch_id as string]);
    expect(kept).toMatchObject({ app_id: 'checkout', app_version: '3.1.0', sample_rate: 0.25, dropped: 7, events: 20, stored: 20, sent_at: new Date(batch.sentAt) });
  });

  it('a database an older collector made, without app_version, gets the column at the start; its rows keep null', async () => {
    const { dir, remove } = tempDir();
    try {
      const db = join(dir, 'old.duckdb');
      // The tables as the collector made them before app_version (the same statements, without that column), and a
      // batch it stored.
      const old = await DuckDBInstance.create(db);
      const connection = await old.connect();
      for (const sql of SCHEMA.filter((s) => s.startsWith('CREATE TABLE'))) await connection.run(sql.replace(', "app_version" VARCHAR', ''));
      await connection.run("INSERT INTO batches VALUES (uuid(), now(), now(), 'shop-web', 1, 0, 1, 1)");
      connection.closeSync();
      old.closeSync();
      const served = await serveCollector({ port: 0, db });
      try {
        const batch = envelope({ count: 2, appVersion: '3.2.0' });
        expect((await post(`${served.url}/collect`, batch)).status).toBe(204);
        expect(await served.store.query('SELECT DISTINCT app_version FROM events')).toEqual([{ app_version: '3.2.0' }]);
        const batches = await served.store.query('SELECT app_version FROM batches ORDER BY app_version NULLS FIRST');
        expect(batches).toEqual([{ app_version: null }, { app_version: '3.2.0' }]);
      } finally {
        await served.close();
      }
    } finally {
      remove();
    }
  });
});

describe('each eventId once', () => {
  it('a batch sent twice is stored once: the second adds nothing, its dropped included', async () => {
    const batch = envelope({ dropped: 3 });
    const before = await collector.store.query('SELECT count(*) AS n, sum(dropped) AS dropped FROM batches');
    expect((await post(url, batch)).status).toBe(204);
    const once = await fingerprint(collector.store);
    expect((await post(url, batch)).status).toBe(204);
    expect(await fingerprint(collector.store)).toEqual(once);
    const after = await collector.store.query('SELECT count(*) AS n, sum(dropped) AS dropped FROM batches');
    expect([after[0].n, after[0].dropped]).toEqual([(before[0].n as number) + 1, (before[0].dropped as number) + 3]);
  });

  it('a resend packed with more events, and the same event twice in one group: each stored once, the first kept', async () => {
    const first = envelope({ count: 4 });
    const more = { ...first, events: [...first.events, ...envelope({ count: 4 }).events.slice(1)] };
    expect((await post(url, first)).status).toBe(204);
    expect((await post(url, more)).status).toBe(204);
    expect(await countStored(collector.store, idsOf(more))).toBe(7);
    const [{ stored }] = await collector.store.query('SELECT stored FROM batches b JOIN event_rows e USING (batch_id) WHERE e.event_id = $1::UUID', [more.events[5][0]]);
    expect(stored).toBe(3);
    // Two batches with the same event, in one group (handed over in the same tick), and its id in upper case.
    const twin = envelope({ count: 2 });
    const upper = { ...twin, events: twin.events.map(([id, ...rest]) => [id.toUpperCase(), 'twin', ...rest.slice(1)]) };
    const answers = await Promise.all([collector.receive(JSON.stringify(twin)), collector.receive(JSON.stringify(upper))]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect(await collector.store.query('SELECT name FROM event_rows WHERE event_id = $1::UUID', [twin.events[1][0]])).toEqual([{ name: 'add_to_cart' }]);
  });
});

describe('refuses, and stores nothing', () => {
  it('400 with a reason: not JSON, not a Stint envelope, a field the schema refuses, a context the batch lacks, a value no column holds', async () => {
    const before = await fingerprint(collector.store);
    const good = envelope({ count: 2 });
    const cases: [unknown, RegExp][] = [
      ['{"v":3,', /not JSON/],
      [[1, 2], /not a Stint envelope/],
      [{ ...good, v: 2 }, /\/v must be equal to constant/],
      [{ ...good, events: [[good.events[0][0], '', {}, 0]] }, /\/events\/0\/1 must NOT have fewer than 1 characters/],
      [{ ...good, events: [[...good.events[0].slice(0, 4), { c: 3 }]] }, /names context 3, which the batch does not have/],
      [{ ...good, dropped: 1e300 }, /dropped is out of range/],
      [{ ...good, contexts: [{ ...good.contexts[0], session: { ...good.contexts[0].session, sessionIndex: 2 ** 60 } }] }, /sessionIndex is out of range/],
      [JSON.stringify(good).replace('"sku":"A-1"', `"sku":${'['.repeat(20_000)}${']'.repeat(20_000)}`), /nests too deeply to store/],
    ];
    for (const [body, reason] of cases) {
      const res = await post(url, typeof body === 'string' ? body : JSON.stringify(body));
      expect(res.status, res.text).toBe(400);
      expect(res.text).toMatch(reason);
    }
    expect(await fingerprint(collector.store)).toEqual(before);
  });

  it('413 over the limit, as sent and as unzipped (a gzip bomb); 415 for an encoding Stint never sends', async () => {
    const before = await fingerprint(collector.store);
    const large = JSON.stringify(envelope({ count: 2 })).replace('"sku":"A-1"', `"sku":"${'x'.repeat(100_000)}"`);
    const bomb = gzipSync(' '.repeat(10_000_000));
    expect(bomb.length).toBeLessThan(100_000);
    const answers = [
      await post(url, large),
      await post(url, bomb, { 'Content-Encoding': 'gzip' }),
      await post(url, gzipSync(large), { 'Content-Encoding': 'gzip' }),
      await post(url, JSON.stringify(envelope()), { 'Content-Encoding': 'br' }),
      await post(url, 'not gzip', { 'Content-Encoding': 'gzip' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 415, 400]);
    expect(answers[1].text).toMatch(/unzips to over 100000 bytes/);
    expect(await fingerprint(collector.store)).toEqual(before);
  });

  it('503 with Retry-After when the writer is behind: past the queue bound, the batch is refused at once', async () => {
    const small = await startCollector({ db: ':memory:', maxQueue: 40 });
    try {
      // Three batches handed over in one tick: the writer has committed none of them yet.
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => small.receive(JSON.stringify(envelope()))));
      expect([a.status, b.status, c.status]).toEqual([204, 204, 503]);
      expect(Number(c.headers!['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(await small.store.query('SELECT count(*) AS n FROM event_rows')).toEqual([{ n: 40 }]);
      expect((await small.receive(JSON.stringify(envelope()))).status).toBe(204);
    } finally {
      await small.close();
    }
  });
});

/** A preflight of a gzipped batch from `origin`. */
const preflight = (at: string, origin: string) =>
  fetch(at, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-encoding' } });

/** A POST of a batch with node:http, which sends any Host header: its status, headers, and the batch's event ids. */
function postRaw(base: string, batch: ReturnType<typeof envelope>, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; ids: string[] }>((resolve, reject) => {
    const req = request(`${base}/collect`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, ids: idsOf(batch) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(batch));
  });
}

describe('origins and CORS, the serverCookie endpoint, health', () => {
  it('the origins given get Access-Control-Allow-Origin and Retry-After exposed, and a preflight', async () => {
    const mine = await post(url, envelope({ count: 1 }), { Origin: 'https://shop.example' });
    expect([mine.status, mine.headers.get('access-control-allow-origin'), mine.headers.get('access-control-expose-headers')]).toEqual([204, 'https://shop.example', 'Retry-After']);
    const allowed = await preflight(url, 'https://shop.example');
    expect([allowed.status, allowed.headers.get('access-control-allow-origin'), allowed.headers.get('access-control-allow-headers')]).toEqual([204, 'https://shop.example', 'Content-Type, Content-Encoding']);
  });

  it('an origin not given: 403 saying to start the collector with --origin <it>, nothing stored, logged once per origin', async () => {
    const logged: string[] = [];
    const strict = await serveTemp({ origins: ['https://shop.example'], log: (line) => logged.push(line) });
    try {
      const at = `${strict.url}/collect`;
      // (the same collector takes a batch from the origin given: a refusal below is the origin's alone)
      expect((await post(at, envelope({ count: 1 }), { Origin: 'https://shop.example' })).status).toBe(204);
      const before = await fingerprint(strict.store);
      const refused = [];
      for (const origin of ['https://evil.example', 'http://localhost:5173', 'https://evil.example', 'null']) {
        refused.push(await post(at, envelope({ count: 2 }), { Origin: origin }));
      }
      expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
      expect(refused[0].text).toBe(
        'the origin https://evil.example is not one this collector takes from: start the collector with --origin https://evil.example; a site that proxies /collect here needs its origin given too, or \'*\' for any\n',
      );
      expect(refused[3].text).toMatch(/start the collector with --origin '\*' \(an opaque origin, null, has no name\)/);
      // Readable by the page (so that Stint can say why), and its preflight answered, so that a gzipped batch gets it too.
      expect(refused[1].headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect((await preflight(at, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(await fingerprint(strict.store)).toEqual(before);
      expect(logged).toEqual([
        "stint-collector: refused a batch from https://evil.example (403, nothing stored): start the collector with --origin https://evil.example; a site that proxies /collect here needs its origin given too, or '*' for any",
        expect.stringMatching(/^stint-collector: refused a batch from http:\/\/localhost:5173 \(403, nothing stored\): start the collector with --origin http:\/\/localhost:5173;/),
        expect.stringMatching(/^stint-collector: refused a batch from null \(403, nothing stored\): start the collector with --origin '\*'/),
      ]);
    } finally {
      await strict.close();
    }
  });

  it("same-origin only by default: taken with no Origin (curl, a server) and from the collector's own origin (its Host); a proxy that keeps the Host too; one that does not is refused", async () => {
    const plain = await serveTemp({ log: () => {} });
    const host = new URL(plain.url).host;
    try {
      const none = await postRaw(plain.url, envelope({ count: 1 }), {});
      const own = await postRaw(plain.url, envelope({ count: 1 }), { Origin: plain.url });
      // A site's dev server that proxies /collect here: Origin is the site's; the Host its proxy passes on decides.
      const kept = await postRaw(plain.url, envelope({ count: 1 }), { Origin: 'http://localhost:5173', Host: 'localhost:5173' });
      const changed = await postRaw(plain.url, envelope({ count: 1 }), { Origin: 'http://localhost:5173', Host: host });
      expect([none, own, kept, changed].map((r) => [r.status, r.headers['access-control-allow-origin'], r.headers.vary])).toEqual([
        [204, undefined, undefined],
        [204, undefined, undefined],
        [204, undefined, undefined],
        [403, 'http://localhost:5173', 'Origin'],
      ]);
      expect(await countStored(plain.store, [none, own, kept].flatMap((r) => r.ids))).toBe(3);
    } finally {
      await plain.close();
    }
  });

  it("--origin '*' takes any origin, CORS echoing it", async () => {
    const any = await serveTemp({ origins: ['*'], log: () => {} });
    try {
      const res = await post(`${any.url}/collect`, envelope({ count: 1 }), { Origin: 'https://anywhere.example' });
      expect([res.status, res.headers.get('access-control-allow-origin'), res.headers.get('access-control-expose-headers')]).toEqual([204, 'https://anywhere.example', 'Retry-After']);
      expect((await preflight(`${any.url}/collect`, 'https://else.example')).headers.get('access-control-allow-origin')).toBe('https://else.example');
    } finally {
      await any.close();
    }
  });

  it("the serverCookie endpoint (/stint/id): POST sets the server's copy, a value that is not a session is a 400", async () => {
    const lean = encodeURIComponent(encodeState(state(), true));
    const set = await fetch(`${collector.url}/stint/id`, { method: 'POST', body: lean });
    expect(set.status).toBe(204);
    expect(set.headers.get('set-cookie')).toMatch(/^_stint_srv=2\.[^;]+; Path=\/; Max-Age=34560000; SameSite=Lax$/);
    expect((await fetch(`${collector.url}/stint/id`, { method: 'POST', body: 'nope' })).status).toBe(400);
    expect((await fetch(`${collector.url}/stint/id`, { method: 'DELETE' })).headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('GET /health says what waits and what was committed; other paths 404, other methods 405', async () => {
    const health = await fetch(`${collector.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, queued: 0, committed: expect.any(Number) });
    expect((await fetch(`${collector.url}/nothing`)).status).toBe(404);
    const get = await fetch(url);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
  });
});
