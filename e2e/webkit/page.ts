/**
 * Playwright's Browser, BrowserContext and Page for WebKit, over classic WebDriver: the part of their API
 * that the specs and e2e/fixtures.ts use, with Playwright's meaning, so that one test body plays in every
 * engine. The fixtures hand these out as Playwright's own (`playwright.webkit.launch()`, fixtures.ts).
 *
 * What maps to what:
 * - a browser context is one WebDriver session (a MiniBrowser with its own storage) behind its own proxy
 *   (proxy.ts: init scripts, routes, host names); a page is one of its windows (not a tab: a background
 *   tab of the MiniBrowser is hidden). WebKitWebDriver serves one session at a time, so each context has
 *   a driver of its own, from the browser's pool.
 * - `evaluate` sends the function's source and its argument, and gets the value back, with their types
 *   (values.ts); every script has a bound (IN_PAGE), since a session runs one script at a time.
 * - the clock is Playwright's, over @sinonjs/fake-timers in each page (inject.ts); `fastForward` jumps every
 *   page of the context, and a document loaded later starts at the context's time.
 * - console messages and page errors are what the page's scripts log and throw (inject.ts keeps them; they
 *   are collected after each script and, while a test listens, every 150 ms); the engine's own messages
 *   (a failed load, say) are not among them.
 * - locators (locators.ts) find elements by CSS, ARIA role and name, label and text, in the page's main
 *   frame; actions are WebDriver's (a click, keys, the wheel: trusted events), and `expect(page|locator)`
 *   works through `_expect`, as Playwright's matchers call it.
 * Anything else throws, naming what is missing. These are classes because they stand in for Playwright's
 * (its matchers check `_apiName`); what is not Playwright's API here is kept in closures and private fields.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { clockModule } from './inject';
import { BLANK, startProxy, type Answer, type ContextProxy, type Intercepted } from './proxy';
import { expectOn, Locator, pattern, type ExpectOptions } from './locators';
import { codec, read, write } from './values';
import { IN_PAGE, MINIBROWSER, sleep, startDriver, startSession, startXvfb, WebDriverError, type Session } from './webdriver';

let marks = 0;
/** Waits with no timeout of their own (auto-waiting actions, waitForURL...) end here, as a test's would. */
const WAIT = 30_000;

type Fn = ((...args: any[]) => unknown) | string;

/**
 * The script that runs a function in the page: its argument in, its value (or error) and the console out. The
 * function's source is part of the script, which WebDriver compiles itself: a page under Trusted Types
 * (require-trusted-types-for 'script') refuses `eval`, as Playwright's own evaluate is never refused. Its own
 * names start with __stintWd, so that they hide no global the function uses.
 */
const run = (source: string, expression: boolean) => `const __stintWdDone = arguments[arguments.length - 1];
const [__stintWdArgument, __stintWdBound] = arguments;
const __stintWdApi = window.__stintWebDriver;
const __stintWdReal = __stintWdApi ? __stintWdApi.real : { setTimeout: setTimeout.bind(window), clearTimeout: clearTimeout.bind(window) };
const __stintWdValues = (${codec})();
let __stintWdSettled = false;
const __stintWdSettle = (answer) => {
  if (__stintWdSettled) return;
  __stintWdSettled = true;
  __stintWdReal.clearTimeout(__stintWdTimer);
  removeEventListener('pagehide', __stintWdLeft);
  answer.messages = __stintWdApi ? __stintWdApi.drain() : [];
  __stintWdDone(__stintWdValues.write(answer));
};
const __stintWdTimer = __stintWdReal.setTimeout(() => __stintWdSettle({ failed: new Error('no answer within ' + __stintWdBound + ' ms') }), __stintWdBound);
// A page that goes into the back/forward cache is not unloaded: the driver would wait for it for good.
// (Only the browser's own pagehide: a test may dispatch one itself.)
const __stintWdLeft = (e) => e.isTrusted && __stintWdSettle({ left: true });
addEventListener('pagehide', __stintWdLeft);
try {
  if (__stintWdApi && __stintWdApi.clock) __stintWdApi.clock.sync();
  const __stintWdValue = ${expression ? `(${source}
)` : `(${source}
)(__stintWdValues.read(__stintWdArgument))`};
  Promise.resolve(__stintWdValue).then((v) => __stintWdSettle({ value: v }), (e) => __stintWdSettle({ failed: e }));
} catch (e) {
  __stintWdSettle({ failed: e });
}`;

/** Where the current document is: [marked as left by the driver, readyState, URL]. */
const WHERE = 'return [window.__stintWebDriverLeft === arguments[0], document.readyState, location.href];';
/** Marks the current document as the one a navigation leaves (not enumerable: the page's own keys stay its own). */
const LEAVE = "Object.defineProperty(window, '__stintWebDriverLeft', { value: arguments[0], configurable: true });";

