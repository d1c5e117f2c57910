import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../demo/server.mjs';
const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'prof-')) });
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const reps = +(process.argv[2] || 3);
const results = [];
for (let rep = 0; rep < reps; rep++) {
const page = await b.newPage();
const run = 'exp' + Date.now() + rep;
await page.goto(`${server.url}/e2e/app.html?build=tag&run=${run}`);
await page.waitForFunction(() => window.__stintLoaded === true);
await page.evaluate(() => stint('flush'));
await new Promise(r => setTimeout(r, 300));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const td = async () => (await cdp.send('Performance.getMetrics')).metrics.find(m => m.name === 'TaskDuration').value * 1000;
const t0 = await td();
const inPage = await page.evaluate(() => { const t = performance.now(); for (let i = 0; i < 1000; i++) stint('track', 'burst', { i }); return performance.now() - t; });
const t1 = await td();
await new Promise(r => setTimeout(r, 150));
const t2 = await td();
for (let i = 0; i < 100; i++) { const s = await (await fetch(`${server.url}/api/runs/${run}`)).json(); if (s.events.filter(e => e.name === 'burst').length >= 1000) break; await new Promise(r => setTimeout(r, 100)); }
await new Promise(r => setTimeout(r, 300));
const t3 = await td();
results.push([inPage, t1 - t0, t2 - t1, t3 - t2, t3 - t0]);
await page.close();
}
const med = (i) => results.map(r => r[i]).sort((a, b) => a - b)[Math.floor(results.length / 2)].toFixed(1);
console.log('median: loop', med(0), 'burst task', med(1), 'microtasks', med(2), 'delivery', med(3), 'total', med(4));
await b.close(); await server.close();
