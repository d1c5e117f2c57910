/**
 * Locators for the WebKit page (page.ts): elements found by CSS, ARIA role and name, label and text, in the
 * page's main frame, with Playwright's strictness (an action wants exactly one element) and auto-waiting
 * (bounded), and the `_expect` queries Playwright's matchers make (toHaveTitle, toHaveCount, toContainText...).
 */
import type { Page } from './page';
import { sleep } from './webdriver';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
/** An action waits this long for its element, as a test's own wait would. */
const WAIT = 30_000;

export type Pattern = string | { source: string; flags: string } | undefined;
export const pattern = (p: string | RegExp | undefined): Pattern => (p instanceof RegExp ? { source: p.source, flags: p.flags } : p);
export type Step = { css: string } | { role: string; name: Pattern; exact: boolean } | { label: Pattern; exact: boolean } | { text: Pattern; exact: boolean } | { nth: number } | { hasText: Pattern } | { has: Step[] };

export interface ExpectOptions {
  expectedText?: { string?: string; regexSource?: string; regexFlags?: string; matchSubstring?: boolean; ignoreCase?: boolean; normalizeWhiteSpace?: boolean }[];
  expectedNumber?: number;
  expressionArg?: string;
  isNot: boolean;
  timeout?: number;
}

/**
 * Runs in the page: the elements that `steps` find (each step searches within what the last one found),
 * and what a check or an action needs of them. It must not refer to anything outside it.
 */
function locate({ steps, want, arg }: { steps: Step[]; want: string; arg?: string }) {
  const normal = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const visible = (el: Element) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const same = (actual: string, p: Pattern, exact: boolean) => {
    if (p === undefined) return true;
    if (typeof p === 'object') return new RegExp(p.source, p.flags).test(actual);
    return exact ? actual === normal(p) : actual.toLowerCase().includes(normal(p).toLowerCase());
  };
  const roleOf = (el: Element): string | null => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit.split(' ')[0];
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute('type') || '').toLowerCase();
    if ((tag === 'a' || tag === 'area') && el.hasAttribute('href')) return 'link';
    if (tag === 'button' || (tag === 'input' && ['button', 'submit', 'reset', 'image'].includes(type))) return 'button';
    if (tag === 'input' && type === 'checkbox') return 'checkbox';
    if (tag === 'input' && type === 'radio') return 'radio';
    if (tag === 'input' && type === 'number') return 'spinbutton';
    if (tag === 'input' && type === 'range') return 'slider';
    if ((tag === 'input' && ['', 'text', 'email', 'search', 'tel', 'url'].includes(type)) || tag === 'textarea') return 'textbox';
    if (tag === 'select') return el.hasAttribute('multiple') ? 'listbox' : 'combobox';
    if (/^h[1-6]$/.test(tag)) return 'heading';
    const implicit: Record<string, string> = { img: 'img', ul: 'list', ol: 'list', li: 'listitem', nav: 'navigation', main: 'main', dialog: 'dialog', table: 'table', form: 'form', article: 'article', aside: 'complementary', header: 'banner', footer: 'contentinfo', progress: 'progressbar' };
    return implicit[tag] ?? null;
  };
  const labels = (el: Element) => {
    const own = (el as HTMLInputElement).labels;
    return own ? Array.from(own, (l) => normal(l.textContent)) : [];
  };
  const nameOf = (el: Element) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return normal(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    const aria = el.getAttribute('aria-label');
    if (aria) return normal(aria);
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (['button', 'submit', 'reset'].includes(type)) return normal((el as HTMLInputElement).value);
      return labels(el)[0] ?? normal(el.getAttribute('placeholder') ?? el.getAttribute('title'));
    }
    if (tag === 'img') return normal(el.getAttribute('alt'));
    return normal(el.textContent) || normal(el.getAttribute('title'));
  };
  /** What `steps` find from `roots` (each step searches within what the last one found; the first, from `top`). */
  const find = (steps: Step[], roots: Element[], top: ParentNode): Element[] => {
    let found = roots;
    let first = true;
    for (const step of steps) {
      if ('nth' in step) {
        const el = found[step.nth < 0 ? found.length + step.nth : step.nth];
        found = el ? [el] : [];
        continue;
      }
      if ('hasText' in step) {
        found = found.filter((el) => same(normal(el.textContent), step.hasText, false));
        continue;
      }
      if ('has' in step) {
        found = found.filter((el) => find(step.has, [el], el).length > 0);
        continue;
      }
      const next: Element[] = [];
      for (const root of found) {
        const all = Array.from((first ? top : root).querySelectorAll('css' in step ? step.css : '*'));
        for (const el of all) {
          let ok = true;
          if ('role' in step) ok = roleOf(el) === step.role && visible(el) && same(nameOf(el), step.name, step.exact);
          else if ('label' in step) ok = labels(el).concat(normal(el.getAttribute('aria-label'))).some((l) => l && same(l, step.label, step.exact));
          else if ('text' in step) ok = visible(el) && same(normal(el.textContent), step.text, step.exact) && !Array.from(el.children).some((c) => same(normal(c.textContent), step.text, step.exact));
          if (ok && !next.includes(el)) next.push(el);
        }
      }
      found = next;
      first = false;
    }
    return found;
  };
  const found = find(steps, [document.documentElement], document);
  const one = found.length === 1 ? found[0] : null;
  switch (want) {
    case 'count':
      return { count: found.length };
    case 'element':
      return { count: found.length, visible: one ? visible(one) : false, element: one };
    case 'text':
      return { count: found.length, value: one ? one.textContent ?? '' : undefined };
    case 'innerText':
      return { count: found.length, value: one ? (one as HTMLElement).innerText : undefined };
    case 'attribute':
      return { count: found.length, value: one ? one.getAttribute(arg!) : undefined };
    case 'visible':
      return { count: found.length, value: one ? visible(one) : false };
    case 'title':
      return { value: document.title };
    case 'url':
      return { value: location.href };
    case 'focus':
      (one as HTMLElement | null)?.focus();
      return { count: found.length };
    case 'texts':
      return { count: found.length, value: found.map((el) => el.textContent ?? '') };
    case 'class':
      return { count: found.length, value: one ? one.getAttribute('class') ?? '' : undefined };
    case 'box': {
      const r = one?.getBoundingClientRect();
      return { count: found.length, value: r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null };
    }
    case 'elements':
      return { count: found.length, elements: found };
  }
  return { count: found.length };
}

