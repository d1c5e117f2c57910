import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One demo server (pages + collector) for all workers; each test uses its own collector run. */
export default async function globalSetup() {
  // An ES module with top-level await: imported, not required (this file runs as CommonJS).
  const { startServer } = await import('../demo/server.mjs');
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-e2e-')) });
  process.env.STINT_BASE_URL = server.url;
  return () => server.close();
}
