/**
 * WebKit through classic WebDriver: Playwright cannot drive a stock WebKit, but Debian's webkit2gtk-driver
 * can, with its MiniBrowser under Xvfb. This file is the wire: the processes, one session's commands, and a
 * lock, since a session runs one command at a time and its commands go to the window last switched to.
 * Every command has a bound (COMMAND), and so has every script run in a page (IN_PAGE, page.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { oneLine, startTwice } from '../start';

export const MINIBROWSER = process.env.STINT_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = process.env.STINT_WEBKIT_DRIVER || 'WebKitWebDriver';
/** How long a script may run in a page before it answers with an error, and a command before it is given up. */
export const IN_PAGE = 20_000;
const COMMAND = IN_PAGE + 15_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves what `ready` finds once `child` is up, within `timeout` ms; rejects if it exits first (or is killed, past the bound). */
function started<T>(child: ChildProcess, what: string, ready: () => Promise<T | undefined>, timeout = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let log = '';
    let exited = false;
    child.stderr?.on('data', (chunk) => (log = (log + chunk).slice(-2000)));
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`${what} exited (${code}): ${log.trim() || 'no output'}`));
    });
    const deadline = Date.now() + timeout;
    (async () => {
      while (!exited && Date.now() < deadline) {
        const value = await ready().catch(() => undefined);
        if (value !== undefined) return resolve(value);
        await sleep(100);
      }
      child.kill();
      reject(new Error(`${what} did not start within ${timeout} ms: ${log.trim() || 'no output'}`));
    })();
  });
}

/** Xvfb on a free display (`-displayfd` writes the number it took). */
export async function startXvfb(): Promise<{ display: string; stop: () => void }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let out = '';
  xvfb.stdio[3]!.on('data', (chunk) => (out += chunk));
  const display = await started(xvfb, 'Xvfb', async () => (out.includes('\n') ? ':' + out.trim() : undefined));
  return { display, stop: () => xvfb.kill() };
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

/** WebKitWebDriver on 127.0.0.1, on `display`; it serves one session (one MiniBrowser) at a time. Tried twice (e2e/start.ts). */
export const startDriver = (display: string) => startTwice(DRIVER, () => driverOn(display));

async function driverOn(display: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  await started(driver, DRIVER, async () => ((await fetch(`${url}/status`)).ok ? url : undefined));
  return { url, stop: () => driver.kill() };
}

/** A WebDriver error, by its code (`no such frame`, `invalid session id`...). */
export class WebDriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function command(url: string, method: string, body?: unknown, timeout = COMMAND): Promise<unknown> {
  const what = `WebDriver ${method} ${url.replace(/^.*\/session\/[^/]+/, '').replace(/^http:\/\/[^/]+/, '')}`;
  let value: { error?: string; message?: string } | null;
  try {
    const response = await fetch(url, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
      signal: AbortSignal.timeout(timeout),
    });
    ({ value } = (await response.json()) as { value: typeof value });
  } catch (e) {
    // (one line: a timeout is a DOMException, which the test runner would print with every constant it has)
    throw new Error(`${what}: ${oneLine(e)}`);
  }
  if (process.env.STINT_WEBDRIVER_LOG) console.log(`${what} ${JSON.stringify(body ?? '').slice(0, 120)} -> ${JSON.stringify(value).slice(0, 120)}`);
  if (value?.error) throw new WebDriverError(value.error, `${what}: ${value.error}: ${value.message}`);
  return value;
}

export interface Session {
  /** Sends one command to the session (`path` after /session/<id>). Callers hold the lock (`exclusive`). */
  send(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Runs `work` alone: no other caller's command comes between its own (window switches included). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Makes `handle` the window commands go to (within `exclusive`). */
  focus(handle: string): Promise<void>;
  /** The window commands go to, as far as this side knows. */
  current(): string | null;
  /** Forgets the current window (it was closed). */
  lost(): void;
  close(): Promise<void>;
}

/**
 * A new session: a fresh MiniBrowser with its own, empty storage. Its traffic goes through `proxy`
 * (host:port), which serves what classic WebDriver cannot do itself (init scripts, routes, host names).
 * No command waits for a navigation (page load strategy 'none': with 'eager', WebKitWebDriver now and then
 * held every command after a navigation until its timeout); the page object waits itself, bounded.
 */
export async function startSession(driver: string, proxy: string): Promise<Session> {
  const capabilities = {
    alwaysMatch: {
      // The MiniBrowser has no --headless (a session asked for with it hangs): it runs on Xvfb.
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      pageLoadStrategy: 'none',
      proxy: { proxyType: 'manual', httpProxy: proxy, noProxy: [] },
      // No script timeout of the driver's own: it is measured with the page's setTimeout, which a fake clock
      // jumps (a fastForward ended the script it ran in). Scripts bound themselves with the real timers (page.ts).
      timeouts: { script: null, pageLoad: 30_000 },
    },
  };
  // (a MiniBrowser that does not come up within 20 s, on a loaded machine, is given up: the caller tries another driver)
  const { sessionId } = (await command(`${driver}/session`, 'POST', { capabilities }, 20_000)) as { sessionId: string };
  const base = `${driver}/session/${sessionId}`;
  let queue: Promise<unknown> = Promise.resolve();
  let current: string | null = (await command(`${base}/window`, 'GET')) as string;
  const send = (method: string, path: string, body?: unknown) => command(`${base}${path}`, method, body);
  return {
    send,
    exclusive<T>(work: () => Promise<T>) {
      const turn = queue.then(work);
      queue = turn.catch(() => {});
      return turn;
    },
    async focus(handle) {
      if (current === handle) return;
      await send('POST', '/window', { handle });
      current = handle;
    },
    current: () => current,
    lost: () => void (current = null),
    close: () => command(base, 'DELETE').then(
      () => {},
      () => {},
    ),
  };
}
