/**
 * The page of your sessions (`--ui`, collector/src/ui.mjs): the real `npx stint-collector`, real batches (a visit as
 * Stint's own code packs it, moved to the last hour), and the page in a real Chromium: the sessions table, the top
 * pages, a session picked and drawn by the demo's timeline; what visitors wrote (a path, a title) shown as text; the
 * collect port serving no stored data. It writes test-results/sessions-page.png (docs/sessions-page.png is a copy,
 * made a palette PNG: docs/development.md).
 */
import { chromium } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, executablePath } from '../../scripts/chromium.mjs';
import { uiAddress } from '../src/ui.mjs';
import { context, envelope } from './batches.mjs';
import { post, tempDir } from './helpers';
import { T0, visit } from './visit';

const BIN = fileURLToPath(new URL('../bin/stint-collector.mjs', import.meta.url));
const HOUR = 60 * 60 * 1000;

/** The lines `npx stint-collector ...args` prints until `until` matches what it printed, or it exits. */
async function spawnBin(args: string[], cwd: string, until: RegExp): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (chunk) => (out += chunk));
  for await (const chunk of child.stdout!) {
    out += chunk;
    if (until.test(out)) break;
  }
  return { child, out };
}

/** A free port whose next one is free too (the page's default), tried at most 20 times. */
async function freePair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let i = 0; i < 20; i++) {
    const first = (await listen(0))!;
    const port = (first.address() as { port: number }).port;
    const next = await listen(port + 1);
    await Promise.all([first, next].map((s) => s && new Promise((resolve) => s.close(resolve))));
    if (next) return port;
  }
  throw new Error('no two free ports in a row');
}

/** A native body with its times moved by `ms` (its batch's `at`, `sentAt` and its sessions' first event's time). */
function moved(body: string, ms: number): string {
  const batch = JSON.parse(body);
  batch.at += ms;
  batch.sentAt = new Date(Date.parse(batch.sentAt) + ms).toISOString();
  for (const c of batch.contexts) {
    const first = c.session.firstEventTimestamp;
    if (first) c.session.firstEventTimestamp = new Date(Date.parse(first) + ms).toISOString();
  }
  return JSON.stringify(batch);
}

