/**
 * An event too large to send, decided by the core at the call (src/core/record.ts `enter`): its name, properties
 * and page are measured in UTF-8 bytes (the rest of an event is bounded), and one over MAX_EVENT_BYTES is refused
 * whole, with one warning that names it; what comes after it still goes. The browser's side of it (a warning
 * effect is a console warning, an event that fits arrives) is the shell's.
 */
import { describe, expect, it } from 'vitest';
import { byteLength, MAX_EVENT_BYTES } from '../../src/core/send/batch';
import { track } from '../../src/core/step';
import { consent } from '../../src/core/consent';
import { boot, place, type Tracker } from './harness';

/** What an event carries besides its name, properties and page, at most (src/core/record.ts `BOUNDED_PARTS`): those three have the rest. */
const MEASURED = MAX_EVENT_BYTES - 4096;

/** The bytes measured of an event: its name (as JSON), its properties and its page. */
const measured = (t: Tracker, name: string, props: string) => byteLength(JSON.stringify(name) + props + t.model.page.pageJson);

/** Properties `{"pad":"x…x"}` that bring the event named `name` to `bytes` measured, on `t`'s page. */
function filling(t: Tracker, name: string, bytes: number): string {
  const pad = bytes - measured(t, name, '{"pad":""}');
  return JSON.stringify({ pad: 'x'.repeat(pad) });
}

const warning = (name: string) => `event "${name.slice(0, 100)}"`;

// [case, the page's path, the event's name, its properties (JSON, or made for the tracker), refused]
type Row = [string, string, string, string | ((t: Tracker) => string), boolean];
const rows: Row[] = [
  ['large properties (30,000 characters)', '/', 'huge', JSON.stringify({ pad: 'x'.repeat(30_000) }), true],
  ['a name of 70,000 characters', '/', 'n'.repeat(70_000), '{}', true],
  ['a name of 40,000 characters', '/', 'n'.repeat(40_000), '{}', true],
  ['properties split across fields, each under the bound (16,000 and 14,000 characters)', '/', 'split', JSON.stringify({ a: 'x'.repeat(16_000), b: 'y'.repeat(14_000) }), true],
  ['3-byte UTF-8 characters counted as bytes: 10,000 of them are 30,000 bytes', '/', 'wide', JSON.stringify({ pad: '語'.repeat(10_000) }), true],
  ['2-byte UTF-8 characters in the name: 11,000 of them are 22,000 bytes, and fit', '/', 'é'.repeat(11_000), '{}', false],
  ['properties of 20,000 characters fit', '/', 'fits', JSON.stringify({ blob: 'x'.repeat(20_000) }), false],
  ['the page counts too: properties that fit alone, on a page whose URL is 10,000 characters long', `/?q=${'q'.repeat(10_000)}`, 'fits', JSON.stringify({ blob: 'x'.repeat(20_000) }), true],
  [`one that just fits: name, properties and page of ${MEASURED.toLocaleString('en')} bytes`, '/', 'edge', (t) => filling(t, 'edge', MEASURED), false],
  ['one byte more', '/', 'edge', (t) => filling(t, 'edge', MEASURED + 1), true],
  // (one character of three bytes in place of three of one)
  ['one that just fits, with a 3-byte character', '/', 'edge', (t) => filling(t, 'edge', MEASURED).replace('xxx', '語'), false],
  ['one byte more, with a 3-byte character', '/', 'edge', (t) => filling(t, 'edge', MEASURED + 1).replace('xxx', '語'), true],
];

/** Where the tracker stands when the event comes: calls run at once, or are held until a grant (then run in order). */
const situations: [string, (path: string) => Tracker, (t: Tracker) => void][] = [
  [
    'storage open',
    (path) => {
      const t = boot({ place: place(path) });
      t.open(0);
      return t;
    },
    () => {},
  ],
  ['held (consent pending), then granted', (path) => boot({ consent: 'pending', place: place(path) }), (t) => (t.send(consent, 9000, 'granted', 'page', false), t.open(9000))],
];

describe.each(situations)('an event too large to send is refused at track, whole: %s', (_, start, settle) => {
  it.each(rows)('%s', (_, path, name, made, refused) => {
    const t = start(path);
    const props = typeof made === 'string' ? made : made(t);
    const before = t.send(track, 1000, 'before', '{}');
    const held = () => t.model.hold && [t.model.hold.events, t.model.hold.chars];
    const holding = held();
    t.take();
    const id = t.send(track, 2000, name, props);
    const fx = t.take();
    const holds = held();
    const after = t.send(track, 3000, 'after', '{}');
    settle(t);
    const events = t.events();
    const ids = events.map((e) => e.eventId);
    expect(before).toBeDefined();
    if (refused) {
      // Nothing of it: no id, no effect but one warning that names it, nothing held, no event index taken.
      expect(id).toBeUndefined();
      expect(fx).toEqual([['warn', 25, warning(name)]]);
      expect(t.effects.filter((e) => e[0] === 'warn')).toEqual([['warn', 25, warning(name)]]);
      expect(events.filter((e) => e.name === name)).toEqual([]);
      expect(ids.slice(-2)).toEqual([before, after]);
      expect(events.at(-1)!.session.eventIndex).toBe(events.at(-2)!.session.eventIndex + 1);
      expect(holds).toEqual(holding);
    } else {
      expect(id).toBeDefined();
      expect(fx.filter((e) => e[0] === 'warn')).toEqual([]);
      expect(ids.slice(-3)).toEqual([before, id, after]);
      const sent = events.at(-2)!;
      expect([sent.name, JSON.stringify(sent.properties)]).toEqual([name, props]);
      // (what fits, fits whole: the event as it is sent)
      expect(byteLength(JSON.stringify(sent))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    }
    // Later events still go.
    expect(after).toBeDefined();
    expect(events.at(-1)!.name).toBe('after');
    // (the row is what it says: over the bound, or within it)
    expect(measured(t, name, props) > MEASURED).toBe(refused);
  });
});
