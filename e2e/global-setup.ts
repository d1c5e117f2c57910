import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../demo/server.mjs';

/** One demo server (pages + collector) for all workers; each test uses its own collector run. */
export default async function globalSetup() {
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-e2e-')) });
  process.env.STINT_BASE_URL = server.url;
  return () => server.close();
}
