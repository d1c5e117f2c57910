// The chaos harness's checks (scripts/chaos.mjs), in the spirit of the simulator's (test/sim/check.ts), on what a
// real Chromium did: what each document tracked and lived (its record in localStorage, e2e/pages/chaos.html), what
// the harness did and saw (notes), the faults (spells), and every request the collector received (with the document
// that sent it and the events it carried). A loss or a double a fault explains names that fault.

/** A beacon's or an exit's request lands within this of it. */
const LANDS = 2000;
/** The verdict's window (core/send/verdict.ts VERDICT) and delivery's trust in a 2xx (core/send/send-model.ts TRUST). */
const VERDICT = 10_000;
const TRUST = 5 * 60_000;
/** Two tabs that find the same index within this are the race the issue allows; past it, a fault. */
const INDEX_RACE = 50;
/**
 * How long news takes to reach a page: a message from another tab, an answer to its own request (a task of its
 * queue). On a busy machine (2 cores, a load of 15 to 20) a hidden tab's task waited 100 ms and more.
 */
const HEARD = 150;
/** A flush() past this is slow when no fault spell or freeze of its tab explains it. */
const SLOW_FLUSH = 10_000;

const ok = (r) => r.status >= 200 && r.status < 300;
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The run's record as the checks read it. */
function read(record) {
  const { notes, spells, requests = [], stored = [], arrived = [] } = record;
  const items = (prefix) =>
    stored.filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), JSON.parse(v)]);
  const tracked = items('chaos:t:').flatMap(([doc, list]) => list.map(([id, at]) => ({ id, at, doc })));
  const carried = new Map();
  for (const r of requests) for (const [id] of r.events) (carried.get(id) || carried.set(id, []).get(id)).push(r);
  const freezes = notes.filter((n) => n.kind === 'freeze');
  const life = Object.fromEntries(items('chaos:l:'));
  // (each document's departures: its pagehide and freeze as it recorded them, and the harness's note of each exit it
  // asked for, which comes a moment before)
  const departures = [
    ...notes.filter((n) => n.kind === 'exit' || n.kind === 'freeze').map((n) => [n.doc, n.at]),
    ...Object.entries(life).flatMap(([doc, list]) =>
      list.filter(([type]) => /^(pagehide|freeze)$/.test(type)).map(([, at]) => [doc, at]),
    ),
  ];
  /** The first departure of `doc` between `from` and `to`, or undefined. */
  const left = (doc, from, to) => departures.find(([d, at]) => d === doc && at >= from && at <= to)?.[1];
  return {
    record,
    notes,
    spells,
    requests,
    tracked,
    carried,
    came: new Set(arrived),
    life,
    left,
    at: (at) => `+${s(at - record.began)}`,
    frozenAt: (doc, from, to) => freezes.some((f) => f.doc === doc && f.at <= to && f.at + f.ms >= from),
    spellAt: (from, to, kinds = ['down', 'slow', 'offline']) =>
      spells.find((spell) => kinds.includes(spell.kind) && spell.at <= to && spell.until >= from),
    /** the document left (or froze) between `from` and `to` */
    gone: (doc, from, to) => left(doc, from, to) !== undefined,
    /**
     * the collector held answers past Stint's 30 s (a hang) when the request reached it: Chromium keeps six
     * connections to a host, so what pages sent meanwhile waited in the browser, and reached it long after it left
     */
    held: (r) =>
      spells.some(
        (spell) => spell.kind === 'slow' && spell.until - spell.at > 30_000 && spell.at <= r.at && spell.until >= r.at,
      ),
    /** an offline spell while the request was out: its page heard a network error, whatever the collector said */
    cut: (r) =>
      spells.some((spell) => spell.kind === 'offline' && spell.at <= (r.end ?? Infinity) && spell.until >= r.at),
  };
}

export function check(record) {
  const run = read(record);
  const failures = [...lost(run), ...indexes(run), ...twice(run), ...flushes(run), ...exits(run), ...calls(run)];
  const times = run.notes.filter((n) => n.kind === 'flush').map((f) => f.ms ?? 0);
  return { failures, tracked: run.tracked.length, flushMax: Math.max(0, ...times) };
}

/**
 * Every event tracked is in some request, and arrives: but what left by beacon, or in flight as its page left, while
 * delivery was known to work, lost in that instant, when the site's next outcome was a 2xx or came more than 10 s later
 * (docs/delivery.md `lostInFlight`: the price of not sending every event twice).
 */
