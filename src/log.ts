/** Stint speaks to the integrator through the console only, always with the same prefix. */
const PREFIX = '[stint] ';

export const warn = (message: string): void => console.warn(PREFIX + message);
export const error = (message: string): void => console.error(PREFIX + message);

let debugging = false;
export const setDebug = (on: boolean): void => void (debugging = on);
/** Logs what Stint does, when `debug: true`. */
export const debug = (message: string, detail?: unknown): void => {
  if (debugging) console.debug(PREFIX + message, detail ?? '');
};

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
    error(`internal error, please report it: ${typeof stack === 'string' ? stack : describe(e)}`);
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
