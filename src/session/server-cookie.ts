/**
 * The reference handlers of the `serverCookie` endpoint (the answers are core/session/headers.ts `copyAnswer`'s): for
 * Node's `http`, Express-style middleware and the Fetch API (edge runtimes, Deno, Bun). No dependency: each takes the
 * request as its runtime gives it. Safari does not cap a cookie its server set, as it caps one written by script
 * (https://webkit.org/tracking-prevention/#intelligent-tracking-prevention-itp): the page reads this one only when its
 * own storage is gone, and never writes it.
 */
import { copyAnswer, type CopyCookie } from '../core/session/headers';

/** The longest body read: a session's lean value is a few hundred characters. */
const BODY_MAX = 4096;

interface NodeRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  /** a TLS socket says `encrypted` */
  socket?: object;
  /** what a body parser of Express read already (express.text(), express.raw()) */
  body?: unknown;
  readableEnded?: boolean;
  on(event: 'data' | 'end' | 'error', listener: (...args: never[]) => void): unknown;
  setEncoding?(encoding: string): unknown;
}
interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(): unknown;
}

/** Came over https: the request's own connection, or the first proxy's `X-Forwarded-Proto`. */
const forwardedHttps = (proto: string | string[] | null | undefined) =>
  String(proto ?? '')
    .split(',')[0]
    .trim() === 'https';

/**
 * `http.createServer(...)`'s handler for the endpoint's path, which is also Express-style middleware
 * (`app.use('/stint/id', serverCookieHandler())`): POST sets the copy, DELETE expires it, a malformed value gets 400
 * and sets nothing. A body an Express parser read already (text or raw) is taken as it is.
 */
export function serverCookieHandler(options: CopyCookie = {}): (req: NodeRequest, res: NodeResponse) => void {
  return (req, res) => {
    const https =
      !!(req.socket as { encrypted?: boolean } | undefined)?.encrypted ||
      forwardedHttps(req.headers['x-forwarded-proto']);
    let answered = false;
    const answer = (body: string) => {
      if (answered) return;
      answered = true;
      const { status, headers } = copyAnswer(req.method || 'GET', body, options, https);
      res.writeHead(status, headers);
      res.end();
    };
    const read = req.body;
    if (typeof read === 'string' || read instanceof Uint8Array)
      return answer(String(read instanceof Uint8Array ? new TextDecoder().decode(read) : read));
    if (req.method !== 'POST' || req.readableEnded) return answer('');
    let body = '';
    req.setEncoding?.('utf8');
    req.on('data', (chunk: string | Uint8Array) => {
      body += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
      // (too long to be a session: answered at once, the rest not read)
      if (body.length > BODY_MAX) answer('');
    });
    req.on('end', () => answer(body));
    req.on('error', () => answer(''));
  };
}

/** The Fetch API's handler (a Worker's `fetch`, a route of an edge runtime): the same answers. */
export function serverCookieFetch(options: CopyCookie = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    const https =
      new URL(request.url).protocol === 'https:' || forwardedHttps(request.headers.get('x-forwarded-proto'));
    const long = Number(request.headers.get('content-length')) > BODY_MAX;
    const body = request.method === 'POST' && !long ? await request.text().catch(() => '') : '';
    const { status, headers } = copyAnswer(request.method, body, options, https);
    return new Response(null, { status, headers });
  };
}
