/**
 * The code of docs/collect-and-query.md and of docs/pipelines.md's stint/collector section, run as written, as a user
 * pastes it, outside this clone: both packages packed (`npm pack`, as the README and the page tell a user to before a
 * release) and installed by npm into a folder of its own, with what their package.json's say they depend on
 * (`@duckdb/node-api` among them) and nothing else of this repository. Only the port is the test's: `$PORT` is 0, and
 * a server a block starts listens on 127.0.0.1 (`listen.mjs`, loaded before the block). A block that cannot run here
 * is marked `<!-- fragment -->` (or `<!-- fragment: why -->`) before it; every other js and sh block is run.
 * (test/doc-blocks.test.ts checks that every block of the docs is run by a test or marked so.)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../src/index.mjs';
import { envelope } from './batches.mjs';
import { post, tempDir } from './helpers';
import { walk } from './visit';

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const exec = promisify(execFile);

/** The fenced blocks of `text` (indented ones too, in a list), in order, each with the line before it. */
function blocksOf(text: string): { lang: string; code: string; before: string }[] {
  return [...text.matchAll(/([^\n]*)\n\n?( *)```(\w+)\n([\s\S]*?)\n\2```/g)].map(([, before, indent, lang, code]) => ({
    lang,
    before,
    code: code.split('\n').map((line) => line.slice(indent.length)).join('\n'),
  }));
}
/** A page's blocks, or those of its section `## heading`. */
const blocks = (file: string, heading?: string) => {
  const text = read(file);
  const from = heading ? text.indexOf(`\n## ${heading}\n`) : 0;
  if (from < 0) throw new Error(`${file}: no section ${heading}`);
  const to = heading ? text.indexOf('\n## ', from + 1) : text.length;
  return blocksOf(text.slice(from, to < 0 ? undefined : to)).filter((b) => !/<!-- fragment(: .+)? -->/.test(b.before));
};

/**
 * A site's project that installed both packages from their tarballs, packed from this clone: `npm pack` of Stint and
 * of stint-collector, `npm install` of the two files. `--ignore-scripts`: their `prepack` builds, which the suite has
 * done already (the collector's tests need its lib/, as Stint needs its dist/: `npm run build` first). `--prefer-offline`:
 * npm ci has put every dependency in npm's cache, so that the install reads no registry (about 8 s on the 2-core
 * machine, DuckDB's 70 MB binary copied from the cache).
 */
async function install(): Promise<{ dir: string; remove: () => void }> {
  const { dir, remove } = tempDir();
  try {
    const pack = async (cwd: string) => {
      const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', dir];
      return join(dir, JSON.parse((await exec('npm', args, { cwd })).stdout)[0].filename);
    };
    const tarballs = await Promise.all([pack(root), pack(join(root, 'collector'))]);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'site', private: true }));
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: dir });
    return { dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

let site: { dir: string; remove: () => void };
beforeAll(async () => {
  site = await install();
}, 120_000);
afterAll(() => site?.remove());

/**
 * A folder of the site's project, where the blocks are run as a user runs them; `run`/`start` its commands there.
 * `npx stint-collector` is the project's node_modules/.bin/stint-collector, linked by npm to the installed tarball's
 * bin, which is what npx runs there: a shim on the PATH runs it without npm's own start (a second or more each).
 */
function project() {
  const dir = join(site.dir, `work-${++projects}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const bins = join(site.dir, 'node_modules/.bin');
  writeFileSync(join(dir, 'bin/npx'), `#!/bin/sh\n[ -x "${bins}/$1" ] || exit 127\nname=$1\nshift\nexec "${bins}/$name" "$@"\n`);
  chmodSync(join(dir, 'bin/npx'), 0o755);
  writeFileSync(
    join(dir, 'listen.mjs'),
    `import http from 'node:http';
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function () {
  this.once('listening', () => console.log('listening on ' + this.address().port));
  return listen.call(this, 0, '127.0.0.1');
};
`,
  );
  const env = { ...process.env, PORT: '0', TZ: 'UTC', PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
  /** Every process started here, stopped (if it still runs) when the project is removed. */
  const children: ChildProcess[] = [];
  let n = 0;
  /** A sh line, or a js block (written to a file of the project, run by node), as a process. */
  const spawned = (lang: string, code: string): ChildProcess => {
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    let child: ChildProcess;
    // (its own process group: a signal reaches the command, not only the shell around it)
    if (lang === 'sh') child = spawn('sh', ['-c', code], { cwd: dir, env, stdio, detached: true });
    else {
      const file = join(dir, `block-${++n}.mjs`);
      writeFileSync(file, code);
      child = spawn(process.execPath, ['--import', join(dir, 'listen.mjs'), file], { cwd: dir, env, stdio });
    }
    children.push(child);
    return child;
  };
  const kill = (child: ChildProcess, signal: NodeJS.Signals) => process.kill(child.spawnargs[0] === 'sh' ? -child.pid! : child.pid!, signal);
  /** Runs to its end: its exit code and what it printed. */
  async function run(lang: string, code: string) {
    const child = spawned(lang, code);
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (err += chunk));
    const [status] = await once(child, 'exit');
    return { status, out, err };
  }
  /** Starts a server: resolves with its first line, once printed. */
  async function start(lang: string, code: string) {
    // (a server's line is one command: the shell becomes it, so that its exit code is the command's)
    const child = spawned(lang, lang === 'sh' ? `exec ${code}` : code);
    child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
    let out = '';
    for await (const chunk of child.stdout!) {
      out += chunk;
      if (out.includes('\n')) break;
    }
    const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      kill(child, signal);
      return (await exited)[0];
    };
    return { line: out.split('\n')[0], stop };
  }
  return {
    dir,
    run,
    start,
    remove() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) kill(child, 'SIGKILL');
    },
  };
}
let projects = 0;

