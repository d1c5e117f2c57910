/**
 * The WebKit runner's world, started once: the demo server (pages and collector, as for Playwright), Xvfb and
 * WebKitWebDriver (two: one for the test's session, one for markers). Each test then asks the driver for its own session (a fresh MiniBrowser and storage).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDriver, startXvfb } from './webdriver';

export default async function setup(project: TestProject) {
  const { startServer } = await import('../../demo/server.mjs');
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'stint-webkit-')) });
  const xvfb = process.env.STINT_DISPLAY ? null : await startXvfb();
  const display = process.env.STINT_DISPLAY || xvfb!.display;
  // WebKitWebDriver serves one session at a time: a second one opens the fresh browsers that send markers.
  const drivers = await Promise.allSettled([startDriver(display), startDriver(display)]);
  if (drivers.some((d) => d.status === 'rejected')) {
    // (what did not start says so in one line; the rest is stopped, so that the run ends with it)
    for (const d of drivers) if (d.status === 'fulfilled') d.value.stop();
    xvfb?.stop();
    await server.close();
    throw (drivers.find((d) => d.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const [driver, markers] = drivers.map((d) => (d as PromiseFulfilledResult<Awaited<ReturnType<typeof startDriver>>>).value);
  project.provide('stintBaseUrl', server.url);
  project.provide('webdriverUrl', driver.url);
  project.provide('markerDriverUrl', markers.url);
  return async () => {
    driver.stop();
    markers.stop();
    xvfb?.stop();
    await server.close();
  };
}
