/**
 * The e2e suite in WebKit. Its list is the Playwright specs' own: every test title of e2e/*.spec.ts is
 * played here for each build (scenarios.ts `played`), or skipped with WebKit's reason (`skipped`); a title
 * that is neither fails the run, and so does a scenario whose title is no longer in the specs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { played, skipped } from './scenarios';
import { Collector, type Build } from './stint';
import { Session } from './webdriver';

const SPECS = new URL('..', import.meta.url);

/** Every `test(title, ...)` of the Playwright specs, in file order; a template title as written (`${patch}`). */
function specTitles(): string[] {
  return readdirSync(SPECS)
    .filter((file) => file.endsWith('.spec.ts'))
    .sort()
    .flatMap((file) => [...readFileSync(new URL(file, SPECS), 'utf8').matchAll(/\btest\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/gs)].map((m) => m[2].replace(/\\(.)/g, '$1')));
}

const titles = specTitles();

it('every Playwright test is played in WebKit or skipped with its reason', () => {
  expect(titles.filter((title) => !played[title] && !skipped[title]), 'titles neither played nor skipped in WebKit').toEqual([]);
  expect([...Object.keys(played), ...Object.keys(skipped)].filter((title) => !titles.includes(title)), 'WebKit titles not in the specs').toEqual([]);
  expect(Object.keys(played).filter((title) => skipped[title]), 'titles both played and skipped').toEqual([]);
});

for (const build of ['tag', 'esm'] as Build[]) {
  describe(`webkit-${build}`, () => {
    for (const title of titles) {
      const play = played[title];
      if (!play) {
        it(title, (ctx) => ctx.skip(skipped[title] ?? 'neither played nor skipped in WebKit'));
        continue;
      }
      it(title, async (ctx) => {
        const run = `webkit-${build}-${ctx.task.id}`.replace(/[^\w-]/g, '_');
        const session = await Session.start(inject('webdriverUrl'));
        try {
          await play({ session, tab: await session.tab(), build, run, collector: new Collector(run), skip: (note) => ctx.skip(note) });
        } finally {
          await session.close();
        }
      });
    }
  });
}
