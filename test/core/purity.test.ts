/**
 * The core touches no browser global and no clock, and imports nothing from the shell: read from its
 * source, and proven by running it in Node with every clock and browser global made to throw.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attribute, identify, shutdown, track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { reread } from '../../src/core/answers';
import { page, pagehide, restore, tab, tabsGone, visibility } from '../../src/core/session/site';

const CORE = join(__dirname, '../../src/core');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const sources = files(CORE).map((file) => ({ path: file, file: file.slice(CORE.length + 1), text: readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') }));
/** What the core may import besides itself: the public types, the version. */
const OUTSIDE = ['types', 'format-options', 'version'].map((name) => resolve(CORE, '../ground', name));

/** What a browser or a clock is reached through. */
const GLOBALS = ['window', 'document', 'navigator', 'location', 'history', 'screen', 'localStorage', 'sessionStorage', 'indexedDB', 'crypto', 'fetch', 'BroadcastChannel', 'setTimeout', 'setInterval', 'queueMicrotask', 'requestAnimationFrame', 'addEventListener', 'performance', 'Intl', 'Temporal', 'console', 'Math.random'];

describe('the core', () => {
  it.each(sources)('$file imports only the core, the public types and the version', ({ path, text }) => {
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => resolve(dirname(path), m[1]));
    expect(imports.filter((file) => !file.startsWith(CORE + '/') && !OUTSIDE.includes(file))).toEqual([]);
  });

  it.each(sources)('$file reads no clock and no browser global', ({ text }) => {
    // (a name used as an object's key, `screen: {…}`, is no global)
    for (const name of GLOBALS) expect(text, name).not.toMatch(new RegExp(`(?<![\\w.$'"])${name.replace('.', '\\.')}\\b(?!\\s*:)`));
    expect(text, 'Date.now').not.toMatch(/Date\.now/);
    expect(text, 'new Date() without a time').not.toMatch(/new Date\(\s*\)/);
    // (a Date's local fields read the host's time zone, which is the shell's to give: the weekday comes from an offset)
    expect(text, "a Date's local time").not.toMatch(/\.(getDay|getDate|getMonth|getFullYear|getHours|getMinutes|getTimezoneOffset|toLocale\w*|toDateString|toTimeString)\(/);
    expect(text, 'a mutable binding at module level').not.toMatch(/^(export )?let /m);
  });
});

describe('run in Node with every clock and browser global throwing', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a whole life: consent, storage, events, tabs, a timeout, a withdrawal, shutdown', async () => {
    const trap = () => {
      throw new Error('the core reached for a browser global or a clock');
    };
    for (const name of ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'indexedDB', 'fetch', 'BroadcastChannel', 'requestAnimationFrame']) {
      vi.stubGlobal(name, new Proxy({}, { get: trap, has: trap, apply: trap }));
    }
    vi.stubGlobal('setTimeout', trap);
    vi.stubGlobal('queueMicrotask', trap);
    vi.stubGlobal('crypto', new Proxy({}, { get: trap }));
    vi.spyOn(Date, 'now').mockImplementation(trap);
    vi.spyOn(Math, 'random').mockImplementation(trap);
    vi.spyOn(performance, 'now').mockImplementation(trap);
    const { boot, id, place } = await import('./harness');
    const t = boot({ consent: 'pending' });
    t.send(track, 10, 'held', '{}');
    t.send(consent, 20, 'granted', 'page', false);
    t.open(30);
    t.send(page, 40, '{}', place('/a'));
    t.send(tab, 50, 'other', true);
    t.send(visibility, 60, true);
    t.send(tabsGone, 70, ['other']);
    t.send(attribute, 80, 'n', 1, true);
    t.send(identify, 90, 'u', '{}');
    t.send(track, 90 + 31 * 60_000, 'later', '{}');
    t.send(pagehide, 100 + 31 * 60_000, true);
    t.send(restore, 110 + 31 * 60_000, place('/a'));
    t.send(reread, 110 + 31 * 60_000, null, '');
    t.send(consent, 120 + 31 * 60_000, 'denied', 'tab', false);
    t.send(shutdown, 130 + 31 * 60_000);
    expect(t.names()).toEqual([
      'session_start',
      'application_initialized',
      'held',
      'page_view',
      'application_background',
      'identify',
      'session_end',
      'session_start',
      'later',
      'application_foreground',
      'page_view',
    ]);
    expect(t.effects.at(-1)).toEqual(['stop']);
  });
});
