/**
 * `import { expandEnvelope, retryable } from 'stint/collector'`: for collectors written in Node. Pure; no
 * browser, no dependency. `expandEnvelope` turns a batch into whole events, the user agent read (see
 * core/formats/envelope.ts); `retryable` says which failures make Stint send a batch again (the rest drop it);
 * `readSession` reads Stint's cookie or its `stint-session` header and says whether the session is over, as the browser
 * would; `serverCookieHandler` (Node, Express) and `serverCookieFetch` (the Fetch API) answer the `serverCookie`
 * endpoint.
 */
export { expandEnvelope } from './core/formats/envelope';
export type {
  CompactEvent,
  Envelope,
  EventSession,
  SentContext,
  SharedContext,
  WholeEvent,
} from './core/formats/envelope';
export type { UserAgent } from './core/formats/agent';
export { retryable } from './core/send/batch';
export { readSession, SESSION_HEADER, type ServerSession } from './core/session/headers';
export type { Timeouts } from './core/session/rules';
export { serverCookieHandler, serverCookieFetch } from './session/server-cookie';
export type { CopyCookie } from './core/session/headers';
