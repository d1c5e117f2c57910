/**
 * What most sites do not configure, the script tag does not carry (issue 34): a consent platform's signal
 * (`consent: 'tcf'`, `consent: 'google'`) is a part beside the tag (`stint.tcf.js`, `stint.google.js`, built
 * from src/parts/), loaded when the config names it: one request, on the sites that name it. Until the part
 * has loaded and its platform answered, consent is pending (held, bounded like the outbox); a part that does not
 * load is one console error, and consent stays pending. The part hands its signal over through its own script
 * element (`document.currentScript`), so no global is defined. An npm app imports the signal instead
 * ('stint/tcf', 'stint/consent-mode').
 */
import { error } from '../log';
import type { ConsentSignal } from '../types';

type PartScript = HTMLScriptElement & { stintPart?: (signal: ConsentSignal) => void };
type TrustedTypes = { createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown } };

/** Where the tag runs from: its own URL (the page's for an inline copy), and its CSP nonce, which a part takes too. */
export interface Where {
  base: string;
  nonce: string;
}

/** The tag's: where its script came from, read while it runs. */
export function whereFrom(script: HTMLScriptElement | null): Where {
  return { base: script?.src || location.href, nonce: script?.nonce || '' };
}

/**
 * The signal of the part `name`, loaded beside the tag when the tracker starts following it. Under Trusted Types
 * its URL comes from a policy named `stint-part` that makes that one URL (a page's `trusted-types` must list it);
 * under a nonce-based CSP the part carries the tag's nonce.
 */
export const partSignal =
  (name: string, where: Where): ConsentSignal =>
  (onChange) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    const url = new URL(`stint.${name}.js`, where.base).href;
    const fail = (why: string) => error(`config.consent '${name}' needs ${url}, which ${why}: consent stays pending`);
    const script = document.createElement('script') as PartScript;
    script.stintPart = (signal) => {
      if (!stopped && !stop) stop = signal(onChange);
    };
    script.onerror = () => fail('did not load');
    script.onload = () => {
      if (!stop && !stopped) fail('is not a Stint part');
    };
    script.async = true;
    script.nonce = where.nonce;
    let src: unknown = url;
    try {
      src = (window as { trustedTypes?: TrustedTypes }).trustedTypes?.createPolicy('stint-part', { createScriptURL: () => url }).createScriptURL(url) ?? url;
    } catch {
      // (a page whose trusted-types does not list stint-part: the plain URL is refused just below, and said)
    }
    try {
      script.src = src as string;
      document.head.appendChild(script);
    } catch {
      fail("Trusted Types refused (the page's trusted-types must list stint-part)");
    }
    return () => {
      stopped = true;
      stop?.();
    };
  };

/** The part's side: hands `signal` to the tag that loaded this script (nothing when the script was loaded otherwise). */
export const handPart = (signal: ConsentSignal): void => (document.currentScript as PartScript | null)?.stintPart?.(signal);