/** The answer to one of Playwright's `_expect` queries, polled until it holds (or, with isNot, fails) or time is up. */
export async function expectOn(page: Page, steps: Step[], expression: string, options: ExpectOptions): Promise<{ matches: boolean; received?: { value: unknown }; log: string[]; timedOut?: boolean; errorMessage?: string }> {
  const want = ({ 'to.have.class': 'class', 'to.have.text.array': 'texts', 'to.contain.text.array': 'texts', 'to.have.title': 'title', 'to.have.url': 'url', 'to.have.count': 'count', 'to.have.text': 'text', 'to.contain.text': 'text', 'to.have.attribute.value': 'attribute', 'to.have.attribute': 'attribute', 'to.be.visible': 'visible', 'to.be.hidden': 'visible', 'to.be.attached': 'count', 'to.be.detached': 'count' } as Record<string, string>)[expression];
  if (!want) throw new Error(`expect: '${expression}' is not in the WebKit adapter (e2e/webkit/page.ts)`);
  const text = (value: unknown, e = options.expectedText![0]) => {
    let actual = String(value ?? '');
    let wanted = e.string ?? '';
    if (e.normalizeWhiteSpace) (actual = actual.replace(/\s+/g, ' ').trim()), (wanted = wanted.replace(/\s+/g, ' ').trim());
    if (e.regexSource !== undefined) return new RegExp(e.regexSource, e.regexFlags).test(actual);
    if (e.ignoreCase) (actual = actual.toLowerCase()), (wanted = wanted.toLowerCase());
    return e.matchSubstring ? actual.includes(wanted) : actual === wanted;
  };
  const deadline = Date.now() + (options.timeout ?? 5000);
  for (;;) {
    const got = (await page.evaluate(locate, { steps, want, arg: options.expressionArg }).catch(() => ({ count: 0, value: undefined }))) as { count?: number; value?: unknown };
    let matches: boolean;
    let value = got.value;
    if (expression === 'to.have.count') (matches = got.count === options.expectedNumber), (value = got.count);
    else if (expression === 'to.be.attached') matches = got.count! > 0;
    else if (expression === 'to.be.detached') matches = got.count === 0;
    else if (expression === 'to.be.visible') matches = got.value === true;
    else if (expression === 'to.be.hidden') matches = got.value !== true;
    else if (expression === 'to.have.attribute') matches = got.value !== null && got.value !== undefined;
    else if (expression.endsWith('.array')) {
      const texts = (got.value as string[]) ?? [];
      matches = texts.length === options.expectedText!.length && texts.every((t, i) => text(t, options.expectedText![i]));
    }
    else if (got.count !== undefined && got.count !== 1) matches = false;
    else matches = text(got.value);
    if (matches !== options.isNot || Date.now() > deadline) return { matches, received: { value }, log: got.count !== undefined && got.count > 1 ? [`strict mode: ${got.count} elements`] : [], timedOut: matches === options.isNot };
    await sleep(100);
  }
}