const DRAIN = 'const api = window.__stintWebDriver; return api ? JSON.stringify(api.drain()) : "[]";';

interface Message {
  kind: 'console' | 'pageerror';
  type?: string;
  text?: string;
  name?: string;
  message?: string;
  stack?: string;
}

/** A navigation away, or a closed window, ended the script: Playwright's "execution context was destroyed". */
const navigated = (e: unknown) => e instanceof WebDriverError && (e.code === 'no such frame' || e.code === 'no such window');

// ---- the browser --------------------------------------------------------------------------------------

/** The WebKit a Playwright worker launches: Xvfb, and a WebKitWebDriver for each context open at once. */
export async function launchWebKit(): Promise<Browser> {
  const xvfb = process.env.STINT_DISPLAY ? null : await startXvfb();
  return new Browser(process.env.STINT_DISPLAY || xvfb!.display, () => xvfb?.stop());
}

/** `playwright` as the fixtures see it in a WebKit project: its `webkit` launches this WebKit. */
export function withWebKit<P extends object>(playwright: P): P {
  // (`_contexts`: what Playwright's artifacts recorder lists of a browser type's contexts; ours are not its)
  const webkit = { name: () => 'webkit', executablePath: () => MINIBROWSER, launch: launchWebKit, _contexts: new Set() };
  return new Proxy(playwright, { get: (target, key) => (key === 'webkit' ? webkit : Reflect.get(target, key, target)) });
}

export class Browser extends EventEmitter {
  readonly _apiName = 'Browser';
  /** (read by Playwright's `context` fixture: a launched browser has no connection headers) */
  readonly _connection = { headers: undefined };
  private open: BrowserContext[] = [];
  private drivers: { url: string; stop: () => void; busy: boolean }[] = [];

  constructor(
    private display: string,
    private stopDisplay: () => void,
  ) {
    super();
  }

  browserType() {
    return { name: () => 'webkit', executablePath: () => MINIBROWSER };
  }
  version() {
    return 'WebKitGTK MiniBrowser';
  }
  isConnected() {
    return true;
  }
  contexts() {
    return [...this.open];
  }

  async newContext(options: ContextOptions = {}): Promise<BrowserContext> {
    for (let attempt = 1; ; attempt++) {
      const driver = this.drivers.find((d) => !d.busy) ?? this.drivers[this.drivers.push({ ...(await startDriver(this.display)), busy: false }) - 1];
      driver.busy = true;
      try {
        const context = await BrowserContext.start(this, driver.url, options, () => {
          driver.busy = false;
          this.open = this.open.filter((c) => c !== context);
        });
        this.open.push(context);
        return context;
      } catch (e) {
        // A driver whose browser did not start is not used again; one more try, on a new one.
        driver.stop();
        this.drivers = this.drivers.filter((d) => d !== driver);
        if (attempt === 2) throw e;
      }
    }
  }

  async newPage(options = {}): Promise<Page> {
    const context = await this.newContext(options);
    const page = await context.newPage();
    page.once('close', () => void context.close());
    return page;
  }

  async close(): Promise<void> {
    await Promise.all(this.open.map((c) => c.close()));
    for (const driver of this.drivers) driver.stop();
    this.stopDisplay();
  }
}

// ---- the context --------------------------------------------------------------------------------------

/** What a context is made with: Playwright's options of those names (the user agent and the locale as the page reads them). */
interface ContextOptions {
  viewport?: { width: number; height: number } | null;
  userAgent?: string;
  locale?: string;
}

type UrlMatch = string | RegExp | ((url: URL) => boolean);
type RouteHandler = (route: Route, request: Request) => unknown;

