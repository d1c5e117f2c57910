/**
 * docs/getting-started.md's "In development": how `/collect` reaches `npx stint-collector` under a dev server, run for
 * real. The React Router recipe (e2e/apps/react) under Vite's dev server, laid out in a folder of its own as a project
 * that installed its packages, its vite.config.js's proxy passing `/collect` to the collector's own process, started by
 * the page's command, in Chromium; the script tag on a page that a server with no proxy serves, sending to the
 * collector's URL; Next.js's rewrite as Next's own code reads it (`next dev` itself takes about 10 s to start: not
 * run). Only the ports are the test's (the collector's in place of 8788, the pages' any free one, all on 127.0.0.1),
 * and the origins with them. The collector's database, read once it has stopped, is the truth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../collector/src/query.mjs';
import { CHROMIUM_ARGS, executablePath } from '../scripts/chromium.mjs';
import { expandEnvelope } from '../src/core/formats/envelope';

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** The collector where it listens unless told otherwise: what the configs of the page pass `/collect` on to. */
const COLLECTOR = 'http://127.0.0.1:8788';
const PROXY = `'/collect': '${COLLECTOR}'`;
const SECTION = '## In development: /collect under the dev server';

/** The page's section on development: the collector's command it gives for Vite (its one sh block). */
function command(): string[] {
  const text = read('docs/getting-started.md');
  const section = text.slice(text.indexOf(`\n${SECTION}\n`), text.indexOf('\n## ', text.indexOf(`\n${SECTION}\n`) + 1));
  const blocks = [...section.matchAll(/\n```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  expect(blocks).toEqual(['npx stint-collector --origin http://localhost:5173']);
  return blocks[0].split(' ').slice(2);
}

/** A port free on 127.0.0.1 now (Vite's config names the collector's before it starts: it needs Vite's origin). */
async function freePort(): Promise<number> {
  const server = createHttpServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The React app as a project of its own: its files, its vite.config.js proxying to `port`, its node_modules. */
function project(port: number): string {
  const app = join(root, 'e2e/apps/react');
  const dir = mkdtempSync(join(tmpdir(), 'stint-dev-server-'));
  cpSync(join(app, 'index.html'), join(dir, 'index.html'));
  cpSync(join(app, 'src'), join(dir, 'src'), { recursive: true });
  const config = readFileSync(join(app, 'vite.config.js'), 'utf8');
  expect(config, 'the proxy of the page, to the collector on its default port').toContain(PROXY);
  writeFileSync(join(dir, 'vite.config.js'), config.replace(PROXY, PROXY.replace('8788', String(port))));
  // the repository's packages, and `stint` (this repository, built: `npm run build`) as npm installs it
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(root, 'node_modules')).filter((n) => !n.startsWith('.'))) {
    symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
  symlinkSync(root, join(dir, 'node_modules/stint'));
  return dir;
}

/** `npx stint-collector` with these options, on a database in `dir`; resolves once it has said where it listens. */
async function startCollector(dir: string, args: string[]) {
  const db = join(dir, 'stint.duckdb');
  const bin = join(root, 'collector/bin/stint-collector.mjs');
  const stdio: ['ignore', 'pipe', 'inherit'] = ['ignore', 'pipe', 'inherit'];
  const child: ChildProcess = spawn(process.execPath, [bin, '--db', db, ...args], { stdio });
  let out = '';
  for await (const chunk of child.stdout!) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  const url = /^stint-collector: collector: '(http:\/\/127\.0\.0\.1:\d+\/collect)'/.exec(out)?.[1];
  expect(url, out).toBeDefined();
  return {
    url: url!,
    /** Stops it (SIGTERM: it commits what it took), then the events it stored, in order. */
    async stored() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      return queryFile(db, 'SELECT name, page_url, page_title, session_id FROM events ORDER BY timestamp, event_index');
    },
    kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
  };
}

/**
 * What the page sent to the collector, as each request finished: each answer (its status, and whether the collector
 * allowed the request's Origin: its CORS headers, which it gives an origin it was given, name Retry-After; Vite's own
 * CORS names none), and the URLs of the page views in the batches the collector took (204: their transaction
 * committed); `until(n)`: once n page views were taken, within 10 s.
 */
function sentBy(page: Page, collect: string) {
  const answers: [status: number, allowed: boolean][] = [];
  const views: string[] = [];
  const sent = (url: string) => new URL(url).pathname === new URL(collect).pathname;
  page.on('requestfinished', async (request) => {
    if (!sent(request.url())) return;
    const response = await request.response();
    const status = response?.status() ?? 0;
    answers.push([status, response?.headers()['access-control-expose-headers'] === 'Retry-After']);
    if (status !== 204) return;
    for (const event of expandEnvelope(JSON.parse(request.postData()!))) {
      if (event.name === 'page_view') views.push(event.context.page.url);
    }
  });
  // (refused by CORS: a collector that was not given the page's origin)
  page.on('requestfailed', (request) => void (sent(request.url()) && answers.push([0, false])));
  const until = async (n: number) => {
    for (let waited = 0; views.length < n && waited < 10_000; waited += 50) await page.waitForTimeout(50);
    return { answers, views };
  };
  return until;
}

describe('a dev server passes /collect on to stint-collector, as docs/getting-started.md says', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(() => browser?.close());

  it("the React Router recipe under Vite's dev server: its proxy passes /collect to npx stint-collector --origin, which stores the landing page and each route", async () => {
    const [flag] = command();
    const port = await freePort();
    const dir = project(port);
    let vite: ViteDevServer | undefined;
    let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
    try {
      vite = await createServer({ root: dir, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
      await vite.listen();
      const url = vite.resolvedUrls!.local[0];
      // The page's command, with the origin this Vite prints (its own port) and the collector's port
      const { origin } = new URL(url);
      collector = await startCollector(dir, [flag, origin, '--port', String(port)]);
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      const until = sentBy(page, collector.url);
      await page.goto(url);
      await page.waitForFunction(() => document.title === 'Home · Shop');
      for (const [link, title] of [['Products', 'Products · Shop'], ['About', 'About · Shop']]) {
        await page.getByRole('link', { name: link, exact: true }).click();
        await page.waitForFunction((title) => document.title === title, title);
      }
      const routes = ['', 'products', 'about'].map((path) => url + path);
      const sent = await until(routes.length);
      // (the collector allowed the page's origin: the proxy passed the page's Origin header on, and it was given)
      expect(sent).toEqual({ answers: sent.answers.map(() => [204, true]), views: routes });
      await page.close();
      // What it stored: one session, one tracker (Strict Mode runs effects twice), each route once, with its title.
      const events = await collector.stored();
      const views = events.filter((e) => e.name === 'page_view').map((e) => [e.page_url, e.page_title]);
      expect(views).toEqual(routes.map((route, i) => [route, ['Home', 'Products', 'About'][i] + ' · Shop']));
      expect(events.filter((e) => e.name === 'application_initialized')).toHaveLength(1);
      expect(new Set(events.map((e) => e.session_id)).size).toBe(1);
    } finally {
      await vite?.close();
      collector?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
    // (a cold dev server bundles its dependencies at the first request: seconds, on a busy 2-core machine)
  }, 60_000);

  it("the script tag, on a page served with no proxy: it sends to the collector's URL, which stores it when started with the page's --origin", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stint-dev-server-'));
    let server: Server | undefined;
    let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
    try {
      let tag = '';
      const files: Record<string, [type: string, body: () => string]> = {
        '/': ['text/html', () => tag],
        '/stint.js': ['text/javascript', () => read('dist/stint.js')],
      };
      server = createHttpServer((req, res) => {
        const [type, body] = files[req.url!] ?? [];
        if (type) res.writeHead(200, { 'Content-Type': type }).end(body!());
        else res.writeHead(404).end();
      }).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      collector = await startCollector(dir, ['--origin', new URL(url).origin, '--port', '0']);
      tag = `<title>Tag</title>
<script async src="/stint.js" data-collector="${collector.url}" data-app-id="shop-web"></script>`;
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      const until = sentBy(page, collector.url);
      await page.goto(url);
      expect(await until(1)).toEqual({ answers: [[204, true]], views: [url] });
      await page.close();
      const events = await collector.stored();
      const views = events.filter((e) => e.name === 'page_view').map((e) => [e.page_url, e.page_title]);
      expect(views).toEqual([[url, 'Tag']]);
    } finally {
      server?.close();
      collector?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("Next.js: next.config.mjs's rewrite, as Next's own code reads and matches it, passes /collect (and no other path) to the collector", async () => {
    const next = createRequire(join(root, 'package.json'));
    const load = next('next/dist/lib/load-custom-routes').default;
    const { getPathMatch } = next('next/dist/shared/lib/router/utils/path-match');
    const { prepareDestination } = next('next/dist/shared/lib/router/utils/prepare-destination');
    const config = (await import('../e2e/apps/next/next.config.dev.mjs')).default;
    const { rewrites } = await load(config);
    expect([rewrites.beforeFiles, rewrites.fallback]).toEqual([[], []]);
    const [rule, ...more] = rewrites.afterFiles;
    expect(more).toEqual([]);
    const match = getPathMatch(rule.source);
    expect([match('/collect'), match('/collect/x'), match('/')]).toEqual([{}, false, false]);
    const { destination } = rule;
    const to = prepareDestination({ appendParamsToQuery: false, destination, params: {}, query: {} }).parsedDestination;
    const { protocol, hostname, port, pathname } = to;
    expect(`${protocol}//${hostname}:${port}${pathname}`).toBe(`${COLLECTOR}/collect`);
  });
});
