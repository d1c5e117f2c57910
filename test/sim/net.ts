/**
 * The network and the collector, as the simulator's pages see them. The network is up or down; what a page's
 * `navigator.onLine` says usually follows it, but not always (a captive portal, a link that died: `lying`). The
 * collector accepts (204), is down (503), refuses (400: Stint drops the batch, counted), answers late, or never.
 *
 * A `fetch` leaves at once, reaches the collector after a latency if the network is up the whole way, and its answer
 * comes back the same way: an answer lost on the way back is a failure to the page, though the collector has the
 * batch. A keepalive request outlives its page. `sendBeacon` is taken (true) and goes like a keepalive request with
 * nobody to hear its answer: a network that is down loses it. The collector keeps each event once (by `eventId`) and
 * records every request, so that the invariants can say where each event went.
 */
import { expandEnvelope, type WholeEvent } from '../../src/core/formats/envelope';
import { retryable } from '../../src/core/send/batch';
import type { Loop, Owner } from './loop';
import { probe } from './probes';
import type { Random } from './random';
import type { FetchInit } from './page';

/**
 * How the collector answers: well (`ok`, `slow`), not at all (`hang`), 503 (`down`), 400 to all (`refuse`); and, in a
 * share of seeds (schedule.ts `rich`), what real collectors and the proxies before them also answer: 429 with a
 * Retry-After of 1 to 20 s (`throttle`), 408 (`timeout`), a 307 the page cannot follow (`moved`: no Location, or one
 * to another origin), and 413 for a body over 16 KB (`small`: a proxy's limit).
 */
export type CollectorMode = 'ok' | 'down' | 'refuse' | 'slow' | 'hang' | 'throttle' | 'timeout' | 'moved' | 'small';

/** The body `small` takes at most (nginx's client_max_body_size is 1 MB by default; some proxies take far less). */
const SMALL_BODY = 16_384;

/** A request as the collector saw it (or did not: `reached` false). */
export interface Sent {
  n: number;
  /** its place among everything the pages learned and did (outcomes, leaves): `Net.tick` */
  order: number;
  page: string;
  kind: 'fetch' | 'beacon';
  at: number;
  /** when it reached the collector, if it did */
  reached: number | null;
  status: number | null;
  ids: string[];
  /** whether it carried events that identify the visitor (a device id that is not the nil UUID) */
  identified: boolean;
  dropped: number;
  /** the losses its body reports (`dropped`), reached or not */
  reports: number;
  /** its answer came after its page had given up on it (30 s, a restore, a refusal): Stint did not take it */
  ignored?: true;
  /** the page heard the answer (a fetch), or a failure; and when */
  heard: 'answer' | 'failure' | null;
  /** the Retry-After its answer carried (a 429) */
  retryAfter?: string;
  answeredAt?: number;
}

export interface Arrival {
  event: WholeEvent;
  /** the request that brought it first */
  request: number;
  at: number;
}

