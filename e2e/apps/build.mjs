// The README's single-page app recipes, built with the real frameworks from npm, into e2e/apps/dist/<app>/
// (served under /apps/<app>/ by demo/server.mjs; e2e/recipes.spec.ts drives them):
//
//   react      React Router (createBrowserRouter), Vite, production
//   react-dev  the same app in development (React's Strict Mode runs effects twice, as `npm run dev` would)
//   vue        Vue Router (createWebHistory), Vite
//   next       Next.js App Router, `next build` exported as static pages
//
// Each app imports 'stint' as an installed package: the built one (dist/) is copied to e2e/apps/node_modules/stint,
// as npm would install it. Run by the e2e suite's global setup (after `npm run build`); nothing is rebuilt when
// neither Stint's build nor the apps changed. `node e2e/apps/build.mjs` builds them by hand.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
const out = join(here, 'dist');
const stampFile = join(out, '.stamp');

/**
 * The files an app's build depends on: its sources, Stint's build, the lock file (the frameworks' versions). By their
 * contents, not their times: `npm test` writes dist/ again at each run, the same bytes when src/ did not change, and
 * `npm run test:engines` plays on that build (a few MB read: milliseconds, against the apps' build).
 */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      if (['dist', 'node_modules', '.next', 'out'].includes(name)) continue;
      const file = join(dir, name);
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file);
      else hash.update(`${relative(root, file)} ${stat.size}\n`).update(readFileSync(file));
    }
  };
  walk(here);
  walk(join(root, 'dist'));
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex');
}

/** 'stint' installed as npm would: its package.json and its build. */
function install() {
  const target = join(here, 'node_modules/stint');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(root, 'package.json'), join(target, 'package.json'));
  cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true });
}

async function vite(app, source, { dev = false, plugin }) {
  const { build } = await import('vite');
  await build({
    // (react/vite.config.js is the dev server's, docs/getting-started.md's: test/dev-server.test.ts runs it)
    configFile: false,
    root: join(here, source),
    base: `/apps/${app}/`,
    mode: dev ? 'development' : 'production',
    logLevel: 'error',
    plugins: [plugin()],
    // development: React's development build, in which Strict Mode runs effects twice
    define: dev ? { 'process.env.NODE_ENV': '"development"' } : undefined,
    build: { outDir: join(out, app), emptyOutDir: true, minify: !dev },
  });
}

/** `next build` (Turbopack), exported to out/, moved to dist/next. Its report is printed if it fails. */
function next() {
  const dir = join(here, 'next');
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/next/dist/bin/next'), 'build'],
      { cwd: dir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`next build failed:\n${stdout}${stderr}`));
        rmSync(join(out, 'next'), { recursive: true, force: true });
        renameSync(join(dir, 'out'), join(out, 'next'));
        resolve();
      },
    );
  });
}

/** Builds the apps unless nothing they depend on changed since the last build; resolves the seconds it took. */
export async function buildApps() {
  if (!existsSync(join(root, 'dist/index.mjs'))) throw new Error('e2e/apps: dist/ is missing: run `npm run build` first');
  const stamp = fingerprint();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return 0;
  const started = Date.now();
  rmSync(stampFile, { force: true });
  install();
  const react = (await import('@vitejs/plugin-react')).default;
  const vue = (await import('@vitejs/plugin-vue')).default;
  await vite('react', 'react', { plugin: react });
  await vite('react-dev', 'react', { plugin: react, dev: true });
  await vite('vue', 'vue', { plugin: vue });
  await next();
  writeFileSync(stampFile, stamp);
  return (Date.now() - started) / 1000;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = await buildApps();
  console.log(seconds ? `e2e/apps: built in ${seconds.toFixed(1)} s` : 'e2e/apps: up to date');
}
