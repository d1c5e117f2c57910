/**
 * A visit as Stint's own code sends it: played through the core (test/core/harness.ts, as the shell drives it), its
 * events packed into native batches by the delivery's own `pack` and format. The events, whole, and the bodies.
 */
import { pack } from '../../src/core/send/batch';
import type { PageEvent } from '../../src/core/formats/envelope';
import type { Entry } from '../../src/core/event';
import { nativeFormat } from '../../src/core/formats/native';
import { track } from '../../src/core/step';
import { boot, MIN, place } from '../../test/core/harness';

export const S = 1000;
export const T0 = Date.parse('2026-11-21T10:00:00.000Z');

/**
 * A visit with engaged time: pages /a and /b read for a minute, the tab hidden; back 31 minutes later (the first
 * session ended by the background timeout), a third page read, the tab hidden again. The second session stays open.
 */
function play() {
  const t = boot({ at: T0, newTab: false, settings: { engagement: { idle: 5 * S }, backgroundTimeout: 30 * MIN } });
  t.open(T0);
  const step = (type: string, at: number, ...rest: unknown[]) => (t.send as (...a: unknown[]) => unknown)(type, T0 + at, ...rest);
  step('page', 0, '{}', place('/a'));
  for (let at = 2 * S; at <= 18 * S; at += 2 * S) step('activity', at);
  step('page', 20 * S, '{}', place('/b'));
  step('track', 30 * S, 'add_to_cart', '{"sku":"A-1"}');
  for (let at = 32 * S; at <= 50 * S; at += 2 * S) step('activity', at);
  step('visibility', 60 * S, true);
  t.send(track, T0 + 60 * S + 31 * MIN, 'back', '{}');
  step('visibility', 60 * S + 31 * MIN + S, false);
  step('page', 60 * S + 31 * MIN + S, '{}', place('/c'));
  step('activity', 60 * S + 31 * MIN + 3 * S);
  step('visibility', 60 * S + 31 * MIN + 6 * S, true);
  return t;
}

/**
 * Native bodies of the visit's events, as the delivery packs them (at most 6 events a batch here: several batches),
 * with the app's version (the harness's `appVersion`).
 */
function bodies(entries: Entry[], appVersion: string | null): string[] {
  const out: string[] = [];
  const batch = { dropped: 0, sentAt: T0, profile: null, sampleRate: 1, appVersion };
  for (let rest = entries; rest.length; ) {
    const { entries: packed, body } = pack(rest.slice(0, 6), nativeFormat, batch);
    out.push(body);
    rest = rest.slice(packed.length);
  }
  return out;
}

/** The visit: its events whole (as the page holds them) and the native bodies that carry them. */
export function visit(): { events: PageEvent[]; bodies: string[] } {
  const t = play();
  const entries = t.effects.flatMap((e) => (e[0] === 'enqueue' ? [e[1] as Entry] : []));
  return { events: t.events(), bodies: bodies(entries, t.model.settings.appVersion) };
}
