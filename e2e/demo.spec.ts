/**
 * The demo's live timeline, driven like a person would: a scripted visit (a route change, a background
 * period, a collector outage, a second device, a session that ends by timeout, a refusal of consent) and
 * what the timeline shows for it. It writes test-results/timeline.png for a reviewer to look at (the
 * README's docs/timeline.png is a copy of it).
 */
import { baseUrl, expect, test } from './fixtures';

test.use({ viewport: { width: 1280, height: 800 } });

test('the timeline shows devices, sessions, bands, marks and ends, live', async ({ page, browser, build, run }, testInfo) => {
  test.skip(build === 'esm', 'the demo page loads the script tag (the ESM build has no demo page)');
  test.setTimeout(60_000);
  await page.clock.install();
  await page.goto(`${baseUrl()}/?run=${run}`);
  await expect(page.locator('body')).toHaveAttribute('data-stream', 'live');

  const lanes = page.locator('.tl-lane');
  const mine = page.locator('.tl-lane.mine');
  const marks = (name: string) => mine.locator(`.tl-mark[data-name="${name}"]`);
  const track = async (name: string) => {
    await page.getByLabel('Event', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'track()' }).click();
  };

  // Session 1: the landing page, an event, a route of the single-page demo, a background period.
  await expect(marks('application_initialized')).toHaveCount(1);
  await expect(marks('page_view')).toHaveCount(1);
  await expect(mine).toContainText('this browser');
  await expect(mine).toContainText('consent granted');
  await track('signup_clicked');
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
  await track('during_outage');
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

  // Another device (a second browser context) shows up in its own lane as it acts.
  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    await second.goto(`${baseUrl()}/?run=${run}`);
    await second.getByRole('button', { name: 'track()' }).click();
    await expect(lanes).toHaveCount(2);
    await expect(lanes.nth(1).locator('.tl-mark[data-name="button_clicked"]')).toHaveCount(1);
  } finally {
    await other.close();
  }

  // Session 2: past the 60 s foreground timeout the next event ends session 1 and starts session 2.
  await page.clock.fastForward(61_000);
  await expect(page.locator('#s-expiry')).toContainText('no live session');
  await track('came_back');
  await expect(mine.locator('.tl-bar')).toHaveCount(2);
  await expect(mine.locator('.tl-bar.ended')).toHaveCount(1);
  const captions = mine.locator('.tl-caption');
  await expect(captions.nth(0)).toContainText(/Session 1 · COOKIE_1 · \d+ events · ended: foreground_timeout, \d+ s/);
  await expect(captions.nth(1)).toContainText('Session 2 · COOKIE_1');
  await expect(captions.nth(1)).toContainText('open');
  await expect(marks('session_end')).toHaveCount(1);

  // Each mark tells its name and properties, on focus as on hover; the arrow keys move along the lane.
  const tip = page.getByRole('tooltip');
  await marks('signup_clicked').focus();
  await expect(tip).toContainText('signup_clicked');
  await expect(tip).toContainText('"view": "home"');
  await page.keyboard.press('ArrowRight');
  await expect(tip).toContainText('page_view');
  await expect(tip).toContainText('view=pricing · Pricing · Stint demo');
  await page.keyboard.press('Escape');
  await expect(tip).toBeHidden();
  await marks('came_back').hover();
  await expect(tip).toContainText('came_back');
  await expect(tip).toContainText('session 2 · event');

  // A refusal: Stint goes on without any id (onDenied: 'anonymous'), in a lane of its own.
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.locator('#s-consent')).toHaveText('denied: anonymous events');
  await track('anonymous_click');
  const anonymous = page.locator('.tl-lane.anonymous');
  await expect(anonymous.locator('.tl-mark[data-name="anonymous_click"]')).toHaveCount(1);
  await expect(anonymous).toContainText('this browser');
  await expect(anonymous).toContainText('consent denied');
  await expect(anonymous.locator('.tl-caption')).toContainText('MEMORY');
  await expect(page.locator('.tl-flag.consent-denied')).toHaveCount(1);
  await expect(lanes).toHaveCount(3);

  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  const shot = await page.screenshot({ path: 'test-results/timeline.png' });
  await testInfo.attach('timeline', { body: shot, contentType: 'image/png' });
});
