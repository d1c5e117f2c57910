/**
 * What most sites do not configure, the script tag does not carry (issue 34, issue 50): a consent platform's signal
 * (`consent: 'tcf'`, `'gpp'`, `'google'`), the watch of a single-page app's routes (`autoPageViews`), that of the
 * person's input (`activity: 'input'`, `engagement`), the links to the other domains (`crossDomain`), the server's copy
 * (`serverCookie`) and the messages' sentences with the flight recorder's log (`debug: true`) are parts beside the tag
 * (`stint.tcf.js`, `stint.gpp.js`, `stint.google.js`, `stint.history.js`, `stint.activity.js`, `stint.links.js`,
 * `stint.copy.js`, `stint.debug.js`, built from src/parts/), loaded when the config names them: one request, on the
 * sites that name them. Until a consent part has loaded and its platform answered, consent is pending (held, bounded
 * like the outbox); a part that does not load is one console error, and what it would have done does not happen
 * (consent stays pending; route changes are no page views; input keeps nothing alive; messages stay codes).
 *
 * The part hands what it brings over through its own script element (`document.currentScript`), so no global is
 * defined. An npm app imports them instead ('stint/tcf', 'stint/gpp', 'stint/consent-mode'), and its bundler splits
 * the others off as chunks that load the same way (loaders.ts).
 */
import { error } from '../ground/log';

/** What a part gives: a watcher, which starts with its arguments and returns the function that stops it. */
type Watcher<A extends unknown[]> = (...args: A) => () => void;
type PartScript = HTMLScriptElement & { stintPart?: (watcher: Watcher<never[]>) => void };
type TrustedTypes = {
  createPolicy(
    name: string,
    rules: { createScriptURL(url: string): string },
  ): { createScriptURL(url: string): unknown };
};

/**
 * Where the tag runs from: its own URL (the page's for an inline copy), its CSP nonce, which a part takes too, and
 * the URLs its Trusted Types policy may make (one policy per tag: a page that enforces Trusted Types refuses a
 * second policy of the same name, and a page may load two parts).
 */
export interface Where {
  base: string;
  nonce: string;
  scriptUrl: (url: string) => unknown;
}

/** The tag's: where its script came from, read while it runs; its policy `stint-part`, made at the first part. */
export function whereFrom(script: HTMLScriptElement | null): Where {
  let policy: { createScriptURL(url: string): unknown } | null | undefined;
  return {
    base: script?.src || location.href,
    nonce: script?.nonce || '',
    scriptUrl(url) {
      if (policy === undefined) {
        try {
          // (kept in this closure: it makes no URL but those of the parts the tag loads)
          policy =
            (window as { trustedTypes?: TrustedTypes }).trustedTypes?.createPolicy('stint-part', {
              createScriptURL: (u) => u,
            }) ?? null;
        } catch {
          // (a page whose trusted-types does not list stint-part: the plain URL is refused where it is used, and said)
          policy = null;
        }
      }
      return policy ? policy.createScriptURL(url) : url;
    },
  };
}

/**
 * The watcher of the part `name`, loaded beside the tag when it is started; `field`: the config's field that named it
 * (for the one console error if it does not load: messages.ts says what then does not happen). Under Trusted Types its
 * URL comes from the tag's policy named `stint-part`, which makes the URLs of Stint's parts only (a page's
 * `trusted-types` must list it); under a nonce-based CSP the part carries the tag's nonce.
 */
export const partWatcher =
  <A extends unknown[]>(name: string, where: Where, field: string): Watcher<A> =>
  (...args) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    const url = new URL(`stint.${name}.js`, where.base).href;
    const fail = (code: number) => error(code, `${field} ${url}`);
    const script = document.createElement('script') as PartScript;
    script.stintPart = (watcher) => {
      if (!stopped && !stop) stop = (watcher as unknown as Watcher<A>)(...args);
    };
    script.onerror = () => fail(11);
    script.onload = () => {
      if (!stop && !stopped) fail(12);
    };
    script.async = true;
    script.nonce = where.nonce;
    try {
      script.src = where.scriptUrl(url) as string;
      document.head.appendChild(script);
    } catch {
      fail(13);
    }
    return () => {
      stopped = true;
      stop?.();
    };
  };

/**
 * The part's side: hands `watcher` to the tag that loaded this script (nothing when the script was loaded otherwise).
 */
export const handPart = <A extends unknown[]>(watcher: Watcher<A>): void =>
  (document.currentScript as PartScript | null)?.stintPart?.(watcher as unknown as Watcher<never[]>);
