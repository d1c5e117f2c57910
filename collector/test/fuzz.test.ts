/**
 * Whatever a body holds, the collector answers it with a decision, never a failure of its own: a bad body (random
 * bytes, JSON that is not an envelope, an envelope with a broken field) is a 400 that leaves the store exactly as it
 * was; a good one, whatever its strings hold, is a 204. Property-based (fast-check), seeded: test/seed.ts.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandEnvelope } from '../../src/collector';
import { fuzzSeed } from '../../test/seed';
import { envelope, idsOf } from './batches.mjs';
import { fingerprint, post, serveTemp, type Served } from './helpers';

let collector: Served & { db: string };
let url = '';
beforeAll(async () => {
  collector = await serveTemp();
  url = `${collector.url}/collect`;
});
afterAll(() => collector.close());

/**
 * The oracle: a Stint envelope is what the schema (schemas/envelope.json) and the package's decoder both take, and the
 * collector stores it when its whole numbers are exact in JavaScript and its times are times (its 400s besides).
 */
const ajv = new Ajv({ strict: false });
addFormats(ajv);
const schema = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/envelope.json', import.meta.url), 'utf8')));
function isStored(value: Record<string, any>): boolean {
  if (!schema(value)) return false;
  try {
    const events = expandEnvelope(value);
    const counts = [value.dropped, ...events.flatMap((e) => [e.session.sessionIndex, e.session.eventIndex, e.context.device.colorDepth])];
    const times = [value.sentAt, ...events.map((e) => e.session.firstEventTimestamp)];
    return counts.every((n) => n === null || Number.isSafeInteger(n)) && times.every((t) => t === null || !Number.isNaN(Date.parse(t)));
  } catch {
    return false;
  }
}

/** A string as the browser's UTF-8 encoding makes it: half a surrogate pair becomes U+FFFD. */
const wellFormed = (text: string) => (text as unknown as { toWellFormed(): string }).toWellFormed();

/** A good envelope with fixed ids (a run replays exactly): two contexts, the second event in the second. */
function base(): Record<string, any> {
  const batch: Record<string, any> = envelope({ count: 4, dropped: 1 });
  const id = (n: number) => `0a1b2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`;
  batch.events = batch.events.map((e: unknown[], i: number) => [id(i + 1), ...e.slice(1)]);
  batch.events[1] = [...batch.events[1], { c: 1 }];
  batch.contexts = [0, 1].map((n) => {
    const shared = structuredClone(batch.contexts[0]);
    Object.assign(shared.session, { userId: id(100), sessionId: id(200 + n), firstEventId: null, firstEventTimestamp: null });
    shared.context.page.viewId = id(300 + n);
    return shared;
  });
  return batch;
}

/** Every path of a value's nodes (objects and arrays), with the keys that lead to it. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (!value || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...at, key]))];
}
const PATHS = paths(base()).filter((p) => p.length > 0);

/** One change to a good envelope: a node replaced by any JSON value, removed, or given a key it does not have. */
const broken = fc
  .tuple(fc.constantFrom(...PATHS), fc.constantFrom('replace', 'remove', 'add'), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 8 }))
  .map(([path, how, value, key]) => {
    const batch = base();
    const parent = path.slice(0, -1).reduce((node: any, k) => node[k], batch);
    const last = path[path.length - 1];
    if (how === 'replace') parent[last] = value;
    else if (how === 'remove') Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last];
    else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) parent[last][`x${key}`] = value;
    else parent[last] = [parent[last], value];
    return JSON.stringify(batch);
  });

const bodies = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'), weight: 1 },
  { arbitrary: broken, weight: 4 },
);

/**
 * A JSON text of properties as an app might send them, numbers written any way JSON allows: past 2^53, past a double's
 * range either way, more digits than a double holds, -0, exponents, trailing zeros, and plain ones; nested. (Its keys
 * are unique and not array indices, so that its text is one a JSON.parse and JSON.stringify would keep, numbers aside.)
 */
const NUMBERS = ['9007199254740993', '-9007199254740993', '123456789012345678901234567890', '1e400', '-1E+400', '1e-400', '-0', '-0.0',
  '0.1000000000000000055511151231257827', '1.50', '1E2', '0.0000001', '0.000001', '12.5', '0', '-3', '123456789012345'];