export interface NetPage extends Owner {
  id: string;
  /** a timer of the simulator's model of one of Stint's, throttled as the page's own (page.ts) */
  timer(delay: number, what: string, run: () => void): void;
  /** the number of the task running now */
  taskNo: number;
  /** when it was last restored from the back/forward cache (-1: never) */
  restoredAt: number;
  /** when its sender last stopped as consent changed (-1: never): a refusal, or a grant after one; it gave up on
   * what it awaited then */
  stoppedAt: number;
  /** a promise of the page's realm */
  promise<T>(executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T>;
  error(name: string, message: string): Error;
  /** whether the page may still do anything (a crashed page's script has stopped) */
  alive(): boolean;
}

export interface Net {
  up: boolean;
  onLine: boolean;
  mode: CollectorMode;
  fetch(page: NetPage, url: string, init: FetchInit): Promise<unknown>;
  beacon(page: NetPage, url: string, body: unknown): boolean;
  /** every request, in the order they were sent */
  requests: Sent[];
  /**
   * each beacon or keepalive fetch the 64 KiB in flight refused: whose, when, in which of its page's tasks; a fetch's
   * events too, its place in the order of things, and when its page heard the refusal
   */
  overQuota: { page: string; at: number; task: number; fetch?: { ids: string[]; order: number; heard?: number } }[];
  /** each event the collector accepted, by its id (first arrival) */
  arrived: Map<string, Arrival>;
  /** the same, in the order they came */
  arrivals: Arrival[];
  /** events that came again after they had arrived: id -> the requests that brought them again */
  duplicates: Map<string, number[]>;
  /**
   * What the site's pages learned of delivery, in order: an answer heard (a 2xx: ok; a retryable one or none: not) and
   * the browser going offline; and what `navigator.onLine` said, from when
   */
  /** `taken`: a network error the page takes 250 ms after it came, in a task of its own at this moment (transport.ts) */
  outcomes: { at: number; ok: boolean; page: string; task?: number; order: number; taken?: true }[];
  /** the next number in the order of what happened (requests, outcomes, pages leaving) */
  tick(): number;
  /** `page` learned a delivery outcome (a 2xx: `ok`) */
  learned(page: { id: string; taskNo: number }, ok: boolean, taken?: true): void;
  onLines: { at: number; on: boolean }[];
  /** when a page erased the site's last outcome from localStorage (a withdrawal): what pages learned before is gone */
  erased: { at: number; page: string; order: number }[];
}

/** A network error is taken this long after it comes (transport.ts `LEAVE_WAIT`). */
export const LEAVE_WAIT = 250;

const text = (body: unknown) => (typeof body === 'string' ? body : String(body));

export function startNet(loop: Loop, random: Random, log: (line: string) => void): Net {
  const requests: Sent[] = [];
  let order = 0;
  const arrived = new Map<string, Arrival>();
  const arrivals: Arrival[] = [];
  const duplicates = new Map<string, number[]>();
  const latency = () => (random.chance(0.85) ? random.between(2, 40) : random.between(40, 900));

  /** The collector handles a body: the status it answers; 204 keeps the events (each once). */
  const collect = (sent: Sent, body: string): number => {
    const mode = net.mode;
    if (mode === 'down') return 503;
    if (mode === 'refuse') return 400;
    if (mode === 'timeout') return 408;
    if (mode === 'moved') return 307;
    if (mode === 'throttle') return (probe('net: a 429 with Retry-After'), (sent.retryAfter = String(random.between(1, 20))), 429);
    if (mode === 'small' && body.length > SMALL_BODY) return (probe('net: a body refused with 413'), 413);
    let events: WholeEvent[];
    let dropped = 0;
    try {
      const envelope = JSON.parse(body);
      dropped = Number(envelope.dropped) || 0;
      events = expandEnvelope(envelope);
    } catch {
      log(`collector: request ${sent.n} is not an envelope`);
      return 400;
    }
    sent.dropped = dropped;
    for (const event of events) {
      if (arrived.has(event.eventId)) duplicates.set(event.eventId, [...(duplicates.get(event.eventId) || []), sent.n]);
      else {
        const arrival = { event, request: sent.n, at: loop.now() };
        arrived.set(event.eventId, arrival);
        arrivals.push(arrival);
      }
    }
    return 204;
  };

  /** Ids in a body, read without judging it (for the log of what was lost). */
  const idsOf = (body: string): WholeEvent[] => {
    try {
      return expandEnvelope(JSON.parse(body));
    } catch {
      return [];
    }
  };
  /** The losses a body reports, read without judging it. */
  const reportsOf = (body: string): number => {
    try {
      return Number(JSON.parse(body).dropped) || 0;
    } catch {
      return 0;
    }
  };
  const NIL = '00000000-0000-0000-0000-000000000000';

  /**
   * The bytes of each page's beacons and keepalive fetches still on their way: browsers refuse one that would take them
   * past 64 KiB (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch, "inflightKeepaliveBytes"), a beacon with
   * false, a keepalive fetch with a TypeError.
   */
  const keepalive = new Map<string, number>();
  const QUOTA = 65_536;
  const overQuota = (page: NetPage, body: string) => (keepalive.get(page.id) || 0) + body.length > QUOTA;
  /**
   * A keepalive fetch the quota refuses: a TypeError, in a task of the page. Whether Stint takes it as news (its own
   * request: a failure 250 ms later, by a page still there; a leaving page's fallback for a refused beacon: none) the
   * simulator learns as the page shares the outcome (site.ts `shared`).
   */
  const refused = (page: NetPage, body: string, awaited: boolean) => {
    probe('net: a keepalive fetch refused (over 64 KiB)');
    const fetch = { ids: idsOf(body).map((e) => e.eventId), order: net.tick(), heard: undefined as number | undefined };
    const at = loop.now();
    net.overQuota.push({ page: page.id, at, task: page.taskNo, fetch });
    // (a network error to the page, taken 250 ms later by a page still there, as any other: a failure it learns, which
    // refutes what it beaconed just before; seed 20411, a request refused behind the page's own beacons at a freeze.
    // Not a beacon's fallback, which hears nothing: only a request Stint awaits has a signal, transport.ts `post`)
    if (awaited)
      page.timer(LEAVE_WAIT, 'a refused fetch taken', () => {
        if (page.restoredAt <= at && page.stoppedAt <= at) net.learned(page, false, true);
      });
    return page.promise((_resolve, reject) => {
      loop.at(0, page, 'a keepalive fetch refused', () => ((fetch.heard = loop.now()), reject(page.error('TypeError', 'Failed to fetch'))));
    });
  };

  /** Sends `body`; `answer` hears the status (null: no answer: the network, or a collector that never answers). */
  const send = (
    page: NetPage,
    kind: Sent['kind'],
    body: string,
    answer: ((status: number | null) => void) | null,
    kept = kind === 'beacon',
  ) => {
    if (body.length > 50_000) probe('net: a body near the 60 KB a request carries');
    keepalive.set(page.id, (keepalive.get(page.id) || 0) + (kept ? body.length : 0));
    // (a beacon's bytes leave the quota once it is sent: when it reaches the collector, or is lost; a keepalive fetch's
    // once its answer is read, `fetch`)
    const release = () => void (kind === 'beacon' && keepalive.set(page.id, (keepalive.get(page.id) || 0) - body.length));
    const events = idsOf(body);
    const sent: Sent = {
      n: requests.length + 1,
      order: net.tick(),
      page: page.id,
      kind,
      at: loop.now(),
      reached: null,
      status: null,
      ids: events.map((e) => e.eventId),
      identified: events.some((e) => e.session.userId !== NIL),
      dropped: 0,
      reports: reportsOf(body),
      heard: null,
    };
    requests.push(sent);
    if (!net.up) {
      log(`${kind} ${sent.n} from ${page.id}: the network is down (${sent.ids.length} events)`);
      loop.at(latency(), null, `${kind} ${sent.n} fails`, () => (release(), answer?.(null)));
      return;
    }
    loop.at(latency(), null, `${kind} ${sent.n} reaches the collector`, () => {
      release();
      if (!net.up) {
        log(`${kind} ${sent.n} from ${page.id}: lost on the way (${sent.ids.length} events)`);
        probe('net: a request lost on the way');
        return answer?.(null);
      }
      const mode = net.mode;
      sent.reached = loop.now();
      sent.status = collect(sent, body);
      log(`${kind} ${sent.n} from ${page.id}: ${sent.status} (${sent.ids.length} events, dropped ${sent.dropped})`);
      if (mode === 'hang') return;
      const back = latency() + (mode === 'slow' ? random.between(2000, 40_000) : 0);
      loop.at(back, null, `${kind} ${sent.n} answer`, () => {
        if (!net.up) probe('net: an answer lost on the way back');
        answer?.(net.up ? sent.status : null);
      });
    });
  };

  const net: Net = {
    up: true,
    onLine: true,
    mode: 'ok',
    requests,
    overQuota: [],
    arrived,
    arrivals,
    duplicates,
    outcomes: [],
    erased: [],
    onLines: [{ at: loop.now(), on: true }],
    tick: () => ++order,
    learned(page, ok, taken) {
      net.outcomes.push({ at: loop.now(), ok, page: page.id, task: page.taskNo, order: net.tick(), ...(taken && { taken }) });
      log(`${page.id} learns ${ok ? 'a 2xx' : 'a failure'}`);
    },
    fetch(page, url, init) {
      if (!page.alive()) throw page.error('Error', 'the page has crashed');
      const body = text(init.body);
      if (init.keepalive && overQuota(page, body)) return refused(page, body, !!init.signal);
      return page.promise((resolve, reject) => {
        const sent = requests.length + 1;
        // (its bytes count until its answer is read, transport.ts reads it at once; or until it is aborted)
        let counted = !!init.keepalive;
        const free = () => void (counted && ((counted = false), keepalive.set(page.id, (keepalive.get(page.id) || 0) - body.length)));
        init.signal?.addEventListener('abort', () => {
          free();
          loop.at(0, page, `fetch ${sent} aborted`, () => reject(page.error('AbortError', 'The operation was aborted')));
        });
        // (a page that has heard nothing in 30 s gives up: a failure it learns, transport.ts ANSWER_WAIT; not one that
        // gave up on it before, restored from the cache or its sender stopped)
        page.timer(30_000, `fetch ${sent} given up`, () => {
          const gaveUp = page.restoredAt > requests[sent - 1].at || page.stoppedAt > requests[sent - 1].at;
          if (!requests[sent - 1].heard && !gaveUp) net.learned(page, false);
        });
        send(page, 'fetch', body, (status) => {
          const record = requests[sent - 1];
          free();
          // The page hears it as a task of its own, if it still runs (a keepalive request outlives it: nobody hears).
          loop.at(0, page, `fetch ${sent} answered`, () => {
            record.heard = status === null ? 'failure' : 'answer';
            record.answeredAt = loop.now();
            // (30 s after it was sent the page has given up on it (its timer was set first): an answer it no longer hears)
            // (and a page restored from the cache since gave up on what it awaited: transport.ts abandonReplies)
            // (and a page whose sender stopped since, as consent changed, gave up on it: sender.ts `stop`; seed 37140:
            // an anonymous page's beacon was judged by an answer its new sender never heard)
            const late = loop.now() - record.at >= 30_000 || page.restoredAt > record.at || page.stoppedAt > record.at;
            if (late) record.ignored = true;
            // (a network error is taken 250 ms later, by a page still there: it may be leaving, transport.ts)
            else if (status === null)
              page.timer(Math.min(LEAVE_WAIT, record.at + 30_000 - loop.now()), `fetch ${sent} failure taken`, () => {
                if (page.restoredAt <= record.at && page.stoppedAt <= record.at) net.learned(page, false, true);
              });
            // (what Stint sends again is a failure it learns; a final answer drops the batch: src/core/send/batch.ts)
            else if (status >= 200 && status < 300) net.learned(page, true);
            else if (retryable(status)) net.learned(page, false);
            if (status === null) return reject(page.error('TypeError', 'Failed to fetch'));
            // (a redirect not followed, as Stint asks: https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect)
            if (status >= 300 && status < 400 && init.redirect === 'manual')
              return resolve({ status: 0, ok: false, type: 'opaqueredirect', headers: { get: () => null }, text: () => page.promise<string>((done) => done('')) });
            resolve({
              status,
              ok: status >= 200 && status < 300,
              type: 'basic',
              headers: { get: (name: string) => (name.toLowerCase() === 'retry-after' ? (record.retryAfter ?? null) : null) },
              text: () => page.promise<string>((done) => done('')),
            });
          });
        }, !!init.keepalive);
      });
    },
    beacon(page, url, body) {
      if (!page.alive()) throw page.error('Error', 'the page has crashed');
      const payload = text(body);
      // (what browsers refuse: a body that would take what the page has in flight past 64 KiB)
      if (overQuota(page, payload)) {
        probe('net: a beacon refused (over 64 KiB)');
        net.overQuota.push({ page: page.id, at: loop.now(), task: page.taskNo });
        return false;
      }
      send(page, 'beacon', payload, null);
      return true;
    },
  };
  return net;
}
