/**
 * Native batches for the collector's tests and its benchmark: envelopes valid against schemas/envelope.json, in the
 * shape Stint sends (one shared context, each event `[id, name, properties, t]`, the first with its index). The tests
 * that need what Stint's own code makes (sessions that end, engaged time) make it with the core (collector.test.ts).
 */
import { randomUUID } from 'node:crypto';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/**
 * A shared context: one session of one device, on `path`.
 * @returns {import('../../src/core/formats/envelope').SharedContext}
 */
export function context({ sessionId = randomUUID(), userId = randomUUID(), path = '/', firstEventId = null } = {}) {
  return {
    session: {
      userId,
      sessionId,
      sessionIndex: 1,
      previousSessionId: null,
      storageMechanism: 'COOKIE_1',
      firstEventId,
      firstEventTimestamp: firstEventId ? '2026-11-21T10:00:00.000Z' : null,
    },
    sessionAttributes: { plan: 'pro' },
    user: { id: null },
    context: {
      page: { url: `https://shop.example${path}`, path, referrer: null, title: 'Shop', viewId: randomUUID() },
      device: { screenResolution: '1280x800', colorDepth: 24, orientation: 'landscape', touch: false },
      app: { type: 'browser', language: 'en-US', bot: false },
      userAgent: { original: UA, brands: [{ brand: 'Chromium', version: '156' }], platform: 'Linux', platformVersion: null },
      utm: { source: 'news', medium: 'email', campaign: null, term: null, content: null },
      time: { timeZone: 'Europe/Paris', weekday: 'Saturday' },
      tabId: '0a1b2c3d',
    },
  };
}

/**
 * An envelope of `count` events (fresh ids) in one context; `at` its first event's time.
 * @param {{ count?: number, appId?: string, appVersion?: string, sampleRate?: number, dropped?: number, at?: number,
 *   shared?: import('../../src/core/formats/envelope').SharedContext }} [o]
 * @returns {import('../../src/core/formats/envelope').Envelope}
 */
export function envelope({ count = 20, appId = 'shop-web', appVersion, sampleRate = 1, dropped = 0, at = 1795255200000, shared } = {}) {
  const events = Array.from({ length: count }, (_, i) => {
    /** @type {import('../../src/core/formats/envelope').CompactEvent} */
    const event = [randomUUID(), i % 5 ? 'add_to_cart' : 'page_view', i % 5 ? { sku: `A-${i}`, price: 12.5 } : {}, i * 250];
    return i ? event : [...event, { i: 1 }];
  });
  const sentAt = new Date(at + count * 250).toISOString();
  return { v: 3, appId, ...(appVersion && { appVersion }), sentAt, at, dropped, sampleRate, contexts: [shared || context()], events };
}

/**
 * The event ids of an envelope.
 * @param {import('../../src/core/formats/envelope').Envelope} batch
 */
export const idsOf = (batch) => batch.events.map((e) => e[0]);
