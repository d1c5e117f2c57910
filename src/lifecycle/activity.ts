/**
 * The person's input, for `activity: 'input'`: trusted `pointerdown`, `keydown`, `wheel`, `scroll` and
 * `touchstart` anywhere on the page (captured on the window, so that a handler that stops propagation does
 * not hide them; `scroll` does not bubble, but capture sees every element's). Passive listeners, so that
 * scrolling never waits for Stint (https://dom.spec.whatwg.org/#dom-addeventlisteneroptions-passive); a
 * synthetic event (`isTrusted` false) is the page's script, not the person.
 */
const INPUTS = ['pointerdown', 'keydown', 'wheel', 'scroll', 'touchstart'];
/** At most one input a second reaches the core (which writes at most one per 5 s): scrolling fires 60 a second. */
const EVERY = 1000;

/** Calls `onInput` with the time of the person's input, at most once a second; returns the function that stops. */
export function watchActivity(onInput: (at: number) => void): () => void {
  let last = 0;
  const listen = (e: Event) => {
    const at = Date.now();
    if (!e.isTrusted || at - last < EVERY) return;
    last = at;
    onInput(at);
  };
  const options = { capture: true, passive: true };
  for (const type of INPUTS) addEventListener(type, listen, options);
  return () => {
    for (const type of INPUTS) removeEventListener(type, listen, options);
  };
}
