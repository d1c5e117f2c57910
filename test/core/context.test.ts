import { describe, expect, it } from 'vitest';
import { browserFromUserAgent, osFromUserAgent, readAgent } from '../../src/core/formats/agent';
import { utmOf } from '../../src/core/context';

describe('operating system from the user agent (read where the events land: core/formats/agent.ts)', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36', 'Windows', null],
    ['Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0', 'Windows', '7'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15', 'macOS', null],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:120.0) Gecko/20100101 Firefox/120.0', 'macOS', '10.14'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile Safari/604.1', 'iOS', '17.4.1'],
    ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36', 'Android', null],
    ['Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/112.0 Mobile Safari/537.36', 'Android', '13'],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 Chrome/124.0 Safari/537.36', 'Chrome OS', null],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156.0.0.0 Safari/537.36', 'Linux', null],
    ['curl/8.0', null, null],
  ])('%s', (ua, name, version) => {
    expect(osFromUserAgent(ua)).toEqual([name, version]);
  });
});

describe('browser from the user agent', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0', 'Edge', '124'],
    ['Mozilla/5.0 (Windows NT 10.0; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox', '125'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15', 'Safari', '17'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36', 'Chrome', '124'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156.0.0.0 Safari/537.36', 'HeadlessChrome', '156'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 CriOS/124.0 Mobile/15E148 Safari/604.1', 'Chrome', '124'],
    ['Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/124.0 Safari/537.36 OPR/110.0', 'Opera', '110'],
    ['something else', null, null],
  ])('%s', (ua, name, version) => {
    expect(browserFromUserAgent(ua)).toEqual([name, version]);
  });
});

describe('what a collector reads of the user agent the page sent: its Client Hints first', () => {
  const WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
  const brands = [{ brand: 'Not-A.Brand', version: '99' }, { brand: 'Chromium', version: '124' }, { brand: 'Microsoft Edge', version: '124' }];
  it.each([
    ['the string alone', { original: WIN, brands: null, platform: null, platformVersion: null }, ['Windows', null, 'Chrome', '124']],
    ['the brand, not the engine nor the GREASE brand', { original: WIN, brands, platform: 'Windows', platformVersion: null }, ['Windows', null, 'Microsoft Edge', '124']],
    ['Windows 11: a platform version of 13 and up', { original: WIN, brands, platform: 'Windows', platformVersion: '15.0.0' }, ['Windows', '11', 'Microsoft Edge', '124']],
    ['Windows 10: below 13', { original: WIN, brands, platform: 'Windows', platformVersion: '10.0.0' }, ['Windows', '10', 'Microsoft Edge', '124']],
    ['macOS: its version from the hint (the string is frozen)', { original: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/124.0 Safari/537.36', brands: [{ brand: 'Google Chrome', version: '124' }], platform: 'macOS', platformVersion: '14.4.1' }, ['macOS', '14.4.1', 'Google Chrome', '124']],
    ['Linux: no version, whatever the hint', { original: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36', brands: [{ brand: 'Chromium', version: '124' }], platform: 'Linux', platformVersion: '6.1.0' }, ['Linux', null, 'Chromium', '124']],
    ['a platform the string does not name', { original: 'curl/8.0', brands: null, platform: 'Fuchsia', platformVersion: null }, ['Fuchsia', null, null, null]],
  ])('%s', (_, agent, [os, osVersion, name, version]) => {
    expect(readAgent(agent)).toEqual({ os: { name: os, version: osVersion }, name, version });
  });
});

describe('UTM parameters of a landing URL', () => {
  it('reads the five, null for the missing ones', () => {
    expect(utmOf('?utm_source=news&utm_campaign=spring%20sale&x=1')).toEqual({
      source: 'news',
      medium: null,
      campaign: 'spring sale',
      term: null,
      content: null,
    });
  });
  it('none: null', () => {
    expect(utmOf('?q=shoes')).toBeNull();
    expect(utmOf('')).toBeNull();
  });
  it('bounds each value (it lives in the session cookie)', () => {
    expect(utmOf(`?utm_source=${'a'.repeat(500)}`)!.source).toHaveLength(100);
  });
});
