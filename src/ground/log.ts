/**
 * Stint speaks to the integrator through the console only, always with the same prefix. A message names where it
 * comes from (the call or the field: `track`, `config.sampleRate`) and what is wrong as a short code (`#20`): the
 * sentences travel apart (messages.ts: the tag's debug part, `stint.debug.js`, or an npm app's chunk), loaded with
 * `debug: true`, which prints each message in full, those said before they came too. docs/messages.md lists them all.
 */
const PREFIX = '[stint] ';

/** A message's sentence (messages.ts), by its code and where it comes from. */
export type Sentences = (code: number, where: string) => string;
type Say = (message: string) => void;

let sentences: Sentences | undefined;
let debugging = false;
/** Said before the sentences came (bounded): said again, in full, once they have (`debug: true`). */
let early: [Say, number, string][] = [];

/**
 * Where a message's code is explained: docs/messages.md as the package installs it, from the app's root where a
 * developer reads the console (scripts/package.mjs checks that each code's anchor is in the file the package ships).
 */
const DOCS = 'node_modules/stint/docs/messages.md#';

/** A message without its sentence: its code, and where the sentence is (as React's production errors say). */
const short = (code: number, where: string) => `${PREFIX}${where} (#${code}: debug: true or ${DOCS}${code})`;

function say(to: Say, code: number, where: string, quiet?: boolean): void {
  if (sentences) return to(`${PREFIX}${where} ${sentences(code, where)} (#${code})`);
  if (!quiet) to(short(code, where));
  if (debugging && early.push([to, code, where]) > 100) early.shift();
}

/** `debug: true` applies from now on (its messages in full, once their sentences have come). */
export const setDebug = (on: boolean): void => void (debugging = on);

/** The sentences have come: what was said before is said again in full. */
export function setSentences(s: Sentences): void {
  sentences = s;
  for (const [to, code, where] of early.splice(0)) say(to, code, where);
}

export const warn = (code: number, where: string): void => say(console.warn, code, where);
export const error = (code: number, where: string): void => say(console.error, code, where);
/** What Stint does, with `debug: true` only (said once the sentences have come). */
export const debug = (code: number, where: string): void => void (debugging && say(console.debug, code, where, true));
/** A TypeError for a wrong argument of `createTracker`, said in full too with `debug: true`. */
export function fault(code: number, where: string): TypeError {
  if (debugging) say(console.error, code, where, true);
  return new TypeError(short(code, where));
}
/** A message in plain words, with or without debug (the tag carries its text: delivery/unreached.ts), and its code. */
export const tell = (code: number, text: string): void => console.warn(`${PREFIX}${text} (${DOCS}${code})`);
/** A part's own message (a part is loaded only where configured: it carries its sentences). */
export const note = (message: string): void => console.warn(PREFIX + message);

/** A value for a message, whatever it is: a Symbol, a Proxy that traps, an object whose toString throws. */
export function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return `a value of type ${typeof value}`;
  }
}

/** What went wrong, from anything thrown: an Error, a string, a Symbol, null, a Proxy that traps. */
export function describeError(e: unknown): string {
  try {
    return String((e as Error).message ?? e);
  } catch {
    return describe(e);
  }
}

/** Logs an internal error once; never throws, whatever was thrown (a Symbol, a Proxy that traps). */
export function internalError(e: unknown): void {
  try {
    const stack = (e as Error)?.stack;
    error(0, typeof stack === 'string' ? stack : describe(e));
  } catch {
    // Even the console failed: nothing more to do.
  }
}

/** Runs `fn` (a callback of a browser signal, a timer, a tab message); an internal error is logged, never thrown. */
export function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    internalError(e);
  }
}