/** Playwright's URL glob: `**` any characters, `*` any but a slash. */
function matches(match: UrlMatch, url: string): boolean {
  if (typeof match === 'function') return match(new URL(url));
  if (match instanceof RegExp) return match.test(url);
  if (!/[*?{]/.test(match)) return match === url;
  const pattern = match.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${pattern}$`).test(url);
}

class Request {
  constructor(private intercepted: Intercepted) {}
  url() {
    return this.intercepted.url;
  }
  method() {
    return this.intercepted.method;
  }
  headers() {
    return { ...this.intercepted.headers };
  }
}

class Route {
  constructor(
    private req: Request,
    private answer: (a: Answer) => void,
  ) {}
  request() {
    return this.req;
  }
  async continue(overrides?: object) {
    if (overrides && Object.keys(overrides).length) throw new Error('route.continue(overrides) is not in the WebKit adapter (e2e/webkit/page.ts)');
    this.answer({ continue: true });
  }
  async fallback() {
    this.answer({ continue: true });
  }
  async abort() {
    this.answer({ abort: true });
  }
  async fulfill(o: { status?: number; headers?: Record<string, string>; body?: string | Buffer; contentType?: string; json?: unknown } = {}) {
    const body = o.json !== undefined ? JSON.stringify(o.json) : o.body ?? '';
    const headers = { ...(o.headers ?? {}) };
    if (o.contentType) headers['content-type'] = o.contentType;
    if (o.json !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    this.answer({ status: o.status ?? 200, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  }
}

/** Playwright's clock (see inject.ts), for every page of a context. */
class Clock {
  /** the fake clock's lead over the real one (ms), once installed */
  offset: number | null = null;

  constructor(private context: BrowserContext) {}

  async install(options: { time?: number | string | Date } = {}) {
    this.offset = options.time === undefined ? 0 : new Date(options.time).getTime() - Date.now();
    // (fake-timers' source is part of the script: no eval, see page.ts `run`)
    const install = `(offset) => window.__stintWebDriver && window.__stintWebDriver.installClock(Date.now() + offset, ${clockModule()})`;
    for (const page of this.context.pages()) await page.script(install, this.offset, null, IN_PAGE, false);
  }

  /** Jumps: each timer due meanwhile fires once, at the end (Playwright's fastForward). */
  async fastForward(ticks: number | string) {
    await this.advance(ticks, 'jump');
  }

  /** Runs every timer due meanwhile, in order (Playwright's runFor). */
  async runFor(ticks: number | string) {
    await this.advance(ticks, 'run');
  }

  private async advance(ticks: number | string, how: 'jump' | 'run') {
    if (this.offset === null) await this.install();
    const ms = typeof ticks === 'number' ? ticks : ticks.split(':').reduce((n, part) => n * 60 + Number(part), 0) * 1000;
    this.offset! += ms;
    for (const page of this.context.pages())
      await page.evaluate(({ ms, how }) => {
        const clock = (window as any).__stintWebDriver?.clock;
        if (clock) clock[how](ms);
      }, { ms, how });
  }

  async pauseAt(): Promise<never> {
    throw new Error('clock.pauseAt is not in the WebKit adapter (e2e/webkit/page.ts)');
  }
  async setFixedTime(): Promise<never> {
    throw new Error('clock.setFixedTime is not in the WebKit adapter (e2e/webkit/page.ts)');
  }
  async setSystemTime(): Promise<never> {
    throw new Error('clock.setSystemTime is not in the WebKit adapter (e2e/webkit/page.ts)');
  }
  async resume(): Promise<never> {
    throw new Error('clock.resume is not in the WebKit adapter (e2e/webkit/page.ts)');
  }
}

export class BrowserContext extends EventEmitter {
  readonly _apiName = 'BrowserContext';
  /** (read by Playwright's toHaveURL) */
  readonly _options: { baseURL?: string } = {};
  readonly clock: Clock = new Clock(this);
  private list: Page[] = [];
  /** a window the session keeps that is no page (the first one, or one kept when the last page closed) */
  private spare: string | null;
  private scripts: { source: string; page?: Page }[] = [];
  private routes: { match: UrlMatch; handler: RouteHandler; page?: Page }[] = [];
  private closed = false;

  static async start(browser: Browser, driver: string, options: ContextOptions, released: () => void): Promise<BrowserContext> {
    let context: BrowserContext | null = null;
    const proxy = await startProxy({
      preamble: () => ({ clock: context?.clock.offset ?? null, scripts: context?.scripts.map((s) => s.source) ?? [] }),
      intercept: (request) => context?.intercept(request) ?? null,
    });
    try {
      const session = await startSession(driver, proxy.address);
      context = new BrowserContext(browser, session, proxy, options.viewport ?? null, released);
      // (as the page's scripts see them: the proxy leaves the requests' headers as MiniBrowser sends them)
      if (options.userAgent || options.locale)
        await context.addInitScript(
          ([userAgent, locale]) => {
            if (userAgent) Object.defineProperty(Navigator.prototype, 'userAgent', { configurable: true, get: () => userAgent });
            if (locale) for (const [name, value] of [['language', locale], ['languages', [locale]]] as const) Object.defineProperty(Navigator.prototype, name, { configurable: true, get: () => value });
          },
          [options.userAgent, options.locale],
        );
      return context;
    } catch (e) {
      await proxy.close();
      throw e;
    }
  }

  private constructor(
    private owner: Browser,
    readonly session: Session,
    private proxy: ContextProxy,
    readonly viewport: { width: number; height: number } | null,
    private released: () => void,
  ) {
    super();
    this.spare = session.current();
  }

  browser() {
    return this.owner;
  }
  pages() {
    return [...this.list];
  }

  newPage(): Promise<Page> {
    if (this.closed) throw new Error('browserContext.newPage: the context is closed');
    if (this.scripts.some((s) => s.page) || this.routes.some((r) => r.page))
      throw new Error("newPage after page.addInitScript or page.route: in WebKit these apply to the page's whole context (its proxy cannot tell windows apart)");
    return this.session.exclusive(async () => {
      let handle = this.spare;
      this.spare = null;
      if (!handle) handle = ((await this.session.send('POST', '/window/new', { type: 'window' })) as { handle: string }).handle;
      if (this.viewport) {
        await this.session.focus(handle);
        await this.session.send('POST', '/window/rect', { width: this.viewport.width, height: this.viewport.height }).catch(() => {});
      }
      const page = new Page(this, handle);
      this.list.push(page);
      this.emit('page', page);
      return page;
    });
  }

  /** (Page.close, within the session's lock) the window goes; the session keeps one, or it would end. */
  async closing(page: Page): Promise<void> {
    if (!this.list.includes(page)) return;
    if (this.list.length === 1 && !this.spare) this.spare = ((await this.session.send('POST', '/window/new', { type: 'window' })) as { handle: string }).handle;
    await this.session.focus(page.handle);
    await this.session.send('DELETE', '/window');
    this.session.lost();
    this.list = this.list.filter((p) => p !== page);
  }

  async close(_options?: { reason?: string }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.exclusive(() => this.session.close());
    for (const page of this.list) page.gone();
    this.list = [];
    await this.proxy.close();
    this.released();
    this.emit('close', this);
  }

  // -- init scripts and routes, applied by the proxy

  async addInitScript(script: Fn | { content?: string; path?: string }, arg?: unknown, page?: Page): Promise<void> {
    if (page && this.list.length > 1) throw new Error("page.addInitScript with other pages open: in WebKit it would apply to the page's whole context (its proxy cannot tell windows apart)");
    const source = typeof script === 'function' ? `(${script})(${JSON.stringify(arg)});` : typeof script === 'string' ? script : script.content ?? readFileSync(script.path!, 'utf8');
    this.scripts.push({ source, page });
  }

  async route(match: UrlMatch, handler: RouteHandler, page?: Page): Promise<void> {
    if (page && this.list.length > 1) throw new Error("page.route with other pages open: in WebKit it would apply to the page's whole context (its proxy cannot tell windows apart)");
    this.routes.push({ match, handler, page });
  }

  async unroute(match: UrlMatch, handler?: RouteHandler): Promise<void> {
    this.routes = this.routes.filter((r) => r.match !== match || (handler && r.handler !== handler));
  }

  async unrouteAll(): Promise<void> {
    this.routes = [];
  }

  /** The newest route that wants the request answers it, as in Playwright. */
  private intercept(request: Intercepted): Promise<Answer> | null {
    const route = [...this.routes].reverse().find((r) => matches(r.match, request.url));
    if (!route) return null;
    return new Promise<Answer>((resolve, reject) => {
      Promise.resolve(route.handler(new Route(new Request(request), resolve), new Request(request))).catch(reject);
    });
  }

  async setOffline(): Promise<never> {
    throw new Error('context.setOffline: WebKitWebDriver cannot take the browser offline');
  }

  // -- cookies: WebDriver reads and writes those of the current document's host, so the driver goes there

  /** Runs `work` with a window whose document is on `host`: a page already there, or a blank one opened for it. */
  private async at<T>(host: string, work: () => Promise<T>): Promise<T> {
    for (const page of this.list) {
      await this.session.focus(page.handle);
      const url = (await this.session.send('GET', '/url')) as string;
      if (url.startsWith('http') && new URL(url).hostname === host) return work();
    }
    const { handle } = (await this.session.send('POST', '/window/new', { type: 'window' })) as { handle: string };
    await this.session.focus(handle);
    try {
      await this.session.send('POST', '/url', { url: `http://${host}${BLANK}` });
      return await work();
    } finally {
      await this.session.send('DELETE', '/window');
      this.session.lost();
    }
  }

  private hosts(urls?: string | string[]): string[] {
    if (urls !== undefined) return [...new Set([urls].flat().map((u) => new URL(u).hostname))];
    return [...this.proxy.hosts];
  }

  cookies(urls?: string | string[]) {
    return this.session.exclusive(async () => {
      const all = new Map<string, Cookie>();
      for (const host of this.hosts(urls)) {
        const list = await this.at(host, () => this.session.send('GET', '/cookie') as Promise<WebDriverCookie[]>);
        for (const c of list) all.set(`${c.name};${c.domain};${c.path}`, fromWebDriver(c));
      }
      return [...all.values()];
    });
  }

  addCookies(cookies: Cookie[]) {
    return this.session.exclusive(async () => {
      for (const c of cookies) {
        const host = c.url ? new URL(c.url).hostname : c.domain!.replace(/^\./, '');
        const cookie = { name: c.name, value: c.value, path: c.path ?? '/', domain: c.url ? undefined : c.domain, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite, expiry: c.expires && c.expires > 0 ? Math.floor(c.expires) : undefined };
        await this.at(host, () => this.session.send('POST', '/cookie', { cookie }));
      }
    });
  }

  clearCookies(options: { name?: string } = {}) {
    return this.session.exclusive(async () => {
      for (const host of this.hosts()) await this.at(host, () => this.session.send('DELETE', options.name ? `/cookie/${encodeURIComponent(options.name)}` : '/cookie'));
    });
  }
}