/** GET `path` on `url` with the Host header given. */
function getWithHost(url: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

const HOSTILE_PATH = '/<script>window.pwned=1</script>';
const HOSTILE_TITLE = '<img src=x onerror="window.pwned=2">';

describe('the page of your sessions', () => {
  it('--ui: [host:]port, a port alone on 127.0.0.1, off; anything else is refused in a line', async () => {
    expect(['8789', '0.0.0.0:9000', '[::1]:9000', 'localhost:0', 'off'].map(uiAddress)).toEqual([
      { host: '127.0.0.1', port: 8789 },
      { host: '0.0.0.0', port: 9000 },
      { host: '::1', port: 9000 },
      { host: 'localhost', port: 0 },
      null,
    ]);
    for (const wrong of ['', 'on', ':80', 'host:', '70000', 'a:b:1']) expect(() => uiAddress(wrong), wrong).toThrow(/--ui takes/);
    const { dir, remove } = tempDir();
    try {
      const { child, out } = await spawnBin(['--ui', 'nope'], dir, /$^/);
      const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode];
      expect([out.trim(), code]).toEqual(['stint-collector: --ui takes [host:]port or off, not nope', 2]);
      // --ui off: all it printed, stopped once its line was out (the page's line comes with it, or not at all).
      const off = spawn(process.execPath, [BIN, '--port', '0', '--ui', 'off', '--db', join(dir, 'off.duckdb')], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let printed = '';
      off.stdout!.on('data', (chunk) => {
        printed += chunk;
        if (printed.includes('\n')) off.kill('SIGTERM');
      });
      await once(off, 'close');
      expect(printed).toMatch(/^stint-collector: collector: 'http:\/\/127\.0\.0\.1:\d+\/collect'/);
      expect(printed).not.toContain('your sessions');
    } finally {
      remove();
    }
  }, 15_000);

  it('npx stint-collector: the page on the next port, in Chromium: sessions, top pages, a timeline; the collect port serves none', async () => {
    const { dir, remove } = tempDir();
    const port = await freePair();
    const { child, out } = await spawnBin(['--port', String(port), '--db', join(dir, 'stint.duckdb')], dir, /your sessions.*\n/);
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const collect = `http://127.0.0.1:${port}`;
      const ui = `http://127.0.0.1:${port + 1}`;
      expect(out.split('\n')[1]).toBe(`stint-collector: your sessions: ${ui}/ (--ui to move it, --ui off for none)`);
      // A visit of two sessions from an hour ago, two visits of a few events, and a session from two days ago.
      for (const body of visit().bodies) expect((await post(`${collect}/collect`, moved(body, Date.now() - HOUR - T0))).status).toBe(204);
      const docs = context({ path: '/docs' });
      Object.assign(docs.context, { utm: { ...docs.context.utm, source: null } });
      docs.context.page.referrer = 'https://duckduckgo.com/?q=sessions';
      const batches = [
        envelope({ count: 11, at: Date.now() - 45 * 60_000, shared: context({ path: '/pricing' }) }),
        envelope({ count: 5, at: Date.now() - 10 * 60_000, shared: docs }),
        envelope({ count: 2, at: Date.now() - 48 * HOUR }),
      ];
      for (const batch of batches) expect((await post(`${collect}/collect`, batch)).status).toBe(204);

      const listed = await (await fetch(`${ui}/api/sessions`)).json();
      expect(listed.map((s: { entry_page: string }) => s.entry_page)).toEqual(['/docs', '/b', '/pricing', '/a']);
      const first = listed[3];
      expect(first).toMatchObject({ duration_ms: 60_000, end_reason: 'background_timeout', events: 8, exit_page: '/b' });

      // The collect port: no path answers anything stored (the page's own paths included), where the page's port does.
      const paths = ['/', '/api/sessions', '/api/pages', `/api/session?id=${first.session_id}`, '/ui-page.js', '/health', '/collect', '/stint/id'];
      const answers = await Promise.all(paths.map(async (path) => (await fetch(`${collect}${path}`)).text()));
      expect(answers.filter((text) => text.includes(first.session_id) || text.includes('/pricing'))).toEqual([]);
      expect(await (await fetch(`${ui}/api/session?id=${first.session_id}`)).text()).toContain(first.session_id);
      // A site whose name resolves to 127.0.0.1 is not answered (DNS rebinding); the names of this machine are.
      expect(await getWithHost(ui, '/api/sessions', `evil.example:${port + 1}`)).toBe(403);
      expect(await getWithHost(ui, '/api/sessions', `localhost:${port + 1}`)).toBe(200);

      const page = await browser.newPage({ viewport: { width: 1000, height: 400 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${ui}/`);
      await page.waitForSelector('body[data-sessions="4"]', { timeout: 10_000 });
      const cells = (table: string) =>
        page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((td) => td.textContent)));
      expect((await cells('#sessions')).map((row) => row.slice(1))).toEqual([
        ['1 s', 'open', '5', '/docs', '/docs', 'duckduckgo.com'],
        ['6 s', 'open', '6', '/b', '/c', 'direct'],
        ['3 s', 'open', '11', '/pricing', '/pricing', 'news'],
        ['60 s', 'background_timeout', '8', '/a', '/b', 'search.example'],
      ]);
      expect(await cells('#pages')).toEqual([['/pricing', '3', '1'], ['/a', '1', '1'], ['/b', '1', '1'], ['/c', '1', '1'], ['/docs', '1', '1']]);

      // A session picked (its row, anywhere): the demo's timeline draws its bar, its events and its end.
      await page.click('#sessions tbody tr:nth-child(4) td:nth-child(5)');
      await page.waitForSelector(`body[data-drawn="${first.session_id}"]`, { timeout: 10_000 });
      expect(await page.$$eval('#timeline .tl-bar', (bars) => bars.map((b) => b.className))).toEqual(['tl-bar ended']);
      expect(await page.$$eval('#timeline .tl-mark', (marks) => marks.map((m) => (m as HTMLElement).dataset.name))).toEqual([
        'session_start', 'page_view', 'page_engagement', 'page_view', 'add_to_cart', 'page_engagement', 'application_background', 'session_end',
      ]);
      expect(await page.textContent('#timeline .tl-caption')).toMatch(/· 7 events · ended: background_timeout, 60 s · engaged 48 s$/);
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/sessions-page.png', fullPage: true });

      // What a visitor wrote (a path, a title) is text: no element made of it, no script run.
      const shared = context({ path: HOSTILE_PATH });
      shared.context.page.title = HOSTILE_TITLE;
      const hostile = envelope({ count: 3, at: Date.now() - 60_000, shared });
      expect((await post(`${collect}/collect`, hostile)).status).toBe(204);
      await page.reload();
      await page.waitForSelector('body[data-sessions="5"]', { timeout: 10_000 });
      expect((await cells('#sessions'))[0].slice(4)).toEqual([HOSTILE_PATH, HOSTILE_PATH, 'news']);
      expect((await cells('#pages'))[1]).toEqual([HOSTILE_PATH, '1', '1']);
      await page.click('#sessions tbody tr:nth-child(1) td:nth-child(5)');
      await page.waitForSelector(`body[data-drawn="${hostile.contexts[0].session.sessionId}"]`, { timeout: 10_000 });
      await page.focus('#timeline .tl-mark');
      expect(await page.textContent('#tl-tip')).toContain(` · ${HOSTILE_TITLE}`);
      expect(await page.$$('main script, main img, #tl-tip img')).toEqual([]);
      expect([await page.evaluate(() => (window as { pwned?: number }).pwned), errors]).toEqual([undefined, []]);
    } finally {
      await browser.close();
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      remove();
    }
  }, 60_000);
});