describe('docs/collect-and-query.md', () => {
  const PAGE = 'docs/collect-and-query.md';
  const five = blocks(PAGE, 'Five minutes to a SQL answer');
  const [serve, printed, tracker, ask, answer, pages, pagesAnswer, ends, endsAnswer] = five;
  const query = blocks(PAGE, 'Query it');
  const [node, parquet] = query;
  const own = blocks(PAGE, 'In your own Node server');

  it('every js and sh block of the page is one these tests run', () => {
    expect(five.map((b) => b.lang)).toEqual(['sh', 'text', 'js', 'sh', 'text', 'sh', 'text', 'sh', 'text']);
    expect(query.map((b) => b.lang)).toEqual(['js', 'sh']);
    expect(own.map((b) => b.lang)).toEqual(['js']);
    expect(blocks(PAGE)).toHaveLength(five.length + query.length + own.length);
  });

  /** The five minutes, walked once: the collector started as step 1 says, the walk's batches sent, Ctrl-C. */
  let walking: Promise<{ p: ReturnType<typeof project>; line: string; url: string; stopped: number }> | undefined;
  const walked = () =>
    (walking ??= (async () => {
      const p = project();
      const collector = await p.start('sh', serve.code);
      const url = /'(http:[^']+)'/.exec(collector.line)?.[1] ?? '';
      // What a browser sends on the walk of step 3, as Stint's own code packs it, from the config of step 2.
      const answers: number[] = [];
      let stopped: number;
      try {
        for (const batch of walk().bodies) answers.push((await post(url, batch)).status);
      } finally {
        // (step 4: Ctrl-C)
        stopped = await collector.stop('SIGINT');
      }
      expect(answers).toEqual(walk().bodies.map(() => 204));
      return { p, line: collector.line, url, stopped };
    })());
  afterAll(async () => (await walking?.catch(() => undefined))?.p.remove());

  it('Collect and query: the five minutes, as written: start, point Stint at it, send, stop, query', async () => {
    const { p, line, url, stopped } = await walked();
    expect(line.replace(url, 'http://127.0.0.1:8788/collect')).toBe(printed.code);
    expect(stopped).toBe(0);
    // Stint pointed at it, in Node (where the tracker does nothing), from the installed tarball: the config is
    // valid, and names that URL.
    expect(tracker.code).toContain(`collector: '${printed.code.split("'")[1]}'`);
    // (the walk is played with this config: walk() in visit.ts)
    expect(tracker.code).toContain("appId: 'shop-web', engagement: true");
    const pointed = await p.run('js', tracker.code);
    expect([pointed.status, pointed.out, pointed.err]).toEqual([0, '', '']);
    const asked = await p.run('sh', ask.code);
    expect([asked.status, asked.err]).toEqual([0, '']);
    expect(asked.out.trimEnd()).toBe(answer.code);
  }, 60_000);

  it('Collect and query: which pages, as written: the pages viewed, then the entry and exit pages', async () => {
    const { p } = await walked();
    for (const [sql, table] of [[pages, pagesAnswer], [ends, endsAnswer]]) {
      const asked = await p.run('sh', sql.code);
      expect([asked.status, asked.err]).toEqual([0, '']);
      expect(asked.out.trimEnd()).toBe(table.code);
    }
  }, 60_000);

  it('Collect and query: Node and Parquet, as written, on the file the five minutes filled', async () => {
    const { p } = await walked();
    const table = await p.run('js', node.code);
    expect([table.status, table.err]).toEqual([0, '']);
    expect(table.out).toMatch(/entry_page.*sessions.*engaged_s/);
    expect(table.out).toMatch(/'\/a'\s*│\s*1\s*│\s*54\s/);
    const exported = await p.run('sh', parquet.code);
    expect([exported.status, exported.err]).toEqual([0, '']);
    expect(existsSync(join(p.dir, 'events.parquet'))).toBe(true);
    expect(exported.out).toMatch(/events\n8\s*$/);
  }, 60_000);

  it('In your own Node server, as written: it collects, and answers the view', async () => {
    const p = project();
    try {
      const started = await p.start('js', own[0].code);
      const url = `http://127.0.0.1:${/listening on (\d+)/.exec(started.line)![1]}`;
      const batch = envelope({ count: 3 });
      expect((await post(`${url}/collect`, batch)).status).toBe(204);
      const sessions = await (await fetch(`${url}/sessions`)).json();
      expect(sessions).toMatchObject([{ session_id: batch.contexts[0].session.sessionId, events: 3 }]);
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect(await started.stop()).toBe(0);
    } finally {
      p.remove();
    }
  }, 30_000);

  it('What it stores: the tables name every column of the views', async () => {
    const text = read(PAGE);
    const named = (view: string) => {
      const table = text.slice(text.indexOf(`<!-- columns: ${view} -->`)).split('\n\n')[0];
      return table.split('\n').slice(3).flatMap((row) => [...row.split('|')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]));
    };
    const collector = await startCollector({ db: ':memory:' });
    try {
      for (const view of ['events', 'sessions']) {
        const columns = await collector.store.query(`SELECT column_name FROM (DESCRIBE ${view})`);
        expect(named(view), view).toEqual(columns.map((c) => c.column_name));
      }
    } finally {
      await collector.close();
    }
  });

  it("How fast: the bench's senders and batches, and docs/performance.md's figures", () => {
    const section = read(PAGE).split('\n## How fast, and how far\n')[1];
    const performance = read('docs/performance.md').split('\n## stint-collector\n')[1].split('\n## ')[0];
    const bench = read('collector/bench.mjs');
    const [, batches, senders] = /\{ batches = ([\d_]+), senders = (\d+) \}/.exec(bench)!;
    const said = `${Number(batches.replace(/_/g, '')).toLocaleString('en')} batches of 20 events from\n${senders} concurrent senders`;
    expect(section).toContain(said);
    expect(performance.replace(/\s+/g, ' ')).toContain(said.replace(/\s+/g, ' '));
    const [, rate] = /events committed per second \| ([\d,]+) \|/.exec(performance)!;
    const [, p50, p99] = /latency, p50 \/ p99 \(the commit included\) \| (\d+) \/ (\d+) ms \|/.exec(performance)!;
    expect(section.replace(/\s+/g, ' ')).toContain(`${rate} events committed a second`);
    expect(section.replace(/\s+/g, ' ')).toContain(`${p50} ms at the median and ${p99} ms at the 99th percentile`);
  });
});