const number = fc.oneof(fc.constantFrom(...NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)), fc.bigInt().map(String));
const { json } = fc.letrec<{ json: string; object: string }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    number,
    fc.string({ maxLength: 6 }).map((t) => JSON.stringify(t)),
    fc.array(tie('json'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    tie('object'),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.string({ maxLength: 4 }).map((k) => `k${k}`), tie('json')), { maxLength: 3, selector: ([k]) => k })
    .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
}));
const propertiesText = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }).map((k) => `k${k}`), json), { maxLength: 4, selector: ([k]) => k })
  .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

describe('the fuzz', () => {
  it('every bad body answers 400 and leaves the store as it was; what the schema takes is stored (204), never a 500', async () => {
    const seed = fuzzSeed('collector: bad bodies');
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const good = typeof body === 'string' && (() => { try { return isStored(JSON.parse(body)); } catch { return false; } })();
        const before = await fingerprint(collector.store);
        const res = await post(url, body);
        if (good) {
          expect(res.status, res.text).toBe(204);
          return;
        }
        refused++;
        expect(res.status, res.text).toBe(400);
        expect(res.text).not.toBe('');
        expect(await fingerprint(collector.store)).toEqual(before);
      }),
      { seed, numRuns: 250 },
    );
    expect(refused).toBeGreaterThan(150);
  }, 60_000);

  it('properties are stored as sent: each number as written (past 2^53, 1e400, nested, any form JSON allows), in SQL too', async () => {
    const seed = fuzzSeed('collector: numbers as sent');
    let atRisk = 0;
    await fc.assert(
      fc.asyncProperty(propertiesText, propertiesText, async (first, second) => {
        const batch = envelope({ count: 2 });
        const body = JSON.stringify(batch).replace('{}', () => first).replace('{"sku":"A-1","price":12.5}', () => second);
        const res = await post(url, body);
        expect(res.status, res.text).toBe(204);
        const rows = await collector.store.query('SELECT properties::VARCHAR AS p FROM event_rows WHERE event_id IN ($1::UUID, $2::UUID) ORDER BY event_index', idsOf(batch));
        expect(rows.map((r) => r.p)).toEqual([first, second]);
        if ([first, second].some((text) => JSON.stringify(JSON.parse(text)) !== text)) atRisk++;
      }),
      { seed, numRuns: 50 },
    );
    // (many runs sent numbers that JSON.parse and JSON.stringify would change)
    expect(atRisk).toBeGreaterThan(15);
    // In SQL, as sent: nested, and read as the number it is.
    const batch = envelope({ count: 2 });
    const sent = '{"id":9007199254740993,"huge":1e400,"n":{"deep":[1,{"id":-9007199254740993}]}}';
    expect((await post(url, JSON.stringify(batch).replace('{}', () => sent))).status).toBe(204);
    const [row] = await collector.store.query(
      `SELECT properties->>'id' AS id, (properties->>'id')::HUGEINT = 9007199254740993 AS exact, properties->>'huge' AS huge,
        properties->'n'->'deep'->1->>'id' AS deep FROM events WHERE event_id = $1::UUID`,
      [batch.events[0][0]],
    );
    expect(row).toEqual({ id: '9007199254740993', exact: true, huge: '1e400', deep: '-9007199254740993' });
  }, 60_000);

  it('strings of any code points (half an emoji, NUL, any key) are stored, as the browser would send them: well-formed', async () => {
    const seed = fuzzSeed('collector: any strings');
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(text, text, text, fc.dictionary(text, text, { maxKeys: 3 }), async (name, title, user, properties) => {
        const batch = envelope({ count: 1, appId: `app ${title}` });
        batch.events[0] = [batch.events[0][0], `e ${name}`, properties, 0, { i: 1 }];
        batch.contexts[0].context.page.title = title;
        batch.contexts[0].user.id = user;
        const res = await post(url, batch);
        expect(res.status, res.text).toBe(204);
        const [row] = await collector.store.query('SELECT name, properties, page_title, user_id, app_id FROM events WHERE event_id = $1::UUID', [batch.events[0][0]]);
        const sent = Object.fromEntries(Object.entries(properties).map(([k, v]) => [wellFormed(k), wellFormed(v)]));
        expect({ ...row, properties: JSON.parse(row.properties as string) }).toEqual({
          name: wellFormed(`e ${name}`),
          properties: sent,
          page_title: wellFormed(title),
          user_id: wellFormed(user),
          app_id: wellFormed(`app ${title}`),
        });
      }),
      { seed, numRuns: 60 },
    );
  }, 60_000);
});
