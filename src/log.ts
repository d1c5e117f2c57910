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
