/**
 * One WebKit test at a time across the run's workers (two MiniBrowsers side by side on a 2-core machine,
 * with a second context's browser on top, made the demo's and the routers' timing tests fail now and then).
 * A directory is the lock: made by the test that runs, removed when it ends; one left by a worker that died
 * is taken over. Every wait is bounded.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './webdriver';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits (at most `timeout` ms) for WebKit's turn in this run (`run`: the demo server's URL); resolves the release. */
export async function webkitTurn(run: string, timeout: number): Promise<() => void> {
  const lock = join(tmpdir(), `stint-webkit-${run.replace(/\W/g, '_')}`);
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // (being made, or removed, right now)
    }
    if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`no WebKit turn within ${timeout} ms (${lock} held by ${owner})`);
    await sleep(100);
  }
}