function lost(run) {
  const { tracked, carried, came, life } = run;
  const by = (list) => {
    const docs = new Map();
    for (const e of list) docs.set(e.doc, (docs.get(e.doc) || 0) + 1);
    return [...docs]
      .map(([doc, n]) => `${n} of ${doc} [${(life[doc] || []).map(([type]) => type).join(' ')}]`)
      .join('; ');
  };
  const never = tracked.filter((e) => !carried.has(e.id));
  const unanswered = tracked.filter(
    (e) => carried.has(e.id) && !came.has(e.id) && !carried.get(e.id).some((r) => lostInFlight(run, r)),
  );
  return [
    ...(never.length ? [`${never.length} events never in any request (${by(never)})`] : []),
    ...(unanswered.length ? [`${unanswered.length} events sent, never answered 2xx (${by(unanswered)})`] : []),
  ];
}

/**
 * No eventIndex used twice in a session by events more than INDEX_RACE apart, each at the moment its index was taken:
 * its time, or for a call its page held until Stint's storage answered, the moment it did (docs/api.md `ready()`: the
 * event keeps its call's time; seeds 200 and 214 on a busy machine, a new tab's first events 97 and 184 ms before).
 */
function indexes({ requests, life }) {
  const ready = (doc) => life[doc]?.find(([type]) => type === 'ready')?.[1] ?? -Infinity;
  const byIndex = new Map();
  for (const r of requests)
    for (const [id, session, index, at, name, doc] of r.events) {
      const key = `${session.slice(0, 8)} ${index}`;
      const seen = byIndex.get(key) || byIndex.set(key, new Map()).get(key);
      // (the document that tracked it, where it says: the harness's events; else the one that sent it)
      seen.set(id, { at: Math.max(at, ready(doc)), name, doc: doc ?? `sent by ${r.doc}` });
    }
  const failures = [];
  for (const [key, seen] of byIndex) {
    const times = [...seen.values()].map((e) => e.at);
    const apart = Math.max(...times) - Math.min(...times);
    if (seen.size < 2 || apart <= INDEX_RACE) continue;
    const [session, index] = key.split(' ');
    const who = [...seen.values()].map((e) => `${e.name} (${e.doc})`).join(', ');
    failures.push(`eventIndex ${index} of session ${session} used by ${seen.size} events ${apart} ms apart: ${who}`);
  }
  return failures;
}

/** No event sent twice without a fault that explains it. */
function twice(run) {
  const pairs = new Map();
  let doubles = 0;
  for (const list of run.carried.values()) {
    const sorted = list.slice().sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) {
      const [first, again] = [sorted[i - 1], sorted[i]];
      if (excuse(run, first, again)) continue;
      doubles++;
      const [one, two] = [first, again].map((r) => `${r.doc}@${run.at(r.at)} (${r.mode})`);
      const key = `${one} then ${two}`;
      pairs.set(key, (pairs.get(key) || 0) + 1);
    }
  }
  const which = [...pairs].map(([key, n]) => `${n} in ${key}`).join('; ');
  return doubles ? [`${doubles} events sent twice with no fault: ${which}`] : [];
}

/**
 * Why what `first` carried may be sent again (docs/delivery.md "What is not promised"), or null. `first` failed or had
 * no answer, or was cut by an offline spell; `again` was another tab's beacon in the moment `first` went
 * (`sendingRace`); `first`'s page left or froze with it in flight, or it was a beacon, and delivery was not known to
 * work then (`beaconedWhileFailing`) or a failure came within the verdict's window (`refuted`).
 */
function excuse(run, first, again) {
  if (!ok(first)) return `first answered ${first.status}`;
  // (a tab that hid in the moment before it heard the `sending` message of the tab that sent them: docs/delivery.md)
  if (again.mode === 'no-cors' && again.doc !== first.doc && again.at - first.at <= HEARD) return 'sendingRace';
  if (first.end === undefined || first.end - first.at > 30_000 || run.held(first)) return 'answerUnheard';
  if (run.cut(first)) return 'cut by offline';
  const left = leftAt(run, first);
  if (left === null) return null;
  const [before, after] = outcomesAround(run, left);
  if (!before || !before[1] || left - before[0] > TRUST) return 'beaconedWhileFailing';
  return after && !after[1] && after[0] - left <= VERDICT ? 'refuted' : null;
}

