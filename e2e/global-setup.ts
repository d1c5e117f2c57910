import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One demo server (pages + collector) for all workers; each test uses its own collector run. The README's recipes
 * are built with the real frameworks first (e2e/apps/build.mjs: only when Stint's build or the apps changed).
 */
export default async function globalSetup() {
  // ES modules with top-level await: imported, not required (this file runs as CommonJS).
  const { buildApps } = await import('./apps/build.mjs');
  const seconds = await buildApps();
  if (seconds) console.log(`e2e/apps: the recipes' apps built in ${seconds.toFixed(1)} s`);
  const { startServer } = await import('../demo/server.mjs');
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-e2e-')) });
  process.env.STINT_BASE_URL = server.url;
  return () => server.close();
}
