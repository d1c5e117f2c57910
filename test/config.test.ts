import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config';
import { nativeFormat } from '../src/core/formats/native';
import { snowplow } from '../src/snowplow';
import { googleConsentMode } from '../src/consent-mode';
import { tcf } from '../src/tcf';
import { tracardi } from '../src/tracardi';
import type { StintConfig } from '../src/types';

const ok: StintConfig = { collector: '/collect', appId: 'shop' };

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
  ])('a wrong %s is a TypeError that names it', (field, config) => {
    expect(() => resolveConfig(config as StintConfig)).toThrow(TypeError);
    expect(() => resolveConfig(config as StintConfig)).toThrow(field);
  });

  it.each([false, 'history', 'history+hash'] as const)('autoPageViews %s is accepted', (autoPageViews) => {
    expect(resolveConfig({ ...ok, autoPageViews }).autoPageViews).toBe(autoPageViews);
  });

  it('a pipeline format is passed by the npm app, named by the script tag; the same for the consent signals', () => {
    const format = snowplow({ postPath: '/p/tp2' });
    expect(resolveConfig({ ...ok, format }).format).toBe(format);
    expect(() => resolveConfig({ ...ok, format: 'snowplow' })).toThrow("import { snowplow } from 'stint/snowplow'");
    expect(() => resolveConfig({ ...ok, format: 'tracardi' })).toThrow("import { tracardi } from 'stint/tracardi'");
    expect(() => resolveConfig({ ...ok, consent: 'tcf' })).toThrow("config.consent must be 'granted', 'pending', 'denied' or a consent signal");
    expect(() => resolveConfig({ ...ok, consent: 'google' })).toThrow('or a consent signal');
    const names = { formats: { snowplow, tracardi }, tcf: tcf(), google: googleConsentMode() } as never;
    expect(resolveConfig({ ...ok, format: 'snowplow', snowplow: { postPath: '/p/tp2' } }, names).format.path).toBe('/p/tp2');
    expect(resolveConfig({ ...ok, format: 'tracardi', tracardi: { sourceId: 'src' } }, names).format.path).toBe('/track');
    expect(() => resolveConfig({ ...ok, format: 'tracardi' }, names)).toThrow('tracardi.sourceId');
    expect(() => snowplow({ postPath: 'no-slash' })).toThrow('snowplow.postPath');
    expect(resolveConfig({ ...ok, consent: 'tcf' }, names)).toMatchObject({ consent: 'pending', signal: tcf() });
    expect(resolveConfig({ ...ok, consent: 'google' }, names)).toMatchObject({ consent: 'pending', signal: googleConsentMode() });
    expect(resolveConfig({ ...ok, consent: googleConsentMode() })).toMatchObject({ consent: 'pending', signal: googleConsentMode() });
    expect(() => resolveConfig({ ...ok, consent: 'formats' as never }, names)).toThrow('config.consent');
    // A script tag carries one pipeline's format: asked for another, it names the script that carries it.
    const snowplowTag = { formats: { snowplow }, tcf: tcf() } as never;
    expect(() => resolveConfig({ ...ok, format: 'tracardi', tracardi: { sourceId: 'src' } }, snowplowTag)).toThrow('needs the script stint.tracardi.js');
  });

  it('no config at all', () => {
    expect(() => resolveConfig(undefined as unknown as StintConfig)).toThrow(TypeError);
  });
});
