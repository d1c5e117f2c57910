/**
 * The demo's live timeline, driven like a person would: a scripted visit (a route change, a short background
 * period, a collector outage, a second browser, a page hidden longer than the background timeout, a session
 * that ends by the foreground timeout, a refusal of consent and then a grant) and what the timeline shows for
 * it, then the raw events table. It writes test-results/timeline.png and test-results/events.png, the screens
 * after the clicks, for a reviewer to look at (the README's docs/timeline.png is a copy of the first).
 */
import type { Page } from '@playwright/test';
import { baseUrl, expect, inChromium, test } from './fixtures';

test.use({ viewport: { width: 1280, height: 900 } });

/** Why the demo plays in one engine. */
const DEMO = "the demo is this repository's page, not Stint: its drawing is checked in one engine (Stint in each engine is the other specs')";

/**
 * The page's picture once it is complete, read by `read` in the page. The demo page and the events page redraw as
 * the stream goes on (and the timeline every second): each says, by `data-drawn` on its body, how many events its
 * last drawing shows (none while the next is on its way). This waits (bounded) until that is every event the
 * collector has for `run`, and reads in the same task as that check: one evaluation, which no redraw can cut
 * into, so every box and text read comes from one drawing. (`read` runs in the page: it closes over nothing.)
 */
async function whenDrawn<R>(page: Page, run: string, read: () => R): Promise<R> {
  let picture: { value: R } | null = null;
  await expect
    .poll(
      async () => {
        const { events } = await (await fetch(`${baseUrl()}/api/runs/${run}`)).json();
        const expected = JSON.stringify(String(events.length));
        picture = await page.evaluate<{ value: R } | null>(`document.body.dataset.drawn === ${expected} ? { value: (${read})() } : null`);
        return picture ? 'drawn' : `the collector has ${events.length} events; the page drew ${await page.evaluate(() => document.body.dataset.drawn ?? 'none yet')}`;
      },
      { message: 'the page draws every event the collector has' },
    )
    .toBe('drawn');
  return picture!.value;
}

interface Box {
  text: string | null;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The pairs of `boxes` that overlap (none, where labels are legible). */
function overlapping(boxes: Box[]): string[] {
  const found: string[] = [];
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1))
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) found.push(`"${a.text}" and "${b.text}"`);
  return found;
}

const track = async (page: Page, name: string) => {
  await page.getByLabel('Event', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'track()' }).click();
};

