import { sentence } from '../src/door/messages';
import { describe, expect, it, vi } from 'vitest';
import { resolveConfig as resolve, type Names } from '../src/shell/config';
import { NPM, tagNames } from '../src/door/loaders';
import { nativeFormat } from '../src/core/formats/native';
import { snowplow } from '../src/snowplow';
import { googleConsentMode } from '../src/consent-mode';
import { tcf } from '../src/tcf';
import { otlp } from '../src/otlp';
import { tracardi } from '../src/tracardi';
import type { StintConfig, TagConfig } from '../src/ground/types';

const ok = { collector: '/collect', appId: 'shop' };
/** Where a script tag runs from (its consent parts load beside it: src/door/parts.ts). */
const WHERE = { base: 'https://shop.example/js/stint.js', nonce: '', scriptUrl: (url: string) => url };
/** As an npm app resolves its config (a script tag: `tagNames`). */
const resolveConfig = (config: StintConfig | TagConfig, names: Names = NPM) => resolve(config, names);

describe('resolveConfig', () => {
  it('fills in the defaults the README documents', () => {
    expect(resolveConfig(ok)).toMatchObject({
      collector: '/collect',
      appId: 'shop',
      appVersion: null,
      foregroundTimeout: 30 * 60_000,
      backgroundTimeout: 30 * 60_000,
      consent: 'granted',
      signal: null,
      format: nativeFormat,
      lifecycleEvents: true,
      installType: 'auto',
      autoPageViews: false,
      compression: 'none',
      newSessionOnCampaign: false,
      crossDomain: [],
      serverCookie: '',
      engagement: false,
      debug: false,
    });
  });

  it('drops a trailing slash of the collector', () => {
    expect(resolveConfig({ ...ok, collector: 'https://c.example.com/e/' }).collector).toBe('https://c.example.com/e');
  });

  it.each([
    ['collector', { appId: 'x' }],
    ['collector', { collector: '', appId: 'x' }],
    ['collector', { collector: 5, appId: 'x' }],
    ['appId', { collector: '/c' }],
    ['appId', { collector: '/c', appId: '  ' }],
    ['foregroundTimeout', { ...ok, foregroundTimeout: 0 }],
    ['foregroundTimeout', { ...ok, foregroundTimeout: -1 }],
    ['backgroundTimeout', { ...ok, backgroundTimeout: '30' }],
    ['backgroundTimeout', { ...ok, backgroundTimeout: NaN }],
    ['backgroundTimeout', { ...ok, backgroundTimeout: Infinity }],
    ['maxSessionDuration', { ...ok, maxSessionDuration: -1 }],
    ['consent', { ...ok, consent: 'yes' }],
    ['onDenied', { ...ok, onDenied: 'ignore' }],
    ['format', { ...ok, format: 'json' }],
    ['installType', { ...ok, installType: 'new' }],
    ['store', { ...ok, store: { get() {} } }],
    ['cookie.sameSite', { ...ok, cookie: { sameSite: 'lax' } }],
    ['cookie.name', { ...ok, cookie: { name: 'a;b' } }],
    ['cookie.maxAgeDays', { ...ok, cookie: { maxAgeDays: 0 } }],
    ['autoPageViews', { ...ok, autoPageViews: true }],
    ['autoPageViews', { ...ok, autoPageViews: 'hash' }],
    ['activity', { ...ok, activity: 'scroll' }],
    ['activity', { ...ok, activity: true }],
    ['sampleRate', { ...ok, sampleRate: 1.5 }],
    ['sampleRate', { ...ok, sampleRate: -0.1 }],
    ['sampleRate', { ...ok, sampleRate: NaN }],
    ['sampleRate', { ...ok, sampleRate: '0.5' }],
    ['compression', { ...ok, compression: true }],
    ['compression', { ...ok, compression: 'br' }],
    ['crossDomain', { ...ok, crossDomain: 'shop.example' }],
    ['crossDomain', { ...ok, crossDomain: ['https://shop.example/'] }],
    ['crossDomain', { ...ok, crossDomain: [5] }],
    ['serverCookie', { ...ok, serverCookie: 'https://id.example/stint' }],
    ['serverCookie', { ...ok, serverCookie: '//id.example/stint' }],
    ['serverCookie', { ...ok, serverCookie: 'stint/id' }],
    ['serverCookie', { ...ok, serverCookie: '/stint/ id' }],
    ['serverCookie', { ...ok, serverCookie: true }],
    ['engagement', { ...ok, engagement: 'yes' }],
    ['engagement', { ...ok, engagement: { idle: 999 } }],
    ['engagement', { ...ok, engagement: { idle: Infinity } }],
    ['engagement', { ...ok, engagement: { idle: '5000' } }],
    ['engagement', { ...ok, engagement: null }],
  ])('a wrong %s is a TypeError that names it', (field, config) => {
    expect(() => resolveConfig(config as StintConfig)).toThrow(TypeError);
    expect(() => resolveConfig(config as StintConfig)).toThrow(field);
  });

  it.each([false, 'history', 'history+hash'] as const)('autoPageViews %s is accepted', (autoPageViews) => {
    expect(resolveConfig({ ...ok, autoPageViews }).autoPageViews).toBe(autoPageViews);
  });

  it('a misspelt option: one warning, whose sentence names the nearest option, and the rest of the config applies', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cases: [string, string][] = [['sampelRate', 'sampleRate'], ['colector', 'collector'], ['appid', 'appId'], ['foregroundTimout', 'foregroundTimeout'], ['cookies', 'cookie'], ['autoPageView', 'autoPageViews']];
    for (const [typo, near] of cases) {
      warn.mockClear();
      const config = resolveConfig({ ...ok, sampleRate: 0.5, [typo]: 1 } as never);
      expect(config.sampleRate).toBe(0.5);
      expect(warn.mock.calls.map((c) => c.join(' '))).toEqual([`[stint] config.${typo} (#15: debug: true or node_modules/stint/docs/messages.md#15)`]);
      // (the nearest option is named by the sentence: debug: true)
      expect(sentence(15, `config.${typo}`)).toBe(`is not an option: ignored (the nearest is ${near})`);
      expect(typo in config).toBe(false);
    }
    warn.mockClear();
    resolveConfig({ ...ok, appVersion: '1', debug: false, cookie: { name: 'x' } });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("the page's own consent signal that throws when started, or whose stop throws: one warning, consent pending, nothing thrown", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const throwing = resolveConfig({ ...ok, consent: () => { throw new Error('CMP not there'); } });
    expect(throwing.consent).toBe('pending');
    let stop = () => {};
    expect(() => (stop = throwing.signal!(() => {}))).not.toThrow();
    expect(() => stop()).not.toThrow();
    expect(warn.mock.calls.map((c) => c.join(' '))).toEqual(['[stint] config.consent (CMP not there) (#5: debug: true or node_modules/stint/docs/messages.md#5)']);
    expect(sentence(5, 'config.consent')).toBe('threw when started: consent stays pending');
    for (const made of [() => { throw new Error('stop'); }, undefined]) {
      const signal = resolveConfig({ ...ok, consent: (() => made) as never }).signal!;
      expect(() => signal(() => {})()).not.toThrow();
    }
    warn.mockRestore();
  });

  it.each([
    [true, { idle: 5000 }],
    [{}, { idle: 5000 }],
    [{ idle: 1000 }, { idle: 1000 }],
    [{ idle: 30 * 60_000 }, { idle: 30 * 60_000 }],
    [false, false],
  ] as const)('engagement %j is %j (true: the default idle, 5 s)', (engagement, resolved) => {
    expect(resolveConfig({ ...ok, engagement }).engagement).toEqual(resolved);
  });

  it("serverCookie: a path on the site's own origin", () => {
    expect(resolveConfig({ ...ok, serverCookie: '/stint/id' }).serverCookie).toBe('/stint/id');
  });

  it('crossDomain: a list of host names', () => {
    expect(resolveConfig({ ...ok, crossDomain: ['shop.example', 'pay-eu.example.com'] }).crossDomain).toEqual(['shop.example', 'pay-eu.example.com']);
  });

  it.each(['none', 'gzip'] as const)('compression %s is accepted', (compression) => {
    expect(resolveConfig({ ...ok, compression }).compression).toBe(compression);
  });

  it('a pipeline format is passed by the npm app, named by the script tag; the same for the consent signals', () => {
    const format = snowplow({ postPath: '/p/tp2' });
    expect(resolveConfig({ ...ok, format }).format).toBe(format);
    // (the error names the field and its code; with debug: true its sentence says what to import)
    for (const [field, name, says] of [
      ['format', 'snowplow', "import snowplow from its entry, 'stint/snowplow', then format: snowplow()"],
      ['format', 'tracardi', "import tracardi from its entry, 'stint/tracardi'"],
      ['format', 'otlp', "import otlp from its entry, 'stint/otlp', then format: otlp()"],
      ['consent', 'tcf', "import tcf from its entry, 'stint/tcf', then consent: tcf()"],
      ['consent', 'gpp', "import gpp from its entry, 'stint/gpp', then consent: gpp()"],
      ['consent', 'google', "import googleConsentMode from its entry, 'stint/consent-mode', then consent: googleConsentMode()"],
    ]) {
      expect(() => resolveConfig({ ...ok, [field]: name })).toThrow(`[stint] config.${field} '${name}' (#4: debug: true or node_modules/stint/docs/messages.md#4)`);
      expect(sentence(4, `config.${field} '${name}'`)).toContain(says);
    }
    expect(resolveConfig({ ...ok, format: 'snowplow', snowplow: { postPath: '/p/tp2' } }, tagNames({ snowplow }, WHERE)).format.path).toBe('/p/tp2');
    expect(resolveConfig({ ...ok, format: 'tracardi', tracardi: { sourceId: 'src' } }, tagNames({ tracardi }, WHERE)).format.path).toBe('/track');
    expect(() => resolveConfig({ ...ok, format: 'tracardi' }, tagNames({ tracardi }, WHERE))).toThrow('tracardi.sourceId');
    expect(resolveConfig({ ...ok, format: 'otlp', otlp: { logsPath: '/otel/v1/logs' } }, tagNames({ otlp }, WHERE)).format.path).toBe('/otel/v1/logs');
    expect(() => snowplow({ postPath: 'no-slash' })).toThrow('snowplow.postPath');
    expect(resolveConfig({ ...ok, consent: 'tcf' }, tagNames({ native: () => nativeFormat }, WHERE))).toMatchObject({ consent: 'pending', signal: expect.any(Function) });
    expect(resolveConfig({ ...ok, consent: 'gpp' }, tagNames({ native: () => nativeFormat }, WHERE))).toMatchObject({ consent: 'pending', signal: expect.any(Function) });
    expect(resolveConfig({ ...ok, consent: 'google' }, tagNames({ native: () => nativeFormat }, WHERE))).toMatchObject({ consent: 'pending', signal: expect.any(Function) });
    expect(resolveConfig({ ...ok, consent: googleConsentMode() })).toMatchObject({ consent: 'pending', signal: expect.any(Function) });
    expect(() => resolveConfig({ ...ok, consent: 'constructor' as never }, tagNames({ native: () => nativeFormat }, WHERE))).toThrow('config.consent');
  });

  it('each script tag carries one format: its own when none is named; asked for another, it names the script that carries it', () => {
    expect(resolveConfig(ok, tagNames({ otlp }, WHERE)).format.path).toBe('/v1/logs');
    expect(resolveConfig(ok, tagNames({ native: () => nativeFormat }, WHERE)).format).toBe(nativeFormat);
    expect(() => resolveConfig({ ...ok, format: 'tracardi', tracardi: { sourceId: 'src' } }, tagNames({ snowplow }, WHERE))).toThrow("config.format 'tracardi' needs stint.tracardi.js (#3:");
    expect(sentence(3, "config.format 'tracardi' needs stint.tracardi.js")).toBe("instead of this script: each script carries one pipeline's format");
    expect(() => resolveConfig({ ...ok, format: 'otlp' }, tagNames({ native: () => nativeFormat }, WHERE))).toThrow("config.format 'otlp' needs stint.otlp.js (#3:");
    expect(() => resolveConfig({ ...ok, format: 'native' }, tagNames({ otlp }, WHERE))).toThrow("config.format 'native' needs stint.js (#3:");
  });

  it('no config at all', () => {
    expect(() => resolveConfig(undefined as unknown as StintConfig)).toThrow(TypeError);
  });
});
