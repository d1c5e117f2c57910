// Traces one `stint('track', …)` as a newcomer would in Chromium's debugger: an unminified build of the tag
// (with its source map), a page where storage has answered and one event was tracked already, then the
// debugger steps into every call (CDP `Debugger.stepInto`) from the call until it returns. Each pause is
// mapped to its source file; the script prints the files the call crosses and the moves between them.
// `node scripts/trace-track.mjs` prints it (Chromium from STINT_CHROMIUM, else /usr/bin/chromium);
// test/trace-track.test.ts holds the count to its budget (`traceTrack`).
import resolve from '@rollup/plugin-node-resolve';
import ts from '@rollup/plugin-typescript';
import { chromium } from '@playwright/test';
import { rollup } from 'rollup';
import { SourceMapConsumer } from 'source-map-js';
import { fileURLToPath } from 'node:url';

const MAX_PAUSES = 20_000;

/** Traces one track(): the pauses, the files in the order it moved between them, and the files it crossed. */
export async function traceTrack() {
  const bundle = await rollup({ input: 'src/tags/native.ts', plugins: [resolve({ browser: true }), ts({ outputToFilesystem: false, sourceMap: true, inlineSources: true })] });
  const { output } = await bundle.generate({ format: 'iife', sourcemap: true });
  const { code, map: sourceMap } = output[0];
  const map = new SourceMapConsumer(sourceMap);

  const browser = await chromium.launch({ executablePath: process.env.STINT_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === '/stint.js') return route.fulfill({ body: code, contentType: 'text/javascript' });
      if (pathname.startsWith('/collect')) return route.fulfill({ status: 204 });
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><script>
          (function (w, d, s, q) { q = w.stint = w.stint || function () { q.q.push([arguments, Date.now()]); }; q.q = q.q || [];
            s = d.createElement('script'); s.async = 1; s.src = '/stint.js'; s.onload = () => (w.loaded = true); d.head.appendChild(s); })(window, document);
          stint('init', { collector: '/collect', appId: 'trace' });
          window.traceTrack = () => { debugger; stint('track', 'signup', { plan: 'pro' }); };
        </script>`,
      });
    });
    await page.goto('http://trace.test/');
    await page.waitForFunction(() => window.loaded);
    await page.evaluate(() => stint('ready'));
    await page.evaluate(() => stint('track', 'warm-up')); // the first event of a page is not the common case

    const cdp = await page.context().newCDPSession(page);
    const scripts = new Map();
    cdp.on('Debugger.scriptParsed', (s) => scripts.set(s.scriptId, s.url));
    await cdp.send('Debugger.enable');
    const files = [];
    let pauses = 0;
    let done;
    let fail;
    let finished = false;
    const traced = new Promise((resolve, reject) => ((done = () => ((finished = true), resolve())), (fail = reject)));
    // A command sent while paused fails only if the trace has ended (the browser closing under a last step):
    // before that, a failure fails the trace; after it, it is no rejection left unhandled (CI of f2484df).
    const send = (method) => cdp.send(method).catch((error) => finished || fail(error));
    cdp.on('Debugger.paused', ({ callFrames: [top] }) => {
      if (!(scripts.get(top.location.scriptId) || '').endsWith('/stint.js')) {
        // The page's own code: the `debugger` statement, then the return from the call.
        if (files.length && top.functionName.endsWith('traceTrack')) return done(), send('Debugger.resume');
        return send('Debugger.stepInto');
      }
      const at = { line: top.location.lineNumber + 1, column: top.location.columnNumber };
      let source = map.originalPositionFor(at).source;
      // (a pause between two mappings of a line names its file by the next one; V8 now and then reports a
      // step into an arrow at the script's start, and its function's location names the file)
      source ||= map.originalPositionFor({ ...at, bias: SourceMapConsumer.LEAST_UPPER_BOUND }).source;
      const fn = top.functionLocation;
      if (!source && fn) source = map.originalPositionFor({ line: fn.lineNumber + 1, column: fn.columnNumber, bias: SourceMapConsumer.LEAST_UPPER_BOUND }).source;
      const file = (source || '(unmapped)').replace(/^.*?(src\/|node_modules\/)/, '$1');
      if (files.at(-1) !== file) files.push(file);
      if (++pauses > MAX_PAUSES) return done(), send('Debugger.resume');
      send('Debugger.stepInto');
    });
    page.evaluate(() => window.traceTrack()).catch(() => {});
    await traced;
    await cdp.send('Debugger.disable');
    return { pauses, files, crossed: [...new Set(files)] };
  } finally {
    await browser.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { pauses, files, crossed } = await traceTrack();
  console.log(`one track(): ${pauses} pauses, ${files.length - 1} moves between files, ${crossed.length} files:\n  ${crossed.join('\n  ')}`);
  console.log(`\nin order: ${files.join(' → ')}`);
}