inChromium(DEMO, () =>
test('the timeline shows devices, sessions, bands, marks and ends, live', async ({ page, browser, build, run }) => {
  test.setTimeout(90_000);
  await page.clock.install();
  await page.goto(`${baseUrl()}/?run=${run}`);
  await expect(page.locator('body')).toHaveAttribute('data-stream', 'live');

  const lanes = page.locator('.tl-lane');
  const mine = page.locator('.tl-lane.mine');
  const marks = (name: string) => mine.locator(`.tl-mark[data-name="${name}"]`);

  // Session 1: the landing page, an event, a route of the single-page demo, a short background period.
  await expect(marks('application_initialized')).toHaveCount(1);
  await expect(marks('page_view')).toHaveCount(1);
  await expect(mine).toContainText('this browser');
  await expect(mine).toContainText('consent granted');
  await track(page, 'signup_clicked');
  await page.getByRole('link', { name: 'Pricing' }).click();
  await expect(marks('page_view')).toHaveCount(2);
  await page.getByRole('button', { name: 'Hide page (background)' }).click();
  await expect(marks('application_background')).toHaveCount(1);
  await page.clock.fastForward(8_000);
  await page.getByRole('button', { name: 'Show page (foreground)' }).click();
  await expect(marks('application_foreground')).toHaveCount(1);
  await expect(mine.locator('.tl-band.background')).toHaveCount(1);
  await expect(mine.locator('.tl-band.foreground')).toHaveCount(2);
  await expect(page.locator('#s-expiry')).toContainText('60 s idle, foreground');

  // A collector outage: the event waits in the outbox, retried, and arrives once the collector is back.
  await page.getByRole('button', { name: 'Make it fail (503)' }).click();
  await expect(page.locator('#fault-state')).toContainText('failing with HTTP 503');
  await track(page, 'during_outage');
  await expect(page.locator('#o-retrying')).not.toHaveText('0');
  await expect(page.locator('.tl-collector .tl-request.failed').first()).toBeVisible();
  await expect(page.locator('.tl-collector .tl-outage')).toHaveCount(1);
  await expect(marks('during_outage')).toHaveCount(0);
  await page.getByRole('button', { name: 'Recover now' }).click();
  await expect(page.locator('#fault-state')).toHaveText('answering normally');
  // Stint waits out its backoff (a second or two); the page's clock is Playwright's.
  await page.clock.fastForward(5_000);
  await expect(marks('during_outage')).toHaveCount(1);
  await expect(page.locator('#o-retrying')).toHaveText('0');
  await expect(page.locator('#o-pending')).toHaveText('0');

  // Another browser (a second browser context) shows up in its own lane as it acts.
  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    await second.goto(`${baseUrl()}/?run=${run}`);
    // Its page draws both lanes first: a lane that appears moves the form down, and WebKit's WebDriver click, which
    // takes the button's place before it clicks, then hit what took that place (seen: a click on a DIV, 2 runs in 8;
    // the WebKit harness's click now waits for a still box that a click hits too: e2e/webkit/locators.ts).
    await expect(second.locator('.tl-lane')).toHaveCount(2);
    await second.getByRole('button', { name: 'track()' }).click();
    await expect(lanes).toHaveCount(2);
    // (found by its name, not its place: lanes are in the order of their first event, and the clocks differ)
    const theirs = lanes.filter({ hasText: 'Browser 2' });
    await expect(theirs).toHaveCount(1);
    await expect(theirs.locator('.tl-mark[data-name="button_clicked"]')).toHaveCount(1);
  } finally {
    await other.close();
  }

  // The page hidden longer than the background timeout (15 s): the session lives on in the background until the
  // timeout ends it, a background band, not a gap; the page's return starts session 2.
  await page.getByRole('button', { name: 'Hide page (background)' }).click();
  await expect(marks('application_background')).toHaveCount(2);
  await page.clock.fastForward(16_000);
  await page.getByRole('button', { name: 'Show page (foreground)' }).click();
  await expect(mine.locator('.tl-bar')).toHaveCount(2);
  const captions = mine.locator('.tl-caption');
  await expect(captions.nth(0)).toContainText(/Session 1 · COOKIE_1 · \d+ events · ended: background_timeout, .* · engaged \d+ s/);
  const first = mine.locator('.tl-bar').nth(0);
  await expect(first.locator('.tl-band').last()).toHaveClass(/background/);
  await expect(first.locator('.tl-idle')).toHaveCount(1);
  // (the first bar's bands, in order, and its idle tail)
  const bar = await whenDrawn(page, run, () => {
    const first = document.querySelector('.tl-lane.mine .tl-bar')!;
    const width = (n: Element) => n.getBoundingClientRect().width;
    return {
      bands: [...first.querySelectorAll('.tl-band')].map((n) => ({ background: n.classList.contains('background'), width: width(n) })),
      idle: [...first.querySelectorAll('.tl-idle')].map(width),
    };
  });
  const hidden = bar.bands.at(-1)!;
  expect(hidden.background).toBe(true);
  expect(bar.idle).toHaveLength(1);
  // The idle background tail is the 15 s of the timeout: wider than the 8 s of the first background period.
  expect(hidden.width).toBeGreaterThan(bar.idle[0] - 2);
  expect(bar.idle[0]).toBeGreaterThan(bar.bands.find((b) => b.background)!.width);

  // Session 3: past the 60 s foreground timeout the next event ends session 2 and starts session 3.
  await page.clock.fastForward(61_000);
  await expect(page.locator('#s-expiry')).toContainText('no live session');
  await track(page, 'came_back');
  await expect(mine.locator('.tl-bar')).toHaveCount(3);
  await expect(mine.locator('.tl-bar.ended')).toHaveCount(2);
  await expect(captions.nth(1)).toContainText(/Session 2 · COOKIE_1 · \d+ events · ended: foreground_timeout/);
  await expect(captions.nth(2)).toContainText('Session 3 · COOKIE_1');
  await expect(captions.nth(2)).toContainText('open');
  await expect(marks('session_end')).toHaveCount(2);

  // Each mark tells its name and properties, on focus as on hover; the arrow keys move along the lane.
  const tip = page.getByRole('tooltip');
  await marks('signup_clicked').focus();
  await expect(tip).toContainText('signup_clicked');
  await expect(tip).toContainText('"view": "home"');
  // The route change ended the home view: its engaged time (engagement), then the next page view.
  await page.keyboard.press('ArrowRight');
  await expect(tip).toContainText('page_engagement');
  await expect(tip).toContainText('"engaged_ms":');
  await page.keyboard.press('ArrowRight');
  await expect(tip).toContainText('page_view');
  await expect(tip).toContainText('view=pricing · Pricing · Stint demo');
  await page.keyboard.press('Escape');
  await expect(tip).toBeHidden();
  await marks('came_back').hover();
  await expect(tip).toContainText('came_back');
  await expect(tip).toContainText('session 3 · event');

  // A refusal: Stint goes on without any id (onDenied: 'anonymous'); then a grant: a new device id. One browser,
  // one lane, its device ids over time.
  await expect(page.locator('#s-device')).toHaveText(/^[0-9a-f]{8}$/);
  const device = (await page.locator('#s-device').textContent())!;
  await page.clock.fastForward(6_000);
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.locator('#s-consent')).toHaveText('denied: anonymous events');
  await track(page, 'anonymous_click');
  await expect(marks('anonymous_click')).toHaveCount(1);
  await expect(mine.locator('.tl-caption').last()).toContainText('anonymous · Session 1 · MEMORY');
  await page.clock.fastForward(6_000);
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.locator('#s-consent')).toHaveText('granted');
  await track(page, 'granted_again');
  await expect(marks('granted_again')).toHaveCount(1);
  await expect(lanes).toHaveCount(2);
  // (this tab's new device id, once the page shows it)
  await expect(page.locator('#s-device')).not.toHaveText(device);
  await expect(page.locator('#s-device')).toHaveText(/^[0-9a-f]{8}$/);
  const newDevice = (await page.locator('#s-device').textContent())!;
  await expect(mine.locator('.tl-devices')).toHaveText(`device ${device} → anonymous → ${newDevice}`);
  await expect(mine.locator('.tl-caption').last()).toContainText(`${newDevice} · Session 1 · COOKIE_1`);
  await expect(page.locator('.tl-flag.consent-denied')).toHaveCount(1);
  await expect(page.locator('.tl-flag.consent-granted')).toHaveCount(1);

  // Legible: no two labels overlap (the consent flags a moment apart, the axis, each lane's captions), and the
  // outbox's list is whole.
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  await expect(page.locator('#o-requests li')).toHaveCount(8);
  const picture = await whenDrawn(page, run, () => {
    const boxes = (nodes: Iterable<Element>) =>
      [...nodes].map((n) => {
        const { left, right, top, bottom } = n.getBoundingClientRect();
        return { text: n.textContent, left, right, top, bottom };
      });
    return {
      axis: boxes(document.querySelectorAll('.tl-axis .tl-flag, .tl-axis .tl-tick')),
      captions: [...document.querySelectorAll('.tl-lane')].map((lane) => boxes(lane.querySelectorAll('.tl-caption'))),
      labels: boxes(document.querySelectorAll('.tl-label > *')),
      // (each request of the outbox's list, and the section it is in)
      requests: [...document.querySelectorAll('#o-requests li')].map((n) => ({ ...boxes([n])[0], outer: boxes([n.closest('section')!])[0] })),
    };
  });
  expect(picture.captions).toHaveLength(2);
  expect(overlapping(picture.axis)).toEqual([]);
  for (const captions of picture.captions) expect(overlapping(captions)).toEqual([]);
  expect(overlapping(picture.labels)).toEqual([]);
  expect(picture.requests).toHaveLength(8);
  expect(picture.requests.filter((r) => r.bottom > r.outer.bottom + 0.5 || r.right > r.outer.right + 0.5).map((r) => r.text)).toEqual([]);
  await page.screenshot({ path: 'test-results/timeline.png' });

  // The raw events: each row says its device, session and page (three page views of one session are told apart).
  const raw = await page.context().newPage();
  await raw.setViewportSize({ width: 1280, height: 900 });
  await raw.goto(`${baseUrl()}/events.html?run=${run}`);
  await expect(raw.locator('thead th')).toHaveText(['#', 'time', 'event', 'device', 'session', 'event #', 'page', 'storage', 'properties']);
  // (the table is drawn again every second: read whole, once it shows every event)
  const rows = await whenDrawn(raw, run, () => [...document.querySelectorAll<HTMLTableRowElement>('tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent ?? '')));
  const pages = rows.filter((cells) => cells[2] === 'page_view').map((cells) => cells[6]);
  expect(pages).toContain('/?run=' + run + ' · Home · Stint demo');
  expect(pages.some((p) => p.includes('view=pricing') && p.endsWith('Pricing · Stint demo'))).toBe(true);
  const devices = new Set(rows.map((cells) => cells[3]));
  expect([...devices]).toEqual(expect.arrayContaining([device, 'anonymous', newDevice]));
  await raw.screenshot({ path: 'test-results/events.png' });
  await raw.close();
}));