interface WebDriverCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
  expiry?: number;
}
interface Cookie {
  name: string;
  value: string;
  url?: string;
  domain?: string;
  path?: string;
  expires?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}
const fromWebDriver = (c: WebDriverCookie) => ({
  name: c.name,
  value: c.value,
  domain: c.domain,
  path: c.path,
  expires: c.expiry ?? -1,
  httpOnly: c.httpOnly,
  secure: c.secure,
  sameSite: (c.sameSite ?? 'Lax') as 'Strict' | 'Lax' | 'None',
});

// ---- the page -----------------------------------------------------------------------------------------

class ConsoleMessage {
  constructor(
    private kind: string,
    private words: string,
    private from: Page,
  ) {}
  type() {
    return this.kind;
  }
  text() {
    return this.words;
  }
  args() {
    return [];
  }
  page() {
    return this.from;
  }
  location() {
    return { url: '', lineNumber: 0, columnNumber: 0 };
  }
}

const KEYS: Record<string, string> = {
  Enter: '\uE007', Tab: '\uE004', Backspace: '\uE003', Escape: '\uE00C', Space: ' ', Delete: '\uE017', Home: '\uE011', End: '\uE010',
  PageUp: '\uE00E', PageDown: '\uE00F', ArrowLeft: '\uE012', ArrowUp: '\uE013', ArrowRight: '\uE014', ArrowDown: '\uE015',
  Shift: '\uE008', Control: '\uE009', Alt: '\uE00A', Meta: '\uE03D',
};
/** Playwright's key names ('ArrowDown', 'Control+a') as WebDriver key values, modifiers first. */
const keysOf = (combo: string) => (combo.length > 1 && combo.endsWith('+') ? [...combo.slice(0, -1).split('+').filter(Boolean), '+'] : combo.split('+')).map((k) => KEYS[k] ?? k);

