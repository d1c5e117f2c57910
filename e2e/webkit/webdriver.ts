/**
 * WebKit through classic WebDriver: Playwright cannot drive a stock WebKit, but Debian's webkit2gtk-driver
 * can, with its MiniBrowser under Xvfb. Nothing more than the suite needs: processes, sessions, windows,
 * navigation, cookies and scripts. Classic WebDriver runs one script at a time per session, so every wait
 * inside the page is bounded (`Tab.run`): a promise that never settles would block every later command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { oneLine, startTwice } from '../start';

export const MINIBROWSER = process.env.STINT_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = process.env.STINT_WEBKIT_DRIVER || 'WebKitWebDriver';
/** How long a script may wait inside the page, and a command for its answer. */
const IN_PAGE = 15_000;
const COMMAND = IN_PAGE + 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `command` and resolves what `ready` finds in its output, within `timeout` ms. */
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

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

/** WebKitWebDriver on 127.0.0.1, on `display`; resolves its URL. Tried twice (e2e/start.ts). */
export const startDriver = (display: string) => startTwice(DRIVER, () => driverOn(display));

async function driverOn(display: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  await started(driver, DRIVER, async () => ((await fetch(`${url}/status`)).ok ? url : undefined));
  return { url, stop: () => driver.kill() };
}

/** What a script run in the page answered. */
type Answer = { value: unknown } | { failed: string };

/** One WebDriver session: a MiniBrowser with its own, fresh storage. */
export class Session {
  constructor(
    readonly _base: string,
    readonly _id: string,
  ) {}

  /** A new session: a fresh MiniBrowser, tried twice (e2e/start.ts). */
  static start(driver: string): Promise<Session> {
    return startTwice('a WebKitWebDriver session (MiniBrowser)', () => Session.open(driver));
  }

  static async open(driver: string): Promise<Session> {
    const capabilities = {
      alwaysMatch: {
        // The MiniBrowser has no --headless (a session asked for with it hangs): it runs on Xvfb.
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        timeouts: { script: IN_PAGE + 5000, pageLoad: 20_000 },
      },
    };
    const answer = await command(`${driver}/session`, 'POST', { capabilities });
    return new Session(driver, (answer as { sessionId: string }).sessionId);
  }

  _do(method: string, path: string, body?: unknown): Promise<unknown> {
    return command(`${this._base}/session/${this._id}${path}`, method, body);
  }

  /** The window commands go to now. */
  async tab(): Promise<Tab> {
    return new Tab(this, (await this._do('GET', '/window')) as string);
  }

  /** A new window (not a tab: a background tab of the MiniBrowser is hidden), made current. */
  async newTab(): Promise<Tab> {
    const { handle } = (await this._do('POST', '/window/new', { type: 'window' })) as { handle: string };
    const tab = new Tab(this, handle);
    await tab.focus();
    return tab;
  }

  deleteCookies(): Promise<unknown> {
    return this._do('DELETE', '/cookie');
  }

  async cookies(): Promise<{ name: string; value: string }[]> {
    return (await this._do('GET', '/cookie')) as { name: string; value: string }[];
  }

  close(): Promise<unknown> {
    return command(`${this._base}/session/${this._id}`, 'DELETE').catch(() => {});
  }
}

/** One window of a session. Commands go to the session's current window: `focus()` first when there are several. */
export class Tab {
  constructor(
    readonly _session: Session,
    readonly _handle: string,
  ) {}

  focus(): Promise<unknown> {
    return this._session._do('POST', '/window', { handle: this._handle });
  }

  /** Navigates and waits for the load event (WebDriver's normal page load strategy). */
  goto(url: string): Promise<unknown> {
    return this._session._do('POST', '/url', { url });
  }

  back(): Promise<unknown> {
    return this._session._do('POST', '/back', {});
  }

  async url(): Promise<string> {
    return (await this._session._do('GET', '/url')) as string;
  }

  /**
   * Runs `fn(...args)` in the page and resolves what it returns (awaited, within `IN_PAGE` ms: past that the
   * script answers with an error instead of blocking the session). `fn` must not refer to anything outside it.
   */
  async run<T = unknown>(fn: (...args: any[]) => unknown, ...args: unknown[]): Promise<T> {
    const script = `const done = arguments[arguments.length - 1];
      const timer = setTimeout(() => done({ failed: 'no answer within ${IN_PAGE} ms' }), ${IN_PAGE});
      const settle = (answer) => { clearTimeout(timer); done(answer); };
      try {
        Promise.resolve((${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
          .then((value) => settle({ value: value === undefined ? null : value }), (e) => settle({ failed: String(e) }));
      } catch (e) { settle({ failed: String(e) }); }`;
    const answer = (await this._session._do('POST', '/execute/async', { script, args })) as Answer;
    if ('failed' in answer) throw new Error(`in the page, ${String(fn).slice(0, 80)}: ${answer.failed}`);
    return answer.value as T;
  }

  /** A key pressed by the person (WebDriver actions: trusted events), `key` a WebDriver key value. */
  press(key: string): Promise<unknown> {
    const actions = [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }];
    return this._session._do('POST', '/actions', { actions });
  }

  /** Closes the window; commands then go to another one, if any is left. */
  async close(): Promise<void> {
    const [next] = (await this._session._do('DELETE', '/window')) as string[];
    if (next) await new Tab(this._session, next).focus();
  }
}

async function command(url: string, method: string, body?: unknown): Promise<unknown> {
  const what = `WebDriver ${method} ${url.replace(/^.*\/session\/[^/]+/, '').replace(/^http:\/\/[^/]+/, '')}`;
  let value: { error?: string; message?: string } | null;
  try {
    const response = await fetch(url, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
      signal: AbortSignal.timeout(COMMAND),
    });
    ({ value } = (await response.json()) as { value: typeof value });
  } catch (e) {
    // (one line: a timeout is a DOMException, which the test runner would print with every constant it has)
    throw new Error(`${what}: ${oneLine(e)}`);
  }
  if (value?.error) throw new Error(`${what}: ${value.error}: ${value.message}`);
  return value;
}
