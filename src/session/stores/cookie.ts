/** The first-party cookie: synchronous, shared by every tab of the site, and the default home of the session. */
import type { CookieOptions, SessionStore } from '../../ground/types';
import { decodeState } from '../../core/session/state';

export interface CookieStore extends SessionStore {
  /** Writes and reads back (the only way to see cookies that are silently dropped); finds `domain: 'auto'`. */
  works(): boolean;
  /** Deletes the cookie on every domain it may have been written to. */
  delete(): void;
}

const DAY = 86400;

/** Keeps the characters a cookie value allows readable, so the JSON stays small (as js-cookie does). */
const escapeValue = (v: string) =>
  encodeURIComponent(v).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent);

/** Every value of cookie `name` visible to this page (a host-only and a domain cookie can coexist). */
export function readCookies(name: string): string[] {
  const found: string[] = [];
  for (const pair of document.cookie.split('; ')) {
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) === name) {
      try {
        found.push(decodeURIComponent(pair.slice(eq + 1)));
      } catch {
        // A value that is not ours (malformed escapes): ignored like any foreign value.
      }
    }
  }
  return found;
}

/** From the highest candidate down: `a.b.example.com` -> `example.com`, `b.example.com`, `a.b.example.com`. */
function candidateDomains(host: string): string[] {
  if (/^[\d.]+$|:|^localhost$/.test(host) || !host.includes('.')) return [];
  const labels = host.split('.');
  const out: string[] = [];
  for (let i = labels.length - 2; i >= 0; i--) out.push(labels.slice(i).join('.'));
  return out;
}

export function cookieStore(options: CookieOptions = {}): CookieStore {
  const name = options.name || '_stint';
  const secure = options.secure ?? location.protocol === 'https:';
  const tail =
    `; Path=${options.path || '/'}; SameSite=${options.sameSite || 'Lax'}` +
    (secure || options.sameSite === 'None' ? '; Secure' : '');
  const maxAge = Math.round((options.maxAgeDays ?? 395) * DAY);
  let domain = options.domain === 'auto' ? undefined : options.domain;

  const write = (cookie: string, value: string, age: number, on = domain) => {
    document.cookie = `${cookie}=${value}; Max-Age=${age}${on ? '; Domain=' + on : ''}${tail}`;
  };
  const probe = (on?: string) => {
    const cookie = name + '_probe';
    write(cookie, '1', 60, on);
    const ok = readCookies(cookie).length > 0;
    write(cookie, '', 0, on);
    return ok;
  };

  return {
    name: 'COOKIE_1',
    works() {
      try {
        if (options.domain === 'auto') {
          domain = candidateDomains(location.hostname).find((d) => probe(d));
          // A host the probe could not place (an IP, localhost) falls back to a host-only cookie.
          if (domain) return true;
        }
        return probe();
      } catch {
        // A sandboxed document throws on document.cookie.
        return false;
      }
    },
    get() {
      // A host-only and a domain cookie of the same name can coexist: a foreign one must not hide ours.
      return readCookies(name).find(decodeState) || null;
    },
    set(value: string) {
      write(name, escapeValue(value), maxAge);
    },
    delete() {
      for (const d of [undefined, ...candidateDomains(location.hostname)]) write(name, '', 0, d);
    },
  };
}
