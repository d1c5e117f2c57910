/**
 * The model is plain data (issue 50): a tracker started with every option of the config set keeps, in its model, the
 * config's data and nothing that holds code (tracker.ts `settingsOf`), so that `structuredClone` copies it whole, through
 * a page's life: consent, storage, the parts' code come (kept beside the step table: core/parts.ts), a landing page's
 * wait, engaged time, events, a hide.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/shell/config';
import { gpp } from '../../src/gpp';
import type { Input, Model } from '../../src/core/model';
import { start, step } from '../../src/core/step';
import { otlp } from '../../src/otlp';
import { NPM } from '../../src/door/loaders';
import { settingsOf } from '../../src/shell/tracker';
import type { StintConfig } from '../../src/ground/types';
import { keepParts, place } from './harness';

/** Every option of the config, set (a custom store, a consent signal and a pipeline's format among them: code). */
const EVERY: Required<StintConfig> = {
  collector: 'https://collect.example/c',
  appId: 'shop',
  appVersion: '2.1.0',
  foregroundTimeout: 20 * 60_000,
  backgroundTimeout: 5 * 60_000,
  maxSessionDuration: 4 * 3600_000,
  consent: gpp(),
  onDenied: 'anonymous',
  respectGlobalPrivacyControl: false,
  store: { name: 'mine', get: () => null, set: () => {}, delete: () => {} },
  cookie: { name: 'sid', domain: 'auto', path: '/', sameSite: 'Strict', maxAgeDays: 30 },
  format: otlp({ logsPath: '/otel/v1/logs', headers: { 'x-team': 'web' }, resource: { region: 'eu' } }),
  snowplow: { postPath: '/p/tp2' },
  tracardi: { sourceId: 'src' },
  otlp: {},
  activity: 'input',
  engagement: { idle: 8000 },
  sampleRate: 0.5,
  lifecycleEvents: false,
  newSessionOnCampaign: true,
  crossDomain: ['shop.example', 'pay.example'],
  serverCookie: '/stint/id',
  installType: 'known_upgrade',
  autoPageViews: 'history+hash',
  compression: 'gzip',
  debug: true,
};

describe('the model is plain data', () => {
  it('a tracker started with every option of the config set: structuredClone copies its model, whole, at every step', () => {
    keepParts();
    let model: Model = start({
      at: 0,
      settings: settingsOf(resolveConfig(EVERY, NPM)),
      seed: [1, 2, 3, 4],
      pageHidden: false,
      newTab: true,
      link: ['not-a-link', 'Mozilla/5.0 en'],
      place: place('/landing?utm_source=news'),
      device: '"device":{},"app":{},"userAgent":{}',
      timeZone: 'Europe/Paris',
      offset: 60,
      tabId: '0a1b2c3d',
      focused: true,
    });
    const life: Input[] = [
      ['consent', 0, 'pending', 'config', false],
      ['track', 5, 'held', '{}'],
      ['consent', 10, 'granted', 'signal', false],
      ['opened', 20, null, 'mine', false, null],
      ['part', 30, 'engagement'],
      ['part', 40, 'landing'],
      ['part', 50, 'copy'],
      ['page', 60, '{}', place('/landing?utm_source=news')],
      ['activity', 70],
      ['attribute', 80, 'plan', 'pro', false],
      ['track', 90, 'signup', '{"plan":"pro"}'],
      ['visibility', 100, true],
      ['pagehide', 110, false],
    ];
    for (const input of life) {
      model = step(model, input).model;
      expect(structuredClone(model), input[0]).toEqual(model);
    }
    expect(model.settings).toMatchObject({ appId: 'shop', engagement: { idle: 8000 }, crossDomain: ['shop.example', 'pay.example'] });
    expect(model.parts).toEqual(['engagement', 'landing', 'copy']);
  });
});