/** A request that carried an event and was lost, as docs/delivery.md allows (`lostInFlight`), or not. */
function lostInFlight(run, r) {
  const left = leftAt(run, r);
  if (left === null || ok(r)) return false;
  const [before, after] = outcomesAround(run, left);
  const worked = before && before[1] && left - before[0] <= TRUST;
  return !!worked && (!after || after[1] || after[0] - left > VERDICT);
}

/** When what `r` carried left its page unanswered: a beacon as it went, a request in flight as its page left */
function leftAt({ left }, r) {
  if (r.mode === 'no-cors') return r.at;
  // (an answer in the moment before its page left may go unheard)
  return left(r.doc, r.at - 100, (r.end ?? Infinity) + HEARD) ?? null;
}

/** The site's last outcome before `at` (that its pages had heard of), and its first after. */
function outcomesAround({ requests, spells, cut, gone }, at) {
  // (each answer a page heard: a beacon has none, nor has a request whose page left before it; and the browser going
  // offline, a failure)
  const heard = (r) => r.end !== undefined && r.mode !== 'no-cors' && !gone(r.doc, r.at - 100, r.end + HEARD);
  const outcomes = [
    ...requests.filter(heard).map((r) => [r.end, ok(r) && !cut(r)]),
    ...spells.filter((spell) => spell.kind === 'offline').map((spell) => [spell.at, false]),
  ].sort((a, b) => a[0] - b[0]);
  // (an answer heard by its page moments before: the other tabs hear of it by a message, not at once)
  return [outcomes.filter(([when]) => when < at - HEARD).pop(), outcomes.find(([when]) => when > at)];
}

/** Each flush() resolves; a slow one has a fault to explain it. */
function flushes({ notes, at, spellAt, frozenAt }) {
  const failures = [];
  for (const f of notes.filter((n) => n.kind === 'flush')) {
    const where = `flush() in tab ${f.tab} (${f.doc}) at ${at(f.at)}`;
    // (bounded at 60 s: past it, an outage or a collector that holds its answers may still explain it)
    if (f.failed === 'unresolved' && !spellAt(f.at, f.at + 60_000)) failures.push(`${where} never resolved`);
    else if (f.ms > SLOW_FLUSH && !spellAt(f.at, f.at + f.ms) && !frozenAt(f.doc, f.at, f.at + f.ms))
      failures.push(`${where} took ${s(f.ms)}, no fault`);
  }
  return failures;
}

/**
 * What a page held as it left, it sent (a beacon, or a request in flight): unless offline, or frozen, at its exit, or
 * another tab had taken it to send (docs/delivery.md "Tabs share the outbox": that tab sends it, this one keeps it).
 */
function exits({ notes, tracked, carried, at, spellAt, left: departed, held: queued }) {
  const unsent = [];
  for (const x of notes.filter((n) => n.kind === 'exit')) {
    if (x.offline || x.frozen || spellAt(x.at - 500, x.at + LANDS, ['offline'])) continue;
    // (the page's own pagehide, where it came later: a navigation can wait behind the collector's held connections)
    const gone = departed(x.doc, x.at - HEARD, Infinity) ?? x.at;
    const delivered = (e) => (carried.get(e.id) || []).some((r) => ok(r) && r.end < gone);
    const held = tracked.filter((e) => e.doc === x.doc && e.at <= gone && !delivered(e));
    // (a request may reach the collector long after it left the page while the collector holds the host's connections)
    const sent = (r) => queued(r) || (r.doc === x.doc ? r.at <= gone + LANDS : r.at <= gone + HEARD);
    const left = held.filter((e) => !(carried.get(e.id) || []).some(sent));
    if (left.length) unsent.push(`${x.how} of ${x.doc} at ${at(gone)}: ${left.length} of ${held.length}`);
  }
  return unsent.length ? [`${unsent.length} pages left without sending what they held: ${unsent.join('; ')}`] : [];
}

/**
 * The page's own calls answered, nothing thrown into it. A page's load (its document, Stint's script) waits while the
 * collector, on the same host, holds Chromium's six connections to it: an environment's fault, not Stint's.
 */
function calls({ notes, at, spells }) {
  const loading = (n) =>
    /^(load|loaded|ready)$/.test(n.what) &&
    spells.some((spell) => spell.kind === 'slow' && spell.at <= n.at + n.ms && spell.until >= n.at);
  return notes
    .filter((n) => ['slow', 'error', 'unready', 'thrown'].includes(n.kind) && !loading(n))
    .map((n) => `tab ${n.tab} (${n.doc}) ${n.kind}: ${n.what ?? ''}${n.ms ? ` took ${s(n.ms)}` : ''} at ${at(n.at)}`);
}