export class Page extends EventEmitter {
  readonly _apiName = 'Page';
  readonly keyboard;
  readonly mouse;
  private closed = false;
  private address = 'about:blank';
  private main: Frame;
  private children: Frame[] = [];
  private draining = false;
  private pointer = { x: 0, y: 0 };

  constructor(
    private owner: BrowserContext,
    readonly handle: string,
  ) {
    super();
    this.main = new Frame(this, null);
    // While a test listens to the console, it is collected on its own too (a test may poll what it heard).
    this.on('newListener', (event: string) => (event === 'console' || event === 'pageerror') && queueMicrotask(() => this.drainWhileHeard()));
    const actions = (list: unknown[]) => this.command(() => this.session().send('POST', '/actions', { actions: list }));
    const key = (type: 'keyDown' | 'keyUp', value: string) => [{ type: 'key', id: 'keyboard', actions: [{ type, value }] }];
    this.keyboard = {
      press: async (combo: string) => {
        const keys = keysOf(combo);
        await actions([{ type: 'key', id: 'keyboard', actions: [...keys.map((value) => ({ type: 'keyDown', value })), ...[...keys].reverse().map((value) => ({ type: 'keyUp', value }))] }]);
      },
      down: (k: string) => actions(key('keyDown', KEYS[k] ?? k)),
      up: (k: string) => actions(key('keyUp', KEYS[k] ?? k)),
      type: (text: string) => actions([{ type: 'key', id: 'keyboard', actions: [...text].flatMap((value) => [{ type: 'keyDown', value }, { type: 'keyUp', value }]) }]),
      insertText: (text: string) => actions([{ type: 'key', id: 'keyboard', actions: [...text].flatMap((value) => [{ type: 'keyDown', value }, { type: 'keyUp', value }]) }]),
    };
    const mouse = { type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' } };
    this.mouse = {
      move: async (x: number, y: number) => {
        this.pointer = { x: Math.round(x), y: Math.round(y) };
        await actions([{ ...mouse, actions: [{ type: 'pointerMove', origin: 'viewport', ...this.pointer }] }]);
      },
      down: () => actions([{ ...mouse, actions: [{ type: 'pointerDown', button: 0 }] }]),
      up: () => actions([{ ...mouse, actions: [{ type: 'pointerUp', button: 0 }] }]),
      click: async (x: number, y: number) => {
        this.pointer = { x: Math.round(x), y: Math.round(y) };
        await actions([{ ...mouse, actions: [{ type: 'pointerMove', origin: 'viewport', ...this.pointer }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }]);
      },
      wheel: (deltaX: number, deltaY: number) => actions([{ type: 'wheel', id: 'wheel', actions: [{ type: 'scroll', origin: 'viewport', ...this.pointer, deltaX: Math.round(deltaX), deltaY: Math.round(deltaY) }] }]),
    };
  }

  get clock() {
    return this.owner.clock;
  }
  context() {
    return this.owner;
  }
  url() {
    return this.address;
  }
  isClosed() {
    return this.closed;
  }
  mainFrame() {
    return this.main;
  }
  frames() {
    return [this.main, ...this.children];
  }
  viewportSize() {
    return this.owner.viewport;
  }

  /** (the context is gone) */
  gone() {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', this);
  }

  private session(): Session {
    return this.owner.session;
  }

  /** Runs `work` alone on this page's window. */
  command<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('Target page, context or browser has been closed'));
    return this.session().exclusive(async () => {
      if (this.closed) throw new Error('Target page, context or browser has been closed');
      await this.session().focus(this.handle);
      return work();
    });
  }

