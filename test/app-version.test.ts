/**
 * `appVersion` in every format (issue 56): where the config sets one, each format says it where its pipeline reads an
 * app's version (the envelope's `appVersion`, Snowplow's `application` context, Tracardi's `context.app.version`,
 * OTLP's resource `service.version`); where it is null, none says anything of it. The bodies are real (the core's
 * entries, test/core/harness.ts, packed as the sender packs them), and judged by the rules their receivers apply:
 * the envelope's schema, and the conformance servers of e2e/conformance (Snowplow's Iglu validation of every entity,
 * Tracardi's pydantic models, the OTLP receiver's reading).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from '../src/core/send/batch';
import type { Entry } from '../src/core/event';
import type { Batch, Format } from '../src/core/formats/format';
import { nativeFormat } from '../src/core/formats/native';
import { otlpFormat } from '../src/core/formats/otlp';
import { snowplowFormat } from '../src/core/formats/snowplow';
import { tracardiFormat } from '../src/core/formats/tracardi';
import { track } from '../src/core/step';
import { boot } from './core/harness';

type Json = any;
interface Server {
  origin: string;
  record: { good?: Json[]; bad?: Json[]; stored?: Json[]; refused?: Json[] };
  close(): Promise<void>;
}
const { judgeLogs } = (await import('../e2e/conformance/otlp.mjs')) as unknown as {
  judgeLogs(body: string): { refused: string[]; forbidden: string[]; records: { resource: Json }[] };
};
const { startSnowplowPipeline } = (await import('../e2e/conformance/snowplow.mjs')) as unknown as {
  startSnowplowPipeline(): Promise<Server>;
};
const { startTracardiApi } = (await import('../e2e/conformance/tracardi.mjs')) as unknown as {
  startTracardiApi(o: { sources: string[] }): Promise<Server>;
};

const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const ajv = new Ajv({ strict: false });
addFormats(ajv);
const envelope = ajv.compile(JSON.parse(readFileSync(new URL('../schemas/envelope.json', import.meta.url), 'utf8')));

let snowplow: Server;
let tracardi: Server;
beforeAll(async () => {
  [snowplow, tracardi] = await Promise.all([startSnowplowPipeline(), startTracardiApi({ sources: ['src'] })]);
});
afterAll(() => Promise.all([snowplow.close(), tracardi.close()]));

/** A visit's entries: its start, application_initialized, a signup. */
function entries(): Entry[] {
  const t = boot({ at: T0 });
  t.open(T0);
  t.send(track, T0 + 1000, 'signup', '{"method":"email"}');
  return t.effects.flatMap((e) => (e[0] === 'enqueue' ? [e[1]] : []));
}

/** The one body of the visit in `format`, with the batch's `appVersion`. */
function bodyOf(format: Format, appVersion: string | null): string {
  const list = entries();
  const batch: Batch = { dropped: 0, sentAt: T0 + 2000, profile: null, sampleRate: 1, appVersion };
  const { entries: packed, body } = pack(list, format, batch);
  expect(packed).toHaveLength(list.length);
  return body;
}

const post = (url: string, body: string, type: string) => fetch(url, { method: 'POST', body, headers: { 'Content-Type': type } });

/**
 * Each format: where it says the version, once per event (an array) or once per request, as its receiver read the
 * body (which it must take whole: nothing refused, no bad row).
 */
const FORMATS: [name: string, format: Format, said: (body: string) => Promise<unknown>][] = [
  [
    'native',
    nativeFormat,
    async (body) => {
      const batch = JSON.parse(body);
      expect(envelope(batch), JSON.stringify(envelope.errors)).toBe(true);
      return batch.appVersion;
    },
  ],
  [
    'snowplow',
    snowplowFormat(),
    async (body) => {
      const before = snowplow.record.good!.length;
      await post(`${snowplow.origin}/com.snowplowanalytics.snowplow/tp2`, body, 'application/json; charset=UTF-8');
      expect(snowplow.record.bad, 'bad rows').toEqual([]);
      const good = snowplow.record.good!.slice(before);
      expect(good).toHaveLength(3);
      return good.map((e) => e.contexts.find((c: Json) => c.schema.includes('/application/'))?.data);
    },
  ],
  [
    'tracardi',
    tracardiFormat({ sourceId: 'src' }),
    async (body) => {
      expect((await post(`${tracardi.origin}/track`, body, 'application/json')).status).toBe(200);
      expect(tracardi.record.refused).toEqual([]);
      return tracardi.record.stored!.at(-1).payload.context.app;
    },
  ],
  [
    'otlp',
    otlpFormat({ logsPath: '/v1/logs', resource: {} }),
    async (body) => {
      const { refused, forbidden, records } = judgeLogs(body);
      expect([refused, forbidden]).toEqual([[], []]);
      return records.map((r) => r.resource['service.version']);
    },
  ],
];

const SET: Record<string, unknown> = {
  native: '2.3.0',
  snowplow: [{ version: '2.3.0' }, { version: '2.3.0' }, { version: '2.3.0' }],
  tracardi: { version: '2.3.0' },
  otlp: ['2.3.0', '2.3.0', '2.3.0'],
};
const NONE: Record<string, unknown> = {
  native: undefined,
  snowplow: [undefined, undefined, undefined],
  tracardi: undefined,
  otlp: [undefined, undefined, undefined],
};

describe('appVersion in every format', () => {
  it.each(FORMATS)('%s: said where the config sets one, taken by its receiver', async (name, format, said) => {
    expect(await said(bodyOf(format, '2.3.0'))).toEqual(SET[name]);
  });

  it.each(FORMATS)('%s: nothing of it where appVersion is null', async (name, format, said) => {
    const body = bodyOf(format, null);
    expect(await said(body)).toEqual(NONE[name]);
    // (no key of it, not even an empty one)
    expect(body).not.toMatch(/appVersion|application\/jsonschema|"app":\{"version|service\.version/);
  });

  it("snowplow: a version past the application schema's 255 characters is cut, never a bad row", async () => {
    const [, format, said] = FORMATS[1];
    expect(await said(bodyOf(format, 'v'.repeat(300)))).toEqual(Array(3).fill({ version: 'v'.repeat(255) }));
  });
});
