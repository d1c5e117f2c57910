/**
 * The demo (`npm run demo`) stores what its collector takes through stint-collector, in DuckDB, and answers its
 * `sessions` view; the server the e2e suite starts (no `db`) stores nothing there, its own record unchanged.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../demo/server.mjs';
import { envelope } from './batches.mjs';
import { post, tempDir } from './helpers';

describe('the demo and stint-collector', () => {
  it('npm run demo: each batch the demo collector takes is stored in DuckDB too; GET /api/sessions reads the view', async () => {
    const { dir, remove } = tempDir();
    const server = await startServer({ dataDir: dir, db: join(dir, 'stint.duckdb') });
    try {
      const batch = envelope({ count: 3 });
      const res = await post(`${server.url}/collect/demo-db`, batch);
      expect([res.status, JSON.parse(res.text)]).toEqual([200, { received: 3, duplicates: 0 }]);
      expect((await (await fetch(`${server.url}/api/runs/demo-db`)).json()).events).toHaveLength(3);
      const sessions = await (await fetch(`${server.url}/api/sessions`)).json();
      expect(sessions).toMatchObject([{ session_id: batch.contexts[0].session.sessionId, events: 3, page_views: 1, app_id: 'shop-web' }]);
    } finally {
      await server.close();
      remove();
    }
  });

  it("the e2e suite's server (no db): the demo collector's record alone; /api/sessions says there is none", async () => {
    const { dir, remove } = tempDir();
    const server = await startServer({ dataDir: dir });
    try {
      expect((await post(`${server.url}/collect/demo-none`, envelope({ count: 2 }))).status).toBe(200);
      const sessions = await fetch(`${server.url}/api/sessions`);
      expect(sessions.status).toBe(404);
    } finally {
      await server.close();
      remove();
    }
  });
});
