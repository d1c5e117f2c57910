/**
 * `npx stint-collector` as a process, and the collector under load: a kill -9 in the middle of sending loses no batch
 * it answered 204 to; a hundred senders at once are each answered; a stop drains what is under way; the command line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, startCollector } from '../src/index.mjs';
import { envelope, idsOf } from './batches.mjs';
import { countStored, serveTemp, tempDir } from './helpers';

const BIN = fileURLToPath(new URL('../bin/stint-collector.mjs', import.meta.url));

/**
 * `npx stint-collector ...args` in `cwd`; resolves once it has printed its line, with the URL the line names, and
 * `out()`, all it has printed so far.
 */
async function spawnCollector(args: string[], cwd: string) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await Promise.race([
    new Promise((resolve) => child.stdout!.on('data', () => out.includes('\n') && resolve(undefined))),
    once(child, 'exit'),
  ]);
  const url = /'(http:\/\/[^']+)\/collect'/.exec(out)?.[1];
  if (!url) throw new Error(`stint-collector printed ${JSON.stringify(out)}`);
  // (its first line: the page of sessions' comes after it)
  return { child, url, line: out.split('\n')[0], out: () => out };
}

/** POSTs a body over `agent`: its status and Retry-After, or the error that ended it. */
function send(url: string, body: string, agent: Agent): Promise<{ status: number; retryAfter?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(`${url}/collect`, { method: 'POST', agent, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}

describe('stint-collector, the process', () => {
  it('kill -9 under load loses no batch answered 204; after the restart, every batch sent again is stored once', async () => {
    const { dir, remove } = tempDir();
    const db = join(dir, 'stint.duckdb');
    const { child, url } = await spawnCollector(['--port', '0', '--db', db], dir);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const sent: { ids: string[]; body: string }[] = [];
    const answered: string[][] = [];
    let killed = false;
    try {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (!killed) {
            const batch = envelope();
            const body = JSON.stringify(batch);
            sent.push({ ids: idsOf(batch), body });
            const { status, error } = await send(url, body, agent);
            if (status === 204) answered.push(idsOf(batch));
            else if (!killed) throw new Error(`before the kill, a batch was answered ${status} ${error ?? ''}`);
            // The kill, once 40 batches are answered, in the middle of the others' requests and commits.
            if (answered.length >= 40 && !killed) {
              killed = true;
              child.kill('SIGKILL');
            }
          }
        }),
      );
      await (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined);
      expect(child.signalCode).toBe('SIGKILL');
      const again = await startCollector({ db });
      try {
        expect(await countStored(again.store, answered.flat())).toBe(answered.length * 20);
        // What Stint does after a failed request: sends it again. Each is taken, and every event is stored once.
        const answers = await Promise.all(sent.map(({ body }) => again.receive(body)));
        expect(new Set(answers.map((a) => a.status))).toEqual(new Set([204]));
        const [{ n }] = await again.store.query('SELECT count(*) AS n FROM event_rows');
        expect(n).toBe(sent.length * 20);
      } finally {
        await again.close();
      }
    } finally {
      agent.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      remove();
    }
  }, 30_000);

  it('a stop (SIGTERM) answers what is under way, then closes the database; exit 0', async () => {
    const { dir, remove } = tempDir();
    try {
      const { child, url } = await spawnCollector(['--port', '0'], dir);
      const agent = new Agent({ keepAlive: true });
      const batches = [envelope(), envelope()];
      const answers = await Promise.all(batches.map((b) => send(url, JSON.stringify(b), agent)));
      agent.destroy();
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect([answers.map((a) => a.status), code]).toEqual([[204, 204], 0]);
      // With no --db: ./stint.duckdb, in the folder it was started in.
      const again = await startCollector({ db: join(dir, 'stint.duckdb') });
      expect(await countStored(again.store, batches.flatMap(idsOf))).toBe(40);
      await again.close();
    } finally {
      remove();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s under keep-alive load: it exits 0 within 5 s, every batch answered 204 stored and no other, and a line says how many', async (signal) => {
    const { dir, remove } = tempDir();
    const db = join(dir, 'stint.duckdb');
    const { child, url, line: started, out } = await spawnCollector(['--port', '0', '--db', db, '--origin', '*'], dir);
    // (and its line with --origin '*', which takes these senders' no Origin as it takes any)
    expect(started).toMatch(/\(stores into .*stint\.duckdb; CORS for any origin\)$/);
    const exited = once(child, 'exit');
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answered: string[][] = [];
    const after: number[] = [];
    let signalled = 0;
    let exitedAt = 0;
    void exited.then(() => (exitedAt = performance.now()));
    try {
      // 8 senders posting in a loop on keep-alive connections (bounded: 400 batches each); the signal once 40 are stored.
      const senders = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 400 && !exitedAt; i++) {
          const batch = envelope();
          const sentAfter = signalled > 0;
          const { status } = await send(url, JSON.stringify(batch), agent);
          if (status === 204) answered.push(idsOf(batch));
          if (sentAfter) after.push(status);
          if (answered.length >= 40 && !signalled) {
            signalled = performance.now();
            child.kill(signal);
          }
        }
      });
      const [code] = await exited;
      await Promise.all(senders);
      expect(signalled).toBeGreaterThan(0);
      // The senders kept at it after the signal: the stop had every chance to take more.
      expect(after.length).toBeGreaterThan(0);
      expect(code).toBe(0);
      expect(exitedAt - signalled, 'ms from the signal to the exit').toBeLessThan(5_000);
      const line = /^stint-collector: stopped \((SIG\w+)\): (\d+) events stored, from (\d+) batches, in this run$/m.exec(out());
      expect(line?.slice(1).map(String)).toEqual([signal, String(answered.length * 20), String(answered.length)]);
      // After the exit, the database holds every batch answered 204, and no other.
      const again = await startCollector({ db });
      try {
        expect(await countStored(again.store, answered.flat())).toBe(answered.length * 20);
        expect(await again.store.query('SELECT count(*) AS n, sum(stored) AS events FROM batches')).toEqual([{ n: answered.length, events: answered.length * 20 }]);
      } finally {
        await again.close();
      }
    } finally {
      agent.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      remove();
    }
  }, 30_000);

  it('the store closes only once what was handed to it is committed', async () => {
    const { dir, remove } = tempDir();
    try {
      const db = join(dir, 'stint.duckdb');
      const collector = await startCollector({ db });
      const batches = [envelope(), envelope(), envelope()];
      const answers = batches.map((b) => collector.receive(JSON.stringify(b)));
      await collector.close();
      expect((await Promise.all(answers)).map((a) => a.status)).toEqual([204, 204, 204]);
      const again = await startCollector({ db });
      expect(await countStored(again.store, batches.flatMap(idsOf))).toBe(60);
      await again.close();
    } finally {
      remove();
    }
  });

  it('a batch read once the stop has begun is not taken: 503, Retry-After, the connection closed; nothing stored', async () => {
    const collector = await startCollector({ db: ':memory:' });
    expect((await collector.receive(JSON.stringify(envelope()))).status).toBe(204);
    const closed = collector.close();
    const answer = await collector.receive(JSON.stringify(envelope()));
    await closed;
    expect(answer).toEqual({ status: 503, headers: { 'Retry-After': '5', Connection: 'close' }, reason: 'the collector is stopping' });
    expect(collector.store.state()).toMatchObject({ committed: 20, batches: 1 });
  });

  it('one line on start: the URL to give Stint as its collector, the database, same-origin only by default; --help', async () => {
    const { dir, remove } = tempDir();
    try {
      const { child, line } = await spawnCollector(['--port', '0', '--origin', 'https://shop.example'], dir);
      expect(line).toMatch(/^stint-collector: collector: 'http:\/\/127\.0\.0\.1:\d+\/collect' \(stores into stint\.duckdb; CORS for https:\/\/shop\.example\)$/);
      child.kill('SIGTERM');
      await once(child, 'exit');
      expect(existsSync(join(dir, 'stint.duckdb'))).toBe(true);
      expect([DEFAULTS.port, DEFAULTS.host, DEFAULTS.db, DEFAULTS.path]).toEqual([8788, '127.0.0.1', 'stint.duckdb', '/collect']);
      const help = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      for await (const chunk of help.stdout!) text += chunk;
      expect(text).toContain("--origin <origin>   a site origin to take batches from, with CORS, repeatable; '*' for any");
      const wrong = spawn(process.execPath, [BIN, '--prot', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let said = '';
      for await (const chunk of wrong.stderr!) said += chunk;
      expect([said.trim(), wrong.exitCode ?? (await once(wrong, 'exit'))[0]]).toEqual([
        "stint-collector: Unknown option '--prot' (--help lists the options)",
        2,
      ]);
    } finally {
      remove();
    }
  }, 15_000);
});

describe('under load', () => {
  it('100 concurrent senders: every request is answered, 204 or 503 with Retry-After, none reset; then /health', async () => {
    const collector = await serveTemp({ maxQueue: 400 });
    const agent = new Agent({ keepAlive: true, maxSockets: 100 });
    try {
      const results = await Promise.all(
        Array.from({ length: 100 }, async () => {
          const mine = [];
          for (let i = 0; i < 5; i++) mine.push(await send(collector.url, JSON.stringify(envelope()), agent));
          return mine;
        }),
      );
      const all = results.flat();
      expect(all.filter((r) => r.status !== 204 && !(r.status === 503 && Number(r.retryAfter) >= 1))).toEqual([]);
      const accepted = all.filter((r) => r.status === 204).length;
      expect(accepted).toBeGreaterThan(0);
      const [{ n }] = await collector.store.query('SELECT count(*) AS n FROM event_rows');
      expect(n).toBe(accepted * 20);
      const health = await fetch(`${collector.url}/health`);
      expect([health.status, (await health.json()).queued]).toEqual([200, 0]);
    } finally {
      agent.destroy();
      await collector.close();
    }
  }, 30_000);
});
