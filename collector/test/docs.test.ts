/**
 * The code of docs/collect-and-query.md and of docs/pipelines.md's stint/collector section, run as written, as a user
 * pastes it: in a folder of its own, whose node_modules holds `stint` (this repository), `stint-collector` and
 * `@duckdb/node-api` as an install would, with `npx stint-collector` the workspace's command. Only the port is the
 * test's: `$PORT` is 0, and a server a block starts listens on 127.0.0.1 (`listen.mjs`, loaded before the block). A
 * block that cannot run here is marked `<!-- fragment -->` (or `<!-- fragment: why -->`) before it; every other js and
 * sh block is run. (test/doc-blocks.test.ts checks that every block of the docs is run by a test or marked so.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startCollector } from '../src/index.mjs';
import { envelope } from './batches.mjs';
import { post, tempDir } from './helpers';
import { visit } from './visit';

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

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
  const to = heading ? text.indexOf('\n## ', from + 1) : text.length;
  return blocksOf(text.slice(from, to < 0 ? undefined : to)).filter((b) => !/<!-- fragment(: .+)? -->/.test(b.before));
};

/** A folder laid out as a project that installed Stint and stint-collector; `run`/`start` its commands there. */
function project() {
  const { dir, remove } = tempDir();
  mkdirSync(join(dir, 'node_modules/@duckdb'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules/stint'));
  symlinkSync(join(root, 'collector'), join(dir, 'node_modules/stint-collector'));
  symlinkSync(join(root, 'node_modules/@duckdb/node-api'), join(dir, 'node_modules/@duckdb/node-api'));
  mkdirSync(join(dir, 'bin'));
  const bin = join(root, 'collector/bin/stint-collector.mjs');
  writeFileSync(join(dir, 'bin/npx'), `#!/bin/sh\n[ "$1" = stint-collector ] || exit 127\nshift\nexec "${process.execPath}" "${bin}" "$@"\n`);
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
      remove();
    },
  };
}

describe('docs/collect-and-query.md', () => {
  const page = blocks('docs/collect-and-query.md');
  const [serve, printed, tracker, ask, answer, node, parquet, server] = page;

  it('every js and sh block of the page is one these tests run', () => {
    expect(page.map((b) => b.lang)).toEqual(['sh', 'text', 'js', 'sh', 'text', 'js', 'sh', 'js']);
  });

  it('Collect and query: the five minutes, as written: start, point Stint at it, send, stop, query', async () => {
    const p = project();
    try {
      const collector = await p.start('sh', serve.code);
      const url = /'(http:[^']+)'/.exec(collector.line)![1];
      expect(collector.line.replace(url, 'http://127.0.0.1:8788/collect')).toBe(printed.code);
      // Stint pointed at it, in Node (where the tracker does nothing): the config is valid, and names that URL.
      const stint = await import('../../src/index');
      const body = tracker.code.replace("import { createTracker } from 'stint';", 'const { createTracker } = $stint;');
      await new (Object.getPrototypeOf(async () => {}).constructor)('$stint', body)(stint);
      expect(tracker.code).toContain(`collector: '${printed.code.split("'")[1]}'`);
      // What a browser would send: a visit as Stint's own code packs it.
      for (const batch of visit().bodies) expect((await post(url, batch)).status).toBe(204);
      expect(await collector.stop('SIGINT')).toBe(0);
      const asked = await p.run('sh', ask.code);
      expect([asked.status, asked.err]).toEqual([0, '']);
      expect(asked.out.trimEnd()).toBe(answer.code);
    } finally {
      p.remove();
    }
  }, 30_000);

  it('Collect and query: Node and Parquet, as written', async () => {
    const p = project();
    try {
      const collector = await startCollector({ db: join(p.dir, 'stint.duckdb') });
      for (const batch of visit().bodies) expect((await collector.receive(batch)).status).toBe(204);
      await collector.close();
      const table = await p.run('js', node.code);
      expect([table.status, table.err]).toEqual([0, '']);
      expect(table.out).toMatch(/entry_page.*sessions.*engaged_s/);
      expect(table.out).toMatch(/'\/a'\s*│\s*1\s*│\s*48\s/);
      const exported = await p.run('sh', parquet.code);
      expect([exported.status, exported.err]).toEqual([0, '']);
      expect(existsSync(join(p.dir, 'events.parquet'))).toBe(true);
      expect(exported.out).toMatch(/events\n14\s*$/);
    } finally {
      p.remove();
    }
  }, 30_000);

  it('In your own Node server, as written: it collects, and answers the view', async () => {
    const p = project();
    try {
      const started = await p.start('js', server.code);
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
    const text = read('docs/collect-and-query.md');
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
