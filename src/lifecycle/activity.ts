import type { InputWatcher } from '../shell/config';
import { engagementSteps } from '../core/engaged/engagement';

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

/**
 * Calls `onInput` with the time of the person's input, at most once a second; returns the function that stops. With
 * `focus` (engaged time): media playing is input too (`timeupdate`, which a playing element fires several times a
 * second, and no other: https://html.spec.whatwg.org/multipage/media.html#event-media-timeupdate), and the window's
 * `focus` and `blur` are told at once (`focused`), the page's own calls of `window.focus()` included.
 */
export function watchActivity(onInput: (at: number, focused?: boolean) => void, focus?: boolean): () => void {
  let last = 0;
  const listen = (e: Event) => {
    const at = Date.now();
    if (!e.isTrusted || at - last < EVERY) return;
    last = at;
    onInput(at);
  };
  // (the window's own: an element's focus and blur reach the window's capturing listener too, and say nothing of it)
  const onFocus = (e: Event) => e.target === window && onInput(Date.now(), e.type == 'focus');
  const options = { capture: true, passive: true };
  const types = focus ? [...INPUTS, 'timeupdate'] : INPUTS;
  for (const type of types) addEventListener(type, listen, options);
  if (focus) for (const type of ['focus', 'blur']) addEventListener(type, onFocus, options);
  return () => {
    for (const type of types) removeEventListener(type, listen, options);
    for (const type of ['focus', 'blur']) removeEventListener(type, onFocus, options);
  };
}

/**
 * The input part (`stint.activity.js`, an npm app's input chunk): the watch, and with `engage` engaged time's steps,
 * which only the sites that configure it load.
 */
export const inputWatch: InputWatcher = (onInput, engage) => {
  engage?.(engagementSteps);
  return watchActivity(onInput, !!engage);
};
