/**
 * A visit as Stint's own code sends it: played through the core (test/core/harness.ts, as the shell drives it), its
 * events packed into native batches by the delivery's own `pack` and format. The events, whole, and the bodies.
 */
import { pack } from '../../src/core/send/batch';
import type { PageEvent } from '../../src/core/formats/envelope';
import type { Entry } from '../../src/core/event';
import { nativeFormat } from '../../src/core/formats/native';
import { track } from '../../src/core/step';
import { pagehide } from '../../src/core/session/site';
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

/**
 * The walk of docs/collect-and-query.md's five minutes, as its step 2's config sends it (`appId: 'shop-web'`, no
 * `appVersion`, `engagement: true`): a site of two pages, each a page load of its own; /a read for 25 s, a link to /b
 * read for 29 s, the tab closed 55 s after the start. Each page's events as its own tracker makes them, the second opened on the session the
 * first left (its cookie). A browser gives the same eight events (checked by hand in Chromium with the tag,
 * 2026-11-29); the session stays open: nothing ends it in a minute.
 */
export function walk(): { events: PageEvent[]; bodies: string[] } {
  const settings = { appId: 'shop-web', appVersion: null, engagement: { idle: 5 * S } };
  const load = (path: string, at: number, found: Parameters<ReturnType<typeof boot>['open']>[1], until: number) => {
    const t = boot({ at: T0 + at, newTab: !found, place: place(path), settings });
    t.open(T0 + at, found);
    t.send('page', T0 + at, '{}', place(path));
    for (let act = at + 2 * S; act <= until; act += 2 * S) t.send('activity', T0 + act);
    t.send(pagehide, T0 + until + 5 * S, false);
    return t;
  };
  const a = load('/a', 0, null, 20 * S);
  const b = load('/b', 26 * S, structuredClone(a.model.session), 50 * S);
  // (each page sends its own batches)
  const sent = (t: typeof a) => bodies(t.effects.flatMap((e) => (e[0] === 'enqueue' ? [e[1] as Entry] : [])), null);
  return { events: [...a.events(), ...b.events()], bodies: [...sent(a), ...sent(b)] };
}