describe('docs/pipelines.md', () => {
  const section = blocks('docs/pipelines.md', 'stint/collector');

  it("stint/collector: the collector on Node's http, as written: 204 and stored, 400 for what is not a batch", async () => {
    expect(section.map((b) => b.lang)).toEqual(['js']);
    const p = project();
    try {
      const started = await p.start('js', section[0].code);
      const url = `http://127.0.0.1:${/listening on (\d+)/.exec(started.line)![1]}/collect`;
      const batch = envelope({ count: 2, appId: 'docs', appVersion: '2.3.0', sampleRate: 0.5, dropped: 4 });
      expect((await post(url, batch)).status).toBe(204);
      expect((await post(url, gzipSync(JSON.stringify(batch)), { 'Content-Encoding': 'gzip' })).status).toBe(204);
      const stored = readFileSync(join(p.dir, 'batches.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(stored).toHaveLength(2);
      expect(stored[0]).toMatchObject({ appId: 'docs', appVersion: '2.3.0', sampleRate: 0.5, dropped: 4 });
      expect(stored[0].events.map((e: { eventId: string }) => e.eventId)).toEqual(batch.events.map((e) => e[0]));
      const bad = await Promise.all(['{"v":3,', '{}', '[]'].map((body) => post(url, body)));
      expect(bad.map((r) => r.status)).toEqual([400, 400, 400]);
      expect(bad[1].text).toBe('not a Stint envelope');
      expect((await post(url, 'x'.repeat(1_000_001))).status).toBe(413);
      expect((await fetch(url)).status).toBe(404);
      await started.stop();
    } finally {
      p.remove();
    }
  }, 30_000);
});
