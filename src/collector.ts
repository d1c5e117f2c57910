/**
 * `import { expandEnvelope, retryable } from 'stint/collector'`: for collectors written in Node. Pure; no
 * browser, no I/O. `expandEnvelope` turns a batch of any envelope version into whole events (see
 * core/envelope.ts); `retryable` says which answers make Stint send a batch again (the rest drop it).
 */
export { expandEnvelope, wholeEvent } from './core/envelope';
export type { CompactEvent, Envelope, EventSession, OwnEvent, SharedContext, WholeEvent } from './core/envelope';
export { retryable } from './core/batch';