export class Locator {
  readonly _apiName = 'Locator';
  constructor(
    private owner: Page,
    readonly steps: Step[],
  ) {}

  toString() {
    return `locator(${JSON.stringify(this.steps)})`;
  }
  page() {
    return this.owner;
  }
  locator(selector: string, options: { hasText?: string | RegExp } = {}) {
    return new Locator(this.owner, [...this.steps, { css: selector }, ...(options.hasText !== undefined ? [{ hasText: pattern(options.hasText) }] : [])]);
  }
  async all() {
    return Array.from({ length: await this.count() }, (_, i) => this.nth(i));
  }
  async allTextContents() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'texts' })) as { value: string[] }).value;
  }
  async boundingBox() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'box' })) as { value: { x: number; y: number; width: number; height: number } | null }).value;
  }
  /** `fn(elements, arg)` in the page, with the elements this locator finds. */
  evaluateAll<R>(fn: (elements: Element[], arg: any) => R, arg?: unknown): Promise<R> {
    const source = `({ steps, arg }) => (${fn})((${locate})({ steps, want: 'elements' }).elements, arg)`;
    return this.owner.script(source, { steps: this.steps, arg }, null, undefined, false) as Promise<R>;
  }
  /** `fn(element, arg)` in the page, with this locator's one element. */
  evaluate<R>(fn: (element: Element, arg: any) => R, arg?: unknown): Promise<R> {
    const source = `({ steps, arg }) => { const found = (${locate})({ steps, want: 'elements' }).elements; if (found.length !== 1) throw new Error('locator.evaluate: ' + found.length + ' elements'); return (${fn})(found[0], arg); }`;
    return this.owner.script(source, { steps: this.steps, arg }, null, undefined, false) as Promise<R>;
  }
  getByRole(role: string, options: { name?: string | RegExp; exact?: boolean } = {}) {
    return new Locator(this.owner, [...this.steps, { role, name: pattern(options.name), exact: !!options.exact }]);
  }
  getByText(text: string | RegExp, options: { exact?: boolean } = {}) {
    return new Locator(this.owner, [...this.steps, { text: pattern(text), exact: !!options.exact }]);
  }
  getByLabel(text: string | RegExp, options: { exact?: boolean } = {}) {
    return new Locator(this.owner, [...this.steps, { label: pattern(text), exact: !!options.exact }]);
  }
  filter(options: { hasText?: string | RegExp; has?: Locator }) {
    const steps: Step[] = [...this.steps];
    if (options.hasText !== undefined) steps.push({ hasText: pattern(options.hasText) });
    if (options.has) steps.push({ has: options.has.steps });
    return new Locator(this.owner, steps);
  }
  nth(n: number) {
    return new Locator(this.owner, [...this.steps, { nth: n }]);
  }
  first() {
    return this.nth(0);
  }
  last() {
    return this.nth(-1);
  }

  async count() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'count' })) as { count: number }).count;
  }
  async textContent() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'text' })) as { value: string | null }).value ?? null;
  }
  async innerText() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'innerText' })) as { value: string }).value;
  }
  async getAttribute(name: string) {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'attribute', arg: name })) as { value: string | null }).value;
  }
  async isVisible() {
    return ((await this.owner.evaluate(locate, { steps: this.steps, want: 'visible' })) as { value: boolean }).value;
  }

  /** Waits (bounded) for exactly one visible element, as Playwright's actions do, and hands WebDriver its reference. */
  private async element(timeout = WAIT): Promise<unknown> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = (await this.owner.command(() => this.owner.context().session.send('POST', '/execute/sync', { script: `return (${locate})(arguments[0])`, args: [{ steps: this.steps, want: 'element' }] }))) as { count: number; visible: boolean; element: unknown };
      if (found.count > 1) throw new Error(`strict mode violation: ${this} resolved to ${found.count} elements`);
      if (found.count === 1 && found.visible) return found.element;
      if (Date.now() > deadline) throw new Error(`${this}: no visible element within ${timeout} ms`);
      await sleep(100);
    }
  }

  private async onElement(path: (id: string) => string, body: unknown = {}) {
    const element = (await this.element()) as Record<string, string>;
    await this.owner.command(() => this.owner.context().session.send('POST', path(element[ELEMENT]), body));
  }

  /**
   * Clicks as Playwright does: first waits (bounded) until the element's box holds still over two animation frames and
   * a click at its center would hit it, not something that moved over it. WebKit's driver measures the point, then
   * clicks there: a page that redrew in between had the click land on another element (e2e/demo.spec.ts, a DIV).
   */
  async click(_options?: object) {
    const element = await this.element();
    const deadline = Date.now() + 2000;
    // (a hidden page gets no animation frames: a timer answers then)
    const ready = `const [el, done] = arguments;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const box = () => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); };
      const before = box();
      const check = () => {
        clearTimeout(late);
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        done(box() === before && !!hit && el.contains(hit));
      };
      const late = setTimeout(check, 200);
      requestAnimationFrame(() => requestAnimationFrame(check));`;
    while (Date.now() < deadline && !(await this.owner.command(() => this.owner.context().session.send('POST', '/execute/async', { script: ready, args: [element] })))) await sleep(50);
    const id = (element as Record<string, string>)[ELEMENT];
    await this.owner.command(() => this.owner.context().session.send('POST', `/element/${id}/click`, {}));
  }
  async fill(value: string) {
    await this.onElement((id) => `/element/${id}/clear`);
    if (value) await this.onElement((id) => `/element/${id}/value`, { text: value });
  }
  async focus() {
    await this.element();
    await this.owner.evaluate(locate, { steps: this.steps, want: 'focus' });
  }
  async hover() {
    const element = await this.element();
    await this.owner.command(() => this.owner.context().session.send('POST', '/actions', { actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [{ type: 'pointerMove', origin: element, x: 0, y: 0 }] }] }));
  }
  async press(key: string) {
    await this.focus();
    await this.owner.keyboard.press(key);
  }
  async waitFor(options: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number } = {}) {
    const state = options.state ?? 'visible';
    const result = await expectOn(this.owner, this.steps, `to.be.${state}`, { isNot: false, timeout: options.timeout ?? WAIT });
    if (!result.matches) throw new Error(`${this}.waitFor(${state}): Timeout exceeded`);
  }

  /** Playwright's matchers for a locator (toHaveCount, toContainText...) come here. */
  _expect(expression: string, options: ExpectOptions) {
    return expectOn(this.owner, this.steps, expression, options);
  }
}
