// Where the main thread goes for 1,000 events (issue 65, "Faster"): Chromium's CPU profiler (CDP `Profiler`, sampled
// every 50 µs) over the built tag, dist/stint.js, from a burst of 1,000 `track()` calls until the collector has them
// all, in fresh pages. Each sample's function is mapped back to its source file by dist/stint.js.map; the script prints
// the self time by source file and the heaviest functions, the medians over the pages.
// Not a test, and no timing is judged: `npm run build && node scripts/profile-track.mjs [--pages 5] [--tag file]`.
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SourceMapConsumer } from 'source-map-js';
import { CHROMIUM_ARGS, executablePath } from './chromium.mjs';

const PAGES = Number(process.argv[process.argv.indexOf('--pages') + 1]) || 5;
const EVENTS = 1000;
// (`--tag other/stint.js`: another build, its map beside it, to compare two builds run by turns)
const TAG = process.argv.includes('--tag') ? process.argv[process.argv.indexOf('--tag') + 1] : 'dist/stint.js';
const code = readFileSync(TAG, 'utf8');
const map = new SourceMapConsumer(JSON.parse(readFileSync(`${TAG}.map`, 'utf8')));

/** The source file of a position in dist/stint.js (0-based line and column, as CDP gives them). */
const fileAt = (lineNumber, columnNumber) => {
  const { source } = map.originalPositionFor({ line: lineNumber + 1, column: columnNumber });
  return source ? source.replace(/^.*?(src\/|node_modules\/)/, '$1') : '(stint.js, unmapped)';
};

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const byFile = new Map();
const byFunction = new Map();
const totals = [];
try {
  for (let n = 0; n < PAGES; n++) {
    const page = await browser.newPage();
    let arrived = 0;
    await page.route('**/*', (route) => {
      const request = route.request();
      const { pathname } = new URL(request.url());
      if (pathname === '/stint.js') return route.fulfill({ body: code, contentType: 'text/javascript' });
      if (pathname.startsWith('/collect')) {
        arrived += JSON.parse(request.postData() || '{"events":[]}').events.length;
        return route.fulfill({ status: 204 });
      }
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><script>
          (function (w, d, s, q) { q = w.stint = w.stint || function () { q.q.push([arguments, Date.now()]); }; q.q = q.q || [];
            s = d.createElement('script'); s.async = 1; s.src = '/stint.js'; s.onload = () => (w.loaded = true); d.head.appendChild(s); })(window, document);
          stint('init', { collector: '/collect', appId: 'profile', pageView: false });
        </script>`,
      });
    });
    await page.goto('http://profile.test/');
    await page.waitForFunction(() => window.loaded);
    await page.evaluate(() => stint('ready'));
    const cdp = await page.context().newCDPSession(page);
    const scripts = new Map();
    cdp.on('Debugger.scriptParsed', (s) => scripts.set(s.scriptId, s.url));
    await cdp.send('Debugger.enable');
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    await cdp.send('Profiler.start');
    await page.evaluate((count) => {
      for (let i = 0; i < count; i++) stint('track', 'burst', { i, plan: 'pro', path: '/pricing' });
    }, EVENTS);
    // (bounded: the collector has them all, or 20 s passed and the profile says where the time went anyway)
    for (let waited = 0; arrived < EVENTS && waited < 20_000; waited += 50) await page.waitForTimeout(50);
    const { profile } = await cdp.send('Profiler.stop');
    if (arrived < EVENTS) console.log(`page ${n}: only ${arrived} of ${EVENTS} events arrived`);
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map();
    const gaps = profile.timeDeltas;
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) || 0) + (gaps[i + 1] ?? 0)));
    const files = new Map();
    const fns = new Map();
    let total = 0;
    for (const [id, us] of self) {
      const { callFrame: f } = nodes.get(id);
      if (f.functionName === '(idle)') continue;
      total += us;
      const ours = (scripts.get(f.scriptId) || f.url || '').endsWith('/stint.js');
      const file = ours ? fileAt(f.lineNumber, f.columnNumber) : f.url ? '(page)' : f.functionName || '(native)';
      files.set(file, (files.get(file) || 0) + us);
      const fn = ours ? `${file}:${map.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber }).line}` : file;
      fns.set(fn, (fns.get(fn) || 0) + us);
    }
    totals.push(total);
    for (const [file, us] of files) byFile.set(file, [...(byFile.get(file) || []), us]);
    for (const [fn, us] of fns) byFunction.set(fn, [...(byFunction.get(fn) || []), us]);
    await page.close();
  }
} finally {
  await browser.close();
}

const ms = (us) => (us / 1000).toFixed(1).padStart(7);
const table = (rows) => [...rows].map(([k, list]) => [k, median([...list, ...Array(PAGES - list.length).fill(0)])]).sort((a, b) => b[1] - a[1]);
console.log(`${EVENTS} events, ${PAGES} fresh pages: main thread busy (not idle) ${ms(median(totals))} ms, the median page\n`);
console.log('self time by source file (median ms):');
for (const [file, us] of table(byFile).slice(0, 25)) console.log(`${ms(us)}  ${file}`);
console.log('\nheaviest functions (source file:line of the function, median ms):');
for (const [fn, us] of table(byFunction).slice(0, 20)) console.log(`${ms(us)}  ${fn}`);
