/**
 * Cross-domain continuity in the page (`crossDomain`, core/session/link.ts): a page decorates the links and forms to
 * the other domains at the moment they are used, so that the time a link carries is the click's (a link decorated at
 * load would go stale on a page read for minutes). The landing page's side is links.ts.
 */
import { land, linkCheck } from '../core/session/landing';
import { LINK_PARAM } from '../core/session/link';
import { guard } from '../ground/log';
import { browserOf, withLink } from './links';

/**
 * Watches the links and forms to `domains` (and their subdomains), decorating each as it is used with `value()` (null:
 * not now). On a landing page (`landing`), hands over how its link is read and adopted (core/session/landing.ts
 * `land`), which travels with the decoration.
 */
export type LinkWatcher = (
  domains: string[],
  value: () => string | null,
  landing?: (read: typeof land) => void,
) => () => void;

/**
 * Decorates at `pointerdown` (a link opened from its context menu), `click` (the keyboard's too) and `auxclick` (a
 * middle click), and a form at `submit` (a GET form by a hidden field: its action's query is replaced by its fields).
 * Captured on the document, so that a handler that stops propagation does not hide them.
 */
// (not `watchLinks`: that is an internal name, which the builds shorten, and an export's name is not:
// scripts/internal-names.mjs)
export const decorateLinks: LinkWatcher = (domains, fields, landing) => {
  landing?.(land);
  // (the link's fields, and their check in this browser: core/session/landing.ts `linkCheck`)
  const value = () => {
    const v = fields();
    return v && v + '.' + linkCheck(v, browserOf());
  };
  const ours = (host: string) =>
    host !== location.hostname && domains.some((d) => host === d || host.endsWith('.' + d));
  const onLink = (e: Event) =>
    guard(() => {
      const a = (e.target as Element | null)?.closest?.('a[href],area[href]') as HTMLAnchorElement | null;
      const v = a && ours(a.hostname) && value();
      if (v) a.href = withLink(a.href, v);
    });
  const onSubmit = (e: Event) =>
    guard(() => {
      const form = e.target as HTMLFormElement;
      const v = form instanceof HTMLFormElement && ours(new URL(form.action, location.href).hostname) && value();
      if (!v) return;
      if (form.method !== 'get') return void (form.action = withLink(form.action, v));
      let field = form.querySelector(`input[name="${LINK_PARAM}"]`) as HTMLInputElement | null;
      if (!field)
        form.append((field = Object.assign(document.createElement('input'), { type: 'hidden', name: LINK_PARAM })));
      field.value = v;
    });
  const listeners: [string, (e: Event) => void][] = [
    ['pointerdown', onLink],
    ['click', onLink],
    ['auxclick', onLink],
    ['submit', onSubmit],
  ];
  for (const [type, listener] of listeners) document.addEventListener(type, listener, true);
  return () => {
    for (const [type, listener] of listeners) document.removeEventListener(type, listener, true);
  };
};
