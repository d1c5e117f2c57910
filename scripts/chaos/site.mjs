// One site in a real Chromium for the chaos harness (scripts/chaos.mjs): the browser, its tabs, and what the
// schedule does to them, each step bounded.
//
// The browser is Debian's Chromium started here with a DevTools port (as e2e/cdp.ts starts it) and driven by
// Playwright over it (`connectOverCDP`, its default context: one profile, one site). Not `chromium.launch()`: the
// browser Playwright launches keeps every page visible (it opens each in a window of its own and emulates focus) and
// turns off what a hidden tab meets (`--disable-background-timer-throttling`, `--disable-renderer-backgrounding`,
// `--disable-back-forward-cache`); here tabs share one window, the tabs behind the front one are hidden for real,
// their timers throttled to once a second, `Page.setWebLifecycleState` freezes them, and a page left for another
// goes into the back/forward cache.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, executablePath } from '../chromium.mjs';

/** `promise`, or `fallback` (or a rejection naming `what`) once `ms` have passed. */
export function within(promise, ms, what) {
  let timer;
  const late = new Promise(
    (resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  );
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Chromium of its own (a fresh profile), Playwright connected to it. */
export async function launch() {
  if (!executablePath) throw new Error('no Chromium (STINT_CHROMIUM)');
  const profile = mkdtempSync(join(tmpdir(), 'stint-chaos-'));
  const args = [
    '--headless=new',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    ...CHROMIUM_ARGS,
    'about:blank',
  ];
  const chrome = spawn(executablePath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await within(
    new Promise((resolve, reject) => {
      let said = '';
      chrome.stderr.on('data', (chunk) => {
        said += chunk;
        const found = /DevTools listening on (ws:\S+)/.exec(said);
        if (found) resolve(found[1]);
      });
      chrome.once('exit', () => reject(new Error(`Chromium exited: ${said.slice(-300)}`)));
    }),
    15_000,
    'Chromium start',
  );
  // (noDefaults: no focus emulation in the default context, so that a tab behind is hidden)
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, timeout: 15_000 });
  const context = browser.contexts()[0];
  const top = await browser.newBrowserCDPSession();
  return {
    context,
    top,
    async close() {
      await within(browser.close(), 10_000, 'close').catch(() => {});
      if (chrome.exitCode === null) chrome.kill('SIGKILL');
      await within(
        new Promise((resolve) => (chrome.exitCode === null ? chrome.once('exit', resolve) : resolve())),
        5000,
        'exit',
      ).catch(() => {});
      // (the browser's helpers may still write there for a moment)
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
      } catch {}
    },
  };
}

/** How long one step in a tab may take before it counts as unanswered. */
const STEP = 15_000;
/** A call the page should answer at once (a `track`) that takes longer than this is noted. */
const SLOW_CALL = 2000;

/**
 * The site's tabs. `url(doc)`: the chaos page's URL; `note(kind, fields)`: the run's record of what happened (exits,
 * flushes, slow calls...). Each tab runs its steps one after another (`tab.chain`); a step that names a closed tab,
 * or one that cannot play it now (a frozen tab cannot be clicked), does nothing.
 */
