/**
 * What every document of a WebKit context runs before its own scripts, as Playwright's init scripts do:
 * the proxy (proxy.ts) writes it at the top of each HTML page it serves. It keeps the page's console
 * messages and uncaught errors for the driver to collect (classic WebDriver has no console), installs the
 * context's fake clock when the test installed one, then runs the test's init scripts (addInitScript).
 */
import { readFileSync } from 'node:fs';

/** @sinonjs/fake-timers, a CommonJS module, loaded in the page by `clockModule` below. */
const FAKE_TIMERS = readFileSync(require.resolve('@sinonjs/fake-timers'), 'utf8');

/** What a context asks of its documents at the moment one is served. */
export interface Preamble {
  /** the fake clock's lead over the real one (ms), or null: the real clock */
  clock: number | null;
  /** the init scripts' sources, in the order they were added */
  scripts: string[];
}

/** The `<script>` the proxy writes at the top of a document. */
export function preambleScript(preamble: Preamble): string {
  const clock = preamble.clock === null ? 'null' : clockModule();
  const source = `(${bootstrap})(${JSON.stringify(preamble)}, ${clock});${preamble.scripts.map((s) => `\ntry { ${s}\n} catch (e) { console.error(e); }`).join('')}`;
  // (a script element that goes away once run: the page's DOM stays its own)
  return `<script>${source.replace(/<\/script/gi, '<\\/script')}\ndocument.currentScript && document.currentScript.remove();</script>`;
}

/** A function that loads @sinonjs/fake-timers in the page and returns it (no Node module reaches it there). */
export function clockModule(): string {
  return `function () { const module = { exports: {} }; const require = (name) => { if (name === '@sinonjs/commons') return { global: window }; throw new Error(name); }; (function (module, exports, require) { ${FAKE_TIMERS}\n })(module, module.exports, require); return module.exports; }`;
}

/**
 * Runs in the page. `window.__stintWebDriver` (not enumerable) is the driver's handle: the real timers
 * (a wait of the driver's is bounded in real time even under a fake clock), the messages kept for it, and
 * the clock.
 */
function bootstrap(preamble: { clock: number | null }, fakeTimers: (() => any) | null) {
  const w = window as any;
  if (w.__stintWebDriver) return;
  const real = { setTimeout: setTimeout.bind(window), clearTimeout: clearTimeout.bind(window), now: Date.now.bind(Date), perf: performance.now.bind(performance) };
  const messages: { kind: 'console' | 'pageerror'; type?: string; text?: string; name?: string; message?: string; stack?: string }[] = [];
  const keep = (m: (typeof messages)[number]) => messages.push(m) > 10_000 && messages.shift();
  const api: Record<string, unknown> = { real, drain: () => messages.splice(0, messages.length), clock: null };
  Object.defineProperty(w, '__stintWebDriver', { value: api });

  const text = (v: unknown): string => {
    try {
      if (typeof v === 'string') return v;
      if (v instanceof Error) return String(v);
      if (typeof v === 'object' && v !== null) return JSON.stringify(v) ?? String(v);
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  // The types Playwright's ConsoleMessage.type() names (console.warn is 'warning').
  const types: Record<string, string> = { log: 'log', debug: 'debug', info: 'info', warn: 'warning', error: 'error', trace: 'trace', dir: 'dir', table: 'table' };
  for (const method of Object.keys(types)) {
    const original = (console as any)[method];
    if (typeof original !== 'function') continue;
    (console as any)[method] = function (this: unknown, ...args: unknown[]) {
      keep({ kind: 'console', type: types[method], text: args.map(text).join(' ') });
      return original.apply(this, args);
    };
  }
  addEventListener('error', (e) => keep({ kind: 'pageerror', name: e.error?.name ?? 'Error', message: e.error?.message ?? e.message, stack: e.error?.stack }));
  addEventListener('unhandledrejection', (e) => keep({ kind: 'pageerror', name: e.reason?.name ?? 'Error', message: e.reason instanceof Error ? e.reason.message : text(e.reason) }));

  /**
   * Playwright's clock, over @sinonjs/fake-timers: it runs with real time (synced every frame's worth of
   * real milliseconds, and before each of the driver's scripts), and `jump` is Playwright's fastForward
   * (each timer due meanwhile fires once, at the end). performance.now follows it.
   */
  api.installClock = (now: number, load: () => any) => {
    if (api.clock) return;
    const clock = load()
      .withGlobal(window)
      .install({ now, toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback'], ignoreMissingTimers: true });
    let last = real.now();
    const sync = () => {
      const at = real.now();
      if (at > last) clock.tick(at - last);
      last = Math.max(last, at);
    };
    const base = { fake: clock.now as number, perf: real.perf() };
    Object.defineProperty(performance, 'now', { configurable: true, value: () => base.perf + (clock.now - base.fake) });
    const loop = () => {
      try {
        sync();
      } finally {
        real.setTimeout(loop, 16);
      }
    };
    real.setTimeout(loop, 16);
    api.clock = { sync, jump: (ms: number) => (sync(), clock.jump(ms)), run: (ms: number) => (sync(), clock.tick(ms)) };
  };
  if (preamble.clock !== null && fakeTimers) (api.installClock as (n: number, l: () => any) => void)(real.now() + preamble.clock, fakeTimers);
}
