/**
 * The run's account per engine, printed after Playwright's own report: titles played, skipped (each with its
 * reason: for WebKit, the list in e2e/webkit/skips.ts), failed and flaky, and the engine's wall time (from its
 * first test's start to its last test's end) beside its busy time (its tests' durations added up, workers
 * counted apart). The ESM build's tests are titles of their own ("the ESM build › ...", e2e/npm.ts). The titles
 * the webkit project leaves out (e2e/webkit/skips.ts) are counted as skipped there. Last, each failed run's
 * first lines of error: a long run's log is often read from its tail alone (CI keeps the end). Before them,
 * each engine's slowest tests.
 */
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { webkitCannot, webkitSkips } from './webkit/skips';

interface Engine {
  first: number;
  last: number;
  busy: number;
  runs: number;
  played: Set<string>;
  skipped: Map<string, Set<string>>;
  failed: Set<string>;
  flaky: Set<string>;
  /** each run's duration (ms) and title, for the slowest */
  durations: [number, string][];
}

const minutes = (ms: number) => `${Math.floor(ms / 60_000)}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

export default class EngineSummary implements Reporter {
  private engines = new Map<string, Engine>();
  /** the titles WebKit leaves out, as this run's other projects name them (or as the list writes them) */
  private leftOut = new Map<string, string>();

  onBegin(config: FullConfig, suite: Suite) {
    if (!config.projects.some((p) => p.name.startsWith('webkit'))) return;
    for (const test of suite.allTests()) {
      const title = test.titlePath().slice(3).join(' › ');
      const why = webkitCannot(title);
      if (why) this.leftOut.set(title, why);
    }
    this.alone = !suite.suites.some((project) => !project.title.startsWith('webkit'));
  }
  /** WebKit ran alone: what it leaves out is not in this run to be counted, and is printed as the list says it */
  private alone = false;
  /** each spec file's busy time per engine (`<file> <engine>`), for the table of where the time goes */
  private files = new Map<string, number>();
  /** each failed run: its project and title, and its error's first lines */
  private failures: string[] = [];

  onTestEnd(test: TestCase, result: TestResult) {
    const name = test.parent.project()?.name.split('-')[0] ?? 'other';
    const engine = this.engines.get(name) ?? { first: Infinity, last: 0, busy: 0, runs: 0, played: new Set(), skipped: new Map(), failed: new Set(), flaky: new Set(), durations: [] as [number, string][] };
    this.engines.set(name, engine);
    const title = test.titlePath().slice(3).join(' › ');
    const start = result.startTime.getTime();
    engine.first = Math.min(engine.first, start);
    engine.last = Math.max(engine.last, start + result.duration);
    engine.busy += result.duration;
    const file = test.location.file.replace(/^.*\/e2e\//, '');
    this.files.set(`${file} ${name}`, (this.files.get(`${file} ${name}`) ?? 0) + result.duration);
    if (result.status === 'skipped') {
      const why = [...result.annotations, ...test.annotations].find((a) => a.type === 'skip')?.description ?? 'skipped';
      engine.skipped.set(title, (engine.skipped.get(title) ?? new Set()).add(why));
      return;
    }
    engine.runs++;
    engine.played.add(title);
    engine.durations.push([result.duration, title]);
    const outcome = test.outcome();
    if (outcome === 'unexpected' && result.retry === test.retries) engine.failed.add(title);
    if (outcome === 'flaky') engine.flaky.add(title);
    if (result.status === 'failed' || result.status === 'timedOut') {
      // eslint-disable-next-line no-control-regex
      const error = (result.error?.message ?? result.status).replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 14);
      this.failures.push(`  [${test.parent.project()?.name}] ${title}\n${error.map((l) => '      ' + l).join('\n')}`);
    }
  }

  onEnd(_result: FullResult) {
    if (!this.engines.size) return;
    const rank = (name: string) => ['chromium', 'firefox', 'webkit'].indexOf(name);
    this.engines = new Map([...this.engines].sort(([a], [b]) => rank(a) - rank(b)));
    const webkit = this.engines.get('webkit');
    for (const [title, why] of webkit ? this.leftOut : []) webkit!.skipped.set(title, new Set([`${why} (e2e/webkit/skips.ts)`]));
    const lines = ['', 'Engines (titles played / skipped / failed; wall time, busy time):'];
    for (const [name, e] of this.engines) {
      const skipped = [...e.skipped.keys()].filter((t) => !e.played.has(t));
      const all = e.played.size + skipped.length;
      lines.push(
        `  ${name.padEnd(9)} ${all} titles: ${e.played.size} played (${Math.round((100 * e.played.size) / all)} %), ${skipped.length} skipped, ${e.failed.size} failed` +
          `${e.flaky.size ? `, ${e.flaky.size} flaky` : ''}; ${e.runs} runs; wall ${minutes(e.last - e.first)}, busy ${minutes(e.busy)}`,
      );
    }
    for (const [name, e] of this.engines) {
      const skipped = [...e.skipped].filter(([t]) => !e.played.has(t));
      if (!skipped.length) continue;
      lines.push('', `Not played in ${name}:`);
      for (const [title, why] of skipped) lines.push(`  - ${title}\n      ${[...why].join('; ')}`);
    }
    if (this.alone) {
      lines.push('', 'WebKit leaves out (e2e/webkit/skips.ts):');
      for (const [title, why] of Object.entries(webkitSkips)) lines.push(`  - ${title}\n      ${why}`);
    }
    // (where the run's time goes: what to look at first when the suite grows slow)
    for (const [name, e] of this.engines) {
      const slowest = e.durations.sort((a, b) => b[0] - a[0]).slice(0, 8);
      if (slowest.length) lines.push('', `Slowest in ${name}:`, ...slowest.map(([ms, title]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${title.slice(0, 150)}`));
    }
    // (the same per spec file and engine, in seconds: what a spec costs in each engine beside the others)
    const names = [...this.engines.keys()];
    const specs = [...new Set([...this.files.keys()].map((k) => k.split(' ')[0]))].sort();
    const seconds = (file: string, name: string) => Math.round((this.files.get(`${file} ${name}`) ?? 0) / 1000);
    lines.push('', `Busy seconds per spec: ${names.join(' / ')}`);
    for (const file of specs.sort((a, b) => names.reduce((n, e) => n + seconds(b, e) - seconds(a, e), 0)))
      lines.push(`  ${file.padEnd(28)} ${names.map((name) => String(seconds(file, name)).padStart(5)).join(' ')}`);
    if (this.failures.length) lines.push('', 'Failed runs (the first lines of each error):', ...this.failures);
    console.log(lines.join('\n'));
  }

  printsToStdio() {
    return false;
  }
}