export function startTabs({ context, top }, url, note, state) {
  const tabs = [];
  let front = null;

  /** Evaluates `fn(arg)` in the tab's page, bounded; a call that took long is noted. */
  const run = async (tab, what, fn, arg, ms = STEP) => {
    const began = Date.now();
    try {
      return await within(tab.page.evaluate(fn, arg), ms, what);
    } finally {
      const took = Date.now() - began;
      if (took > SLOW_CALL && !tab.frozen && what !== 'flush')
        note('slow', { tab: tab.n, doc: tab.doc, what, at: began, ms: took });
    }
  };

  /** The tab's page, once Stint runs there: its document's id (null: no chaos page, e.g. a failed offline load). */
  const settle = async (tab) => {
    tab.doc = null;
    const doc = await run(tab, 'load', () => window.__doc ?? null).catch(() => null);
    if (!doc) return;
    // (polled from here: a hidden tab's own timers may not run for seconds, Chromium's budget for background timers)
    for (let i = 0; i < 200 && !(await run(tab, 'loaded', () => !!window.__stintLoaded).catch(() => true)); i++)
      await sleep(50);
    await run(tab, 'ready', () => stint('ready'), undefined, 10_000).catch(() => note('unready', { tab: tab.n, doc }));
    tab.doc = doc;
    note('page', { tab: tab.n, doc, at: Date.now() });
  };

  const cdpOf = async (tab) => (tab.cdp ||= await context.newCDPSession(tab.page));

  /** Opens a tab at the chaos page, in front or `behind` the others. */
  function open(behind) {
    const tab = { n: tabs.length, page: null, doc: null, frozen: false, closed: false };
    tabs.push(tab);
    // (the tab's steps wait for its page)
    return (tab.chain = within(load(tab, behind), 60_000, 'open').catch((e) =>
      note('error', { tab: tab.n, what: e.message, at: Date.now() }),
    ));
  }

  async function load(tab, behind) {
    const blank = context.pages().find((p) => p.url() === 'about:blank' && !tabs.some((t) => t.page === p));
    if (behind && tabs.length > 1) {
      const made = context.waitForEvent('page', { timeout: STEP });
      await top.send('Target.createTarget', { url: url(), background: true });
      tab.page = await made;
      await tab.page.waitForLoadState('load', { timeout: STEP }).catch(() => {});
    } else {
      tab.page = blank ?? (await context.newPage());
      if (blank) await tab.page.bringToFront();
      front = tab;
      await tab.page.goto(url(), { timeout: STEP }).catch(() => {});
    }
    // (Stint never throws into the page)
    tab.page.on('pageerror', (e) => note('thrown', { tab: tab.n, doc: tab.doc, what: e.message, at: Date.now() }));
    // (the tab's main-thread time, all its documents': the multi-tab work's cost, read as the tab closes or the run
    // ends)
    await (await cdpOf(tab)).send('Performance.enable').catch(() => {});
    await settle(tab);
  }

  /** The tab's main-thread time so far (s): its tasks, and the script among them. */
  const cpu = async (tab) => {
    const { metrics } = await within((await cdpOf(tab)).send('Performance.getMetrics'), 5000, 'metrics').catch(() => ({
      metrics: [],
    }));
    const of = (name) => metrics.find((m) => m.name === name)?.value;
    if (of('TaskDuration') !== undefined) tab.cpu = { task: of('TaskDuration'), script: of('ScriptDuration') };
    return tab.cpu;
  };

  /** `step(tab)` after the tab's earlier steps, bounded; nothing for a tab that is not (or no longer) there. */
  const queue = (n, step) => {
    const tab = tabs[n];
    if (!tab || tab.closed) return Promise.resolve();
    return (tab.chain = tab.chain
      .then(() => (tab.closed ? null : within(step(tab), 60_000, 'step')))
      .catch((e) => note('error', { tab: n, doc: tab.doc, what: e.message.split('\n')[0], at: Date.now() })));
  };

  /** A tab's page after a failed load (offline): loaded again once the network is back. */
  const ensure = async (tab) => {
    if (tab.doc || state.offline) return !!tab.doc;
    await tab.page.goto(url(), { timeout: STEP }).catch(() => {});
    await settle(tab);
    return !!tab.doc;
  };

  const resume = async (tab) => {
    if (!tab.frozen) return;
    tab.frozen = false;
    await (await cdpOf(tab)).send('Page.setWebLifecycleState', { state: 'active' }).catch(() => {});
    note('resume', { tab: tab.n, doc: tab.doc, at: Date.now() });
  };

  const exit = (tab, how) =>
    note('exit', { tab: tab.n, doc: tab.doc, how, at: Date.now(), offline: state.offline, frozen: tab.frozen });

  const steps = {
    track: (tab, { n }) =>
      ensure(tab).then(
        (ok) => ok && !tab.frozen && run(tab, 'track', ([name, n]) => __track(name, n), [`t${tab.n}`, n]),
      ),
    steady: (tab, { every, n }) =>
      ensure(tab).then(
        (ok) =>
          ok &&
          !tab.frozen &&
          run(tab, 'steady', ([name, every, n]) => __steady(name, every, n), [`s${tab.n}`, every, n]),
      ),
    show: async (tab) => {
      await resume(tab);
      await tab.page.bringToFront();
      front = tab;
    },
    freeze: async (tab, { ms }) => {
      // (Chrome freezes tabs in the background only)
      if (tab === front || tab.frozen || !tab.doc) return;
      tab.frozen = true;
      note('freeze', { tab: tab.n, doc: tab.doc, at: Date.now(), ms });
      await (await cdpOf(tab)).send('Page.setWebLifecycleState', { state: 'frozen' }).catch(() => {});
      setTimeout(() => void queue(tab.n, resume), ms);
    },
    away: async (tab, { ms }) => {
      if (tab.frozen || !tab.doc) return;
      const doc = tab.doc;
      exit(tab, 'away');
      await tab.page.goto(url().replace('chaos.html', 'other.html'), { timeout: STEP }).catch(() => {});
      await sleep(ms);
      await tab.page.goBack({ waitUntil: 'commit', timeout: STEP }).catch(() => {});
      await settle(tab);
      note('back', { tab: tab.n, doc: tab.doc, was: doc, at: Date.now() });
    },
    reload: async (tab) => {
      if (tab.frozen || !tab.doc) return;
      exit(tab, 'reload');
      await tab.page.reload({ timeout: STEP }).catch(() => {});
      await settle(tab);
    },
    close: async (tab) => {
      if (tabs.filter((t) => !t.closed).length < 2) return;
      exit(tab, 'close');
      await cpu(tab);
      tab.closed = true;
      await within(tab.page.close(), STEP, 'close').catch(() => {});
      if (front === tab) front = null;
    },
  };

  /** A flush, measured in the page, alongside the tab's steps (a flush may wait out an outage). */
  const flush = (n, ms = 60_000) => {
    const tab = tabs[n];
    if (!tab || tab.closed || tab.frozen || !tab.doc) return Promise.resolve();
    const record = { tab: n, doc: tab.doc, at: Date.now() };
    note('flush', record);
    return run(tab, 'flush', () => __flush(), undefined, ms).then(
      (took) => (record.ms = took),
      (e) => (record.failed = /no answer/.test(e.message) ? 'unresolved' : 'page gone'),
    );
  };

  return { tabs, open, queue, steps, flush, resume, ensure, settle, cpu, front: () => front };
}
