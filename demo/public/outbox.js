// This tab's outbox, as the page can observe it, without reading Stint's internals: Stint sends its
// batches with fetch (keepalive) and, when the page is hidden, with navigator.sendBeacon, both looked up
// when used, so wrapping them shows every batch this tab sends and how the collector answered. Loaded as
// a plain script before Stint, so that the first batch is seen too.
//
// An event is known here once this page tracked it (the id a call returned) or this tab sent it in a
// batch; it leaves the outbox when the collector accepted its batch, or when the collector's stream says
// it arrived (another tab of the site may have sent it: tabs share the outbox and one of them sends).
//
//   pending   tracked here, not tried yet (Stint waits up to 1 s to fill a batch)
//   inflight  in a request that has not been answered
//   retrying  its last request failed with an answer Stint retries (network error, 5xx, 408, 429)
//   beaconed  handed to sendBeacon: no answer comes; the stream confirms it
//   dropped   what Stint reported lost in the `dropped` field of the batches the collector accepted
window.demoOutbox = (() => {
  // Which answers Stint sends again, and a batch's events made whole: Stint's own rule and reader, from the
  // entry a Node collector imports (stint/collector).
  const rules = import('/dist/collector.mjs');
  /** A batch's events, whole (version 3 sends each as an array of what is its own). */
  const whole = (batch) =>
    rules.then(({ expandEnvelope }) => {
      try {
        return expandEnvelope(batch);
      } catch {
        return [];
      }
    });
  const MAX_REQUESTS = 8;
  const entries = new Map(); // eventId -> { id, name, at, sessionId, state, tries, status }
  const gone = new Set(); // delivered: a copy sent again later (after a failure, by beacon) is not counted twice
  const requests = []; // newest first: { at, kind, count, status }
  const listeners = new Set();
  let delivered = 0;
  let dropped = 0;

  const changed = () => listeners.forEach((fn) => fn());
  const isBatch = (url, body) => {
    try {
      if (!/\/collect(\/|$)/.test(new URL(url, location.href).pathname) || typeof body !== 'string') return null;
      const batch = JSON.parse(body);
      return Array.isArray(batch?.events) ? batch : null;
    } catch {
      return null;
    }
  };
  const remember = (e, state) => {
    if (gone.has(e.eventId)) return { tries: 0 };
    const entry = entries.get(e.eventId) || { id: e.eventId, tries: 0, status: null };
    Object.assign(entry, { name: e.name, at: Date.parse(e.timestamp), sessionId: e.session?.sessionId, state });
    entries.set(e.eventId, entry);
    return entry;
  };
  const log = (request) => {
    requests.unshift(request);
    requests.length = Math.min(requests.length, MAX_REQUESTS);
  };
  const settle = async (list, status, request) => {
    const { retryable } = await rules;
    request.status = status;
    const ok = status >= 200 && status < 300;
    for (const entry of list) {
      if (!entries.has(entry.id)) continue; // the stream was faster
      entry.status = status;
      if (ok) {
        entries.delete(entry.id);
        gone.add(entry.id);
        delivered++;
      } else if (retryable(status) || (status === 413 && list.length > 1)) {
        entry.state = 'retrying'; // (a 413 for more than one event: Stint sends the batch again in halves)
      } else entries.delete(entry.id); // refused: Stint drops it and reports it in the next batch's `dropped`
    }
    changed();
  };

  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const batch = init?.method === 'POST' ? isBatch(typeof input === 'string' ? input : input?.url, init.body) : null;
    const answer = fetch.apply(this, arguments);
    if (batch) {
      const request = { at: Date.now(), kind: 'fetch', count: batch.events.length, status: null };
      log(request);
      whole(batch).then((events) => {
        const list = events.map((e) => {
          const entry = remember(e, 'inflight');
          entry.tries++;
          return entry;
        });
        changed();
        answer.then(
          (response) => {
            if (response.ok) dropped += batch.dropped || 0;
            settle(list, response.status, request);
          },
          () => settle(list, 0, request),
        );
      });
    }
    return answer;
  };

  const sendBeacon = navigator.sendBeacon;
  if (sendBeacon) {
    navigator.sendBeacon = function (url, data) {
      const taken = sendBeacon.call(navigator, url, data);
      const batch = taken ? isBatch(url, data) : null;
      if (batch) {
        dropped += batch.dropped || 0;
        log({ at: Date.now(), kind: 'beacon', count: batch.events.length, status: 'sent' });
        whole(batch).then((events) => {
          for (const e of events) remember(e, 'beaconed').tries++;
          changed();
        });
      }
      return taken;
    };
  }

  return {
    /** The page tracked an event: it waits here until it is sent. */
    tracked(id, name) {
      if (typeof id !== 'string' || entries.has(id)) return;
      entries.set(id, { id, name, at: Date.now(), sessionId: null, state: 'pending', tries: 0, status: null });
      changed();
    },
    /** The collector's stream says this event arrived (sent by this tab or another). */
    arrived(id) {
      gone.add(id);
      if (!entries.delete(id)) return;
      delivered++;
      changed();
    },
    counts() {
      const counts = { pending: 0, inflight: 0, retrying: 0, beaconed: 0, delivered, dropped };
      for (const entry of entries.values()) counts[entry.state]++;
      return counts;
    },
    entries: () => [...entries.values()],
    requests: () => requests.slice(),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
})();