  /** Hands the page's console messages and errors to the test's listeners. */
  private deliver(messages: Message[]) {
    for (const m of messages) {
      if (m.kind === 'console') this.emit('console', new ConsoleMessage(m.type!, m.text!, this));
      else this.emit('pageerror', Object.assign(new Error(m.message), { name: m.name, stack: m.stack }));
    }
  }

  /** (within `command`) what the current document logged since the last look. */
  private async drainInside(): Promise<void> {
    const text = await this.session().send('POST', '/execute/sync', { script: DRAIN, args: [] }).catch(() => '[]');
    this.deliver(JSON.parse(text as string));
  }

  private async drainWhileHeard() {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.closed && (this.listenerCount('console') || this.listenerCount('pageerror'))) {
        await sleep(150);
        if (!this.closed) await this.command(() => this.drainInside()).catch(() => {});
      }
    } finally {
      this.draining = false;
    }
  }

  /** Runs `fn(arg)` (or the expression `fn`) in the page or one of its frames; resolves its value, with its type. */
  async script(fn: Fn, arg: unknown, frame: number | null = null, bound = IN_PAGE, expression = typeof fn !== 'function'): Promise<unknown> {
    const script = run(typeof fn === 'function' ? fn.toString() : fn, expression);
    const args = [write(arg), bound];
    let answer: string;
    try {
      answer = (await this.command(() => this.inFrame(frame, () => this.session().send('POST', '/execute/async', { script, args })))) as string;
    } catch (e) {
      if (navigated(e)) throw new Error(`Execution context was destroyed, most likely because of a navigation (${(e as Error).message})`);
      throw e;
    }
    const reply = read(answer) as { value?: unknown; failed?: unknown; left?: true; messages: Message[] };
    this.deliver(reply.messages);
    if (reply.left) throw new Error('Execution context was destroyed, most likely because of a navigation (the page was hidden before the script answered)');
    if ('failed' in reply) {
      const failed = reply.failed;
      throw failed instanceof Error ? failed : new Error(typeof failed === 'string' ? failed : JSON.stringify(failed));
    }
    return reply.value;
  }

  /** (within `command`) `work` in the window's `index`-th iframe, or in the window itself. */
  private async inFrame<T>(index: number | null, work: () => Promise<T>): Promise<T> {
    if (index === null) return work();
    const element = await this.session().send('POST', '/execute/sync', { script: 'return document.querySelectorAll("iframe")[arguments[0]] || null', args: [index] });
    if (!element) throw new Error(`frame ${index} is gone`);
    await this.session().send('POST', '/frame', { id: element });
    try {
      return await work();
    } finally {
      await this.session().send('POST', '/frame/parent', {});
    }
  }

  evaluate<R = unknown>(fn: Fn, arg?: unknown): Promise<R> {
    return this.script(fn, arg) as Promise<R>;
  }

  /** Polls `fn(arg)` until it is truthy (across navigations), within `timeout`. */
  async waitForFunction(fn: Fn, arg?: unknown, options: { polling?: number | 'raf'; timeout?: number } = {}, frame: number | null = null) {
    const deadline = Date.now() + (options.timeout || WAIT);
    const every = typeof options.polling === 'number' ? options.polling : 20;
    // The predicate's source is part of the poller's (no eval: see `run`); the poller answers within a second.
    const predicate = typeof fn === 'function' ? `(${fn})` : `(() => (${fn}))`;
    const poll = `({ arg, every }) =>
      new Promise((resolve) => {
        const real = (window.__stintWebDriver && window.__stintWebDriver.real) || { setTimeout: setTimeout.bind(window), now: Date.now.bind(Date) };
        const until = real.now() + 1000;
        const check = () => {
          const value = ${predicate}(arg);
          if (value || real.now() > until) resolve(value || null);
          else real.setTimeout(check, every);
        };
        check();
      })`;
    for (;;) {
      const value = await this.script(`(${poll})`, { arg, every }, frame, IN_PAGE, false).catch((e) => {
        if (/Execution context was destroyed/.test(String(e))) return null;
        throw e;
      });
      if (value) return { jsonValue: async () => value, dispose: async () => {} };
      if (Date.now() > deadline) throw new Error(`page.waitForFunction: Timeout ${options.timeout || WAIT}ms exceeded`);
      await sleep(every);
    }
  }

  /**
   * (within `command`) Starts a navigation with `start` and waits, bounded, until a new document is current
   * and has reached `waitUntil` ('load': its load event; 'domcontentloaded': its DOM; 'commit': any).
   * Without `start`, waits for the current document.
   */
  private async navigate(start: (() => Promise<unknown>) | null, waitUntil = 'load'): Promise<void> {
    const mark = start ? `left-${++marks}` : '';
    if (start) {
      await this.session().send('POST', '/execute/sync', { script: LEAVE, args: [mark] }).catch(() => {});
      await this.drainInside();
      await start();
    }
    const ready = waitUntil === 'commit' ? ['loading', 'interactive', 'complete'] : waitUntil === 'domcontentloaded' ? ['interactive', 'complete'] : ['complete'];
    const deadline = Date.now() + WAIT;
    for (;;) {
      const [old, state, url] = ((await this.session().send('POST', '/execute/sync', { script: WHERE, args: [mark] }).catch(() => [true])) as [boolean, string, string]);
      if (!old && ready.includes(state)) return void (this.address = url);
      if (Date.now() > deadline) throw new Error(`navigation: no new document ${waitUntil === 'commit' ? '' : `reached '${waitUntil}' `}within ${WAIT} ms (at ${url ?? this.address})`);
      await sleep(20);
    }
  }

  goto(url: string, options: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit' } = {}) {
    return this.command(async () => {
      await this.navigate(() => this.session().send('POST', '/url', { url }), options.waitUntil);
      return null;
    });
  }

  reload(options: { waitUntil?: 'load' | 'domcontentloaded' | 'commit' } = {}) {
    return this.command(async () => {
      await this.navigate(() => this.session().send('POST', '/refresh', {}), options.waitUntil);
      return null;
    });
  }

  goBack(options: { waitUntil?: 'load' | 'domcontentloaded' | 'commit' } = {}) {
    return this.command(async () => {
      await this.navigate(() => this.session().send('POST', '/back', {}), options.waitUntil);
      return null;
    });
  }

  goForward(options: { waitUntil?: 'load' | 'domcontentloaded' | 'commit' } = {}) {
    return this.command(async () => {
      await this.navigate(() => this.session().send('POST', '/forward', {}), options.waitUntil);
      return null;
    });
  }

  /** Waits until the page's document is at `url` (its own location: WebDriver's may name a document still to come) and has loaded. */
  async waitForURL(url: UrlMatch, options: { timeout?: number; waitUntil?: string } = {}) {
    const deadline = Date.now() + (options.timeout || WAIT);
    const ready = options.waitUntil === 'commit' ? ['loading', 'interactive', 'complete'] : options.waitUntil === 'domcontentloaded' ? ['interactive', 'complete'] : ['complete'];
    let at = this.address;
    for (;;) {
      const [, state, href] = (await this.command(() => this.session().send('POST', '/execute/sync', { script: WHERE, args: [''] })).catch(() => [])) as [boolean, string, string];
      if (href) at = href;
      if (href && matches(url, href) && ready.includes(state)) return void (this.address = href);
      if (Date.now() > deadline) throw new Error(`page.waitForURL: Timeout ${options.timeout || WAIT}ms exceeded: at ${at}`);
      await sleep(20);
    }
  }

  async waitForLoadState(state: 'load' | 'domcontentloaded' | 'networkidle' = 'load') {
    await this.command(() => this.navigate(null, state === 'networkidle' ? 'load' : state));
  }

  waitForTimeout(ms: number) {
    return sleep(ms);
  }

  async waitForEvent(event: string, options: { timeout?: number } | ((x: unknown) => boolean) = {}): Promise<any> {
    const timeout = (typeof options === 'object' && options.timeout) || WAIT;
    if (event === 'frameattached') {
      const deadline = Date.now() + timeout;
      for (;;) {
        const count = (await this.evaluate(() => document.querySelectorAll('iframe').length)) as number;
        if (count > this.children.length) {
          this.children = Array.from({ length: count }, (_, i) => this.children[i] ?? new Frame(this, i));
          return this.children[this.children.length - 1];
        }
        if (Date.now() > deadline) throw new Error(`page.waitForEvent('frameattached'): Timeout ${timeout}ms exceeded`);
        await sleep(50);
      }
    }
    if (event === 'crash') throw new Error("page.waitForEvent('crash'): WebKitWebDriver ends the session when a page crashes");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`page.waitForEvent('${event}'): Timeout ${timeout}ms exceeded`)), timeout);
      this.once(event, (value) => (clearTimeout(timer), resolve(value)));
    });
  }

  title() {
    return this.evaluate(() => document.title) as Promise<string>;
  }

  content() {
    return this.evaluate(() => document.documentElement.outerHTML) as Promise<string>;
  }

  addInitScript(script: Fn | { content?: string; path?: string }, arg?: unknown) {
    return this.owner.addInitScript(script, arg, this);
  }

  route(match: UrlMatch, handler: RouteHandler) {
    return this.owner.route(match, handler, this);
  }

  unroute(match: UrlMatch, handler?: RouteHandler) {
    return this.owner.unroute(match, handler);
  }

  async setOffline(): Promise<never> {
    return this.owner.setOffline();
  }

  /** A script element, run (or loaded) before it resolves. */
  async addScriptTag(options: { url?: string; content?: string; type?: string }) {
    await this.evaluate(
      ({ url, content, type }) =>
        new Promise<void>((resolve, reject) => {
          const script = document.createElement('script');
          if (type) script.type = type;
          if (url) {
            script.src = url;
            script.onload = () => resolve();
            script.onerror = () => reject(new Error(`could not load ${url}`));
          } else script.text = content ?? '';
          document.head.append(script);
          if (!url) resolve();
        }),
      options,
    );
    return null;
  }

  async screenshot(options: { path?: string } = {}): Promise<Buffer> {
    const png = Buffer.from((await this.command(() => this.session().send('GET', '/screenshot'))) as string, 'base64');
    if (options.path) {
      mkdirSync(dirname(options.path), { recursive: true });
      writeFileSync(options.path, png);
    }
    return png;
  }

  async bringToFront() {
    await this.command(async () => {});
  }

  async setViewportSize(size: { width: number; height: number }) {
    await this.command(() => this.session().send('POST', '/window/rect', size));
  }

  /** Closes the window, as a person closes a tab: its pagehide runs, its beacons leave. */
  async close(_options?: { runBeforeUnload?: boolean }) {
    if (this.closed) return;
    await this.session().exclusive(async () => {
      if (this.closed) return;
      await this.session().focus(this.handle);
      await this.drainInside();
      await this.owner.closing(this);
      this.closed = true;
    });
    this.emit('close', this);
  }

  // -- locators

  locator(selector: string, options: { hasText?: string | RegExp } = {}) {
    return new Locator(this, [{ css: selector }, ...(options.hasText !== undefined ? [{ hasText: pattern(options.hasText) }] : [])]);
  }
  getByRole(role: string, options: { name?: string | RegExp; exact?: boolean } = {}) {
    return new Locator(this, [{ role, name: pattern(options.name), exact: !!options.exact }]);
  }
  getByLabel(text: string | RegExp, options: { exact?: boolean } = {}) {
    return new Locator(this, [{ label: pattern(text), exact: !!options.exact }]);
  }
  getByText(text: string | RegExp, options: { exact?: boolean } = {}) {
    return new Locator(this, [{ text: pattern(text), exact: !!options.exact }]);
  }
  click(selector: string, options?: object) {
    return this.locator(selector).click(options);
  }
  fill(selector: string, value: string) {
    return this.locator(selector).fill(value);
  }
}

