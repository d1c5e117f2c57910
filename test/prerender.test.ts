/**
 * A real prerender (docs/sessions.md, "Prerendered pages"): Chromium started without DevTools (which turn prerendering
 * off: every Playwright context reports `PrerenderingDisabledByDevTools`), on a page whose Speculation Rules prerender
 * the next; the next carries Stint's tag, calls it, flushes, then tells the server it did (a plain fetch, not Stint's).
 * Judged from the server: the next page was prerendered (`Sec-Purpose: prefetch;prerender`), it loaded the tag and ran
 * its calls, and the collector received nothing. e2e/prerender.spec.ts plays the activation, by the API's contract.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CHROMIUM_ARGS, executablePath } from '../scripts/chromium.mjs';

const TAG = join(__dirname, '../dist/stint.js');

/** The page prerendered: the README's snippet; once the tag has run its calls and flushed, it says so. */
const NEXT = `<!doctype html><title>next</title><script>
(function (w, d, s, q) {
  q = w.stint = w.stint || function () { q.q.push([arguments, Date.now()]); };
  q.q = q.q || [];
  s = d.createElement('script'); s.async = 1; s.src = '/stint.js';
  s.onload = function () {
    stint('track', 'during');
    stint('flush').then(function () { fetch('/ran?prerendering=' + d.prerendering); });
  };
  d.head.appendChild(s);
})(window, document);
stint('init', { collector: '/collect', appId: 'prerender' });
stint('page');
</script>`;

const FIRST = `<!doctype html><title>first</title>
<script type="speculationrules">{"prerender":[{"source":"list","urls":["/next"]}]}</script>`;

let stop = async () => {};
afterEach(() => stop());

it.skipIf(!executablePath)('Speculation Rules prerender a page with the tag: it loads and runs, and sends nothing', async () => {
  expect(existsSync(TAG), 'dist/ is built (npm run build)').toBe(true);
  const requests: { path: string; purpose: string }[] = [];
  let ran: (path: string) => void;
  const told = new Promise<string>((resolve) => (ran = resolve));
  const server: Server = createServer((req, res) => {
    const path = req.url || '';
    requests.push({ path, purpose: String(req.headers['sec-purpose'] || '') });
    if (path.startsWith('/ran')) ran(path);
    const [type, body] =
      path === '/' ? ['text/html', FIRST]
      : path === '/next' ? ['text/html', NEXT]
      : path === '/stint.js' ? ['text/javascript', readFileSync(TAG)]
      : ['text/plain', ''];
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'stint-prerender-'));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // (no --remote-debugging-*: DevTools attached turn prerendering off)
  const chromium = spawn(executablePath!, ['--headless=new', ...CHROMIUM_ARGS, `--user-data-dir=${profile}`, url], {
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((resolve) => chromium.once('exit', resolve));
  // (its profile is removed once it has exited, with its other processes: its group, which it leads, is killed)
  stop = async () => {
    process.kill(-chromium.pid!, 'SIGKILL');
    server.close();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };

  const bound = new Promise<string>((resolve) => setTimeout(() => resolve('no word from the page within 10 s'), 10_000));
  const word = await Promise.race([told, bound]);
  const seen = requests.map((r) => `${r.path} ${r.purpose}`);
  // Prerendered, the tag loaded by the prerendered page, its calls run and flushed while it still was one.
  expect(word, seen.join('\n')).toBe('/ran?prerendering=true');
  expect(seen).toEqual(expect.arrayContaining(['/next prefetch;prerender', '/stint.js prefetch;prerender']));
  expect(requests.filter((r) => r.path.startsWith('/collect')).map((r) => r.path), 'the collector received').toEqual([]);
}, 15_000);
