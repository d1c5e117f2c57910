/**
 * One WebKit context's HTTP proxy (WebDriver's `proxy` capability): everything its MiniBrowser loads goes
 * through it, unchanged but for what Playwright's own browsers do in the browser and classic WebDriver
 * cannot:
 * - every HTML document gets the context's preamble first (inject.ts: init scripts, the fake clock, the
 *   console kept for the driver), as Playwright's addInitScript runs before the page's scripts;
 * - requests a test routes (page.route / context.route) are held, fulfilled or continued by its handler;
 * - the subdomains of stint.test resolve to 127.0.0.1 (Chromium: --host-resolver-rules, Firefox:
 *   network.dns.localDomains, in playwright.config.ts);
 * - `/__stint_webdriver__/blank` on any host is an empty document of that origin, where the driver reads
 *   and writes that host's cookies (WebDriver's cookie commands apply to the current document's domain).
 * It listens on 127.0.0.1 and forwards to 127.0.0.1 only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { preambleScript, type Preamble } from './inject';

export const BLANK = '/__stint_webdriver__/blank';

/** A request a route handler may answer: what it is, and how to answer (at most once). */
export interface Intercepted {
  url: string;
  method: string;
  headers: Record<string, string>;
}
export type Answer = { continue: true } | { abort: true } | { status: number; headers: Record<string, string>; body: Buffer };

export interface Hooks {
  /** The preamble for a document served now. */
  preamble(): Preamble;
  /** A route's answer for this request, or null: no route wants it. */
  intercept(request: Intercepted): Promise<Answer> | null;
}

export interface ContextProxy {
  /** host:port, for WebDriver's proxy capability */
  address: string;
  /** the hosts this context has loaded from */
  hosts: Set<string>;
  close(): Promise<void>;
}

/** Where a host name goes: this machine only. */
function resolve(host: string): string | null {
  if (host === '127.0.0.1' || host === 'localhost' || host === 'stint.test' || host.endsWith('.stint.test')) return '127.0.0.1';
  return null;
}

/** The preamble goes after the doctype (before it, a document would fall into quirks mode). */
function inject(html: Buffer, script: string): Buffer {
  const head = html.subarray(0, 1024).toString('latin1');
  const doctype = /^(\ufeff|\xef\xbb\xbf)?\s*<!doctype[^>]*>/i.exec(head);
  const at = doctype ? doctype[0].length : 0;
  return Buffer.concat([html.subarray(0, at), Buffer.from(script, 'utf8'), html.subarray(at)]);
}

export async function startProxy(hooks: Hooks): Promise<ContextProxy> {
  const hosts = new Set<string>();
  const server = http.createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url!);
    } catch {
      return void res.writeHead(400).end('a proxy request names its full URL');
    }
    hosts.add(url.hostname);
    if (process.env.STINT_PROXY_LOG) { console.log("proxy>", req.method, req.url); res.on("finish", () => console.log("proxy<", res.statusCode, req.url)); }
    if (url.pathname === BLANK) return void res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' }).end('<!doctype html><title>blank</title>');
    const target = resolve(url.hostname);
    if (!target) return void res.writeHead(502).end(`no network here: ${url.hostname}`);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'proxy-connection')) as Record<string, string>;
    const routed = hooks.intercept({ url: url.href, method: req.method!, headers });
    if (routed) {
      const answer = await routed.catch((e: unknown) => ({ status: 500, headers: {}, body: Buffer.from(String(e)) }));
      if ('abort' in answer) return void req.socket.destroy();
      if ('status' in answer) return void res.writeHead(answer.status, answer.headers).end(answer.body);
    }
    const upstream = http.request({ host: target, port: url.port || 80, method: req.method, path: url.pathname + url.search, headers }, (response) => {
      const type = String(response.headers['content-type'] ?? '');
      const document = req.method === 'GET' && /^text\/html/i.test(type) && response.statusCode! >= 200 && response.statusCode! < 300 && !response.headers['content-encoding'];
      if (!document) {
        res.writeHead(response.statusCode!, response.headers);
        return void response.pipe(res);
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = inject(Buffer.concat(chunks), preambleScript(hooks.preamble()));
        const { 'content-length': _, 'transfer-encoding': __, ...rest } = response.headers;
        res.writeHead(response.statusCode!, { ...rest, 'content-length': body.length }).end(body);
      });
      response.on('error', () => res.destroy());
    });
    upstream.on('error', (e) => (res.headersSent ? res.destroy() : res.writeHead(502).end(String(e))));
    // The browser gave up (its page closed for good, or the session ended): so does the request.
    res.on('close', () => !res.writableFinished && upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hosts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