/** A frame of a page: the main one (null), or the page's `index`-th iframe. */
class Frame {
  readonly _apiName = 'Frame';
  constructor(
    private owner: Page,
    readonly index: number | null,
  ) {}
  page() {
    return this.owner;
  }
  evaluate<R = unknown>(fn: Fn, arg?: unknown): Promise<R> {
    return this.owner.script(fn, arg, this.index) as Promise<R>;
  }
  waitForFunction(fn: Fn, arg?: unknown, options?: { polling?: number | 'raf'; timeout?: number }) {
    return this.owner.waitForFunction(fn, arg, options, this.index);
  }
  waitForURL(url: UrlMatch, options?: { timeout?: number }) {
    if (this.index !== null) throw new Error('frame.waitForURL of an iframe is not in the WebKit adapter (e2e/webkit/page.ts)');
    return this.owner.waitForURL(url, options);
  }
  url() {
    return this.index === null ? this.owner.url() : '';
  }
  locator(selector: string) {
    if (this.index !== null) throw new Error('locators in an iframe are not in the WebKit adapter (e2e/webkit/page.ts)');
    return this.owner.locator(selector);
  }
  /** Playwright's matchers for a page (toHaveTitle, toHaveURL) come here. */
  _expect(expression: string, options: ExpectOptions) {
    return expectOn(this.owner, [], expression, options);
  }
}
