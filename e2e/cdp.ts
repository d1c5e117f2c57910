/**
 * A Chromium driven over the DevTools protocol alone, for what Playwright's pages cannot show: a page that is
 * hidden for real, and frozen (Page Lifecycle `freeze` / `resume`). Playwright keeps the pages it drives
 * visible (its focus emulation), so `Page.setWebLifecycleState` does nothing there; here a background tab is
 * hidden as in a user's browser, and freezing it fires `freeze`, then `resume`.
 * https://chromedevtools.github.io/devtools-protocol/tot/Page/#method-setWebLifecycleState
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, executablePath } from '../scripts/chromium.mjs';

/** Every wait here is bounded. */
const WAIT = 10_000;
/**
 * An evaluation may await Stint's `flush()` in a background tab, whose timers Chrome throttles (a hidden page's
 * timers run at most once a second, within a CPU budget: https://developer.chrome.com/blog/timer-throttling-in-chrome-88):
 * beside the whole suite one went past 10 s (e2e/freeze.spec.ts, chromium-tag, once in a repeat run).
 */
const EVALUATE_WAIT = 30_000;

export interface CdpTab {
  /** Evaluates `fn(...args)` in the page, awaited, and returns its value (JSON). */
  run<T = unknown>(fn: (...args: any[]) => unknown, ...args: unknown[]): Promise<T>;
  /** Brings the tab to the front: the others are hidden. */
  activate(): Promise<void>;
  /** `frozen`: the page is frozen (`freeze` fires); else it runs again (`resume`). */
  lifecycle(state: 'frozen' | 'active'): Promise<void>;
}

export interface CdpBrowser {
  /** A new tab at `url`, loaded. */
  open(url: string): Promise<CdpTab>;
  /**
   * Discards the tab at `url` as Chrome does (no pagehide, no unload: the page is gone), then brings it to the front,
   * where it reloads (`document.wasDiscarded`): the reloaded page, loaded. The protocol has no command for it: an
   * extension's `chrome.tabs.discard` does it (e2e/discard/, loaded with `launchCdp({ discard: true })`).
   */
  discard(url: string): Promise<CdpTab>;
  close(): Promise<void>;
}

function within<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Starts a headless Chromium of its own (a fresh profile) and connects to it; `discard`: with the extension that discards tabs. */
export async function launchCdp(args: string[] = [], { discard = false } = {}): Promise<CdpBrowser> {
  if (!executablePath) throw new Error('no Chromium for the DevTools protocol tests (STINT_CHROMIUM)');
  const profile = mkdtempSync(join(tmpdir(), 'stint-cdp-'));
  const extension = join(__dirname, 'discard');
  // (DevTools reaches an extension's worker only with --enable-unsafe-extension-debugging)
  const withExtension = discard ? [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`, '--enable-unsafe-extension-debugging'] : [];
  const chrome = spawn(executablePath, ['--headless=new', '--remote-debugging-port=0', `--user-data-dir=${profile}`, ...CHROMIUM_ARGS, ...withExtension, ...args, 'about:blank']);
  const endpoint = await within(
    new Promise<string>((resolve, reject) => {
      let said = '';
      chrome.stderr.on('data', (chunk) => {
        said += chunk;
        const found = /DevTools listening on (ws:\S+)/.exec(said);
        if (found) resolve(found[1]);
      });
      chrome.on('exit', () => reject(new Error(`Chromium exited: ${said.slice(-500)}`)));
    }),
    'Chromium start',
  );
  const socket = new WebSocket(endpoint);
  await within(new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject))), 'DevTools connection');
  let last = 0;
  const answers = new Map<number, (message: { result?: any; error?: { message: string } }) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    answers.get(message.id)?.(message);
    answers.delete(message.id);
  });
  /** `what` names the call in a timeout's error (an evaluation: its expression's start). */
  const send = async (method: string, params: object = {}, sessionId?: string, what = method): Promise<any> => {
    const id = ++last;
    const answer = await within(
      new Promise<{ result?: any; error?: { message: string } }>((resolve) => (answers.set(id, resolve), socket.send(JSON.stringify({ id, method, params, sessionId })))),
      what,
      method === 'Runtime.evaluate' ? EVALUATE_WAIT : WAIT,
    );
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  };

  // The extension's worker (e2e/discard/), which runs at start: attached now, which keeps it running (an idle
  // extension worker stops after 30 s, but not while DevTools is attached to it).
  let worker = '';
  for (let i = 0; discard && !worker; i++) {
    const { targetInfos } = await send('Target.getTargets');
    const found = targetInfos.find((t: { type: string; url: string }) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
    if (found) worker = (await send('Target.attachToTarget', { targetId: found.targetId, flatten: true })).sessionId;
    else if (i > WAIT / 50) throw new Error('the discarding extension did not start');
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Evaluates `fn(...args)` in the target of `sessionId`, awaited. */
  const runIn =
    (sessionId: string) =>
    async <T>(fn: ((...args: any[]) => unknown) | string, ...args: unknown[]): Promise<T> => {
      const expression = typeof fn == 'string' ? fn : `(${fn.toString()})(...${JSON.stringify(args)})`;
      const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId, `Runtime.evaluate ${expression.replace(/\s+/g, ' ').slice(0, 120)}`);
      if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description || exceptionDetails.text}`);
      return result.value as T;
    };
  /** The page target `targetId`, once the document of `url` is complete (polled, bounded). */
  const tabOf = async (targetId: string, url: string, navigate: boolean): Promise<CdpTab> => {
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const run = runIn(sessionId);
    await send('Page.enable', {}, sessionId);
    if (navigate) await send('Page.navigate', { url }, sessionId);
    for (let i = 0; ; i++) {
      const state = await run<string>(() => location.href + ' ' + document.readyState).catch(() => '');
      if (state === `${url} complete`) break;
      if (i > WAIT / 50) throw new Error(`${url} did not load`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      run,
      activate: () => send('Target.activateTarget', { targetId }).then(() => undefined),
      lifecycle: (state) => send('Page.setWebLifecycleState', { state }, sessionId).then(() => undefined),
    };
  };

  return {
    async open(url) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      return tabOf(targetId, url, true);
    },
    async discard(url) {
      if (!worker) throw new Error('no discarding extension: launchCdp([], { discard: true })');
      await runIn(worker)(`discardAndShow(${JSON.stringify(url)})`);
      // (the reloaded page is a target of its own)
      for (let i = 0; ; i++) {
        const { targetInfos: now } = await send('Target.getTargets');
        const page = now.find((t: { type: string; url: string }) => t.type === 'page' && t.url === url);
        if (page) return tabOf(page.targetId, url, false);
        if (i > WAIT / 50) throw new Error(`the discarded tab at ${url} did not come back`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await send('Browser.close').catch(() => {});
      socket.close();
      if (chrome.exitCode === null) await within(new Promise((resolve) => chrome.once('exit', resolve)), 'Chromium exit').catch(() => chrome.kill('SIGKILL'));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
