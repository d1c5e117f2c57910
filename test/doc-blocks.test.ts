/**
 * Every fenced block of the README and of docs/ is used as it is written by a test, or says on the line before it that
 * it is a fragment (`<!-- fragment: why -->`: a sketch, a diagram, a command that needs what no test has). CHECKS says
 * which test takes which block; a block that none takes and that is not marked fails the first test here.
 *
 * The js blocks are what an npm user pastes. They are type-checked as JavaScript, in one program, against the built
 * types (dist/, through package.json's exports, as a bundler resolves `stint`), then run in Node against the built
 * modules, where the tracker does nothing but check its config. CI builds before it tests; here, `npm run build` first.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const PAGES = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
const DOCUMENTS = ['README.md', ...PAGES.map((f) => `docs/${f}`)];

interface Block {
  doc: string;
  /** the line of its opening fence */
  line: number;
  lang: string;
  code: string;
  /** the line right before the fence, trimmed: where a marker goes */
  before: string;
  /** the `## ` section it is in */
  section: string;
}

/** A document's fenced blocks, those indented in a list too (their indent taken off). */
function blocksOf(doc: string): Block[] {
  const lines = read(doc).split('\n');
  const out: Block[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('## ')) section = lines[i].slice(3);
    const open = /^( *)```(\S*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, lang] = open;
    const end = lines.indexOf(indent + '```', i + 1);
    if (end < 0) throw new Error(`${doc}:${i + 1}: a fence that does not close`);
    const code = lines.slice(i + 1, end).map((l) => l.slice(indent.length)).join('\n');
    out.push({ doc, line: i + 1, lang, code, before: (lines[i - 1] ?? '').trim(), section });
    i = end;
  }
  return out;
}

const ALL = DOCUMENTS.flatMap(blocksOf);
const where = (b: Block) => `${b.doc}:${b.line}`;
const fragment = (b: Block) => /^<!-- fragment(: .+)? -->$/.test(b.before);

/** Whether a block is in that section of docs/pipelines.md. */
const pipelines = (b: Block, section: string) => b.doc === 'docs/pipelines.md' && b.section === section;

/** Who uses each block that is not a fragment: the first check, in this order, that takes it. */
const CHECKS = {
  'test/readme.test.ts: the file its marker names': (b: Block) => /^<!-- tested: \S+ -->$/.test(b.before),
  'collector/test/docs.test.ts: run in a project of their own': (b: Block) =>
    b.doc === 'docs/collect-and-query.md' || pipelines(b, 'stint/collector'),
  "test/docs.test.ts: the README's commands": (b: Block) => b.doc === 'README.md' && b.lang === 'sh',
  "test/dev-server.test.ts: the collector's command under Vite": (b: Block) =>
    b.doc === 'docs/getting-started.md' && b.section === 'In development: /collect under the dev server' && b.lang === 'sh',
  'npm: type-checked and run, below': (b: Block) => b.lang === 'js',
  'messages: what Stint prints, below': (b: Block) => b.doc === 'docs/messages.md' && b.lang === '',
  'Iglu: the resolver of schemas/iglu, below': (b: Block) => pipelines(b, 'Snowplow') && b.lang === 'json',
  'otelcol: a config for otlp(), below': (b: Block) => pipelines(b, 'OpenTelemetry') && b.lang === 'yaml',
};
type Check = keyof typeof CHECKS;
const checkOf = (b: Block) =>
  fragment(b) ? 'fragment' : (Object.keys(CHECKS) as Check[]).find((check) => CHECKS[check](b));
const taken = (check: Check) => ALL.filter((b) => checkOf(b) === check);

describe('the blocks of the README and docs/', () => {
  it('every block is taken by a check or marked a fragment on the line before it', () => {
    const fences = DOCUMENTS.reduce((n, doc) => n + read(doc).split('\n').filter((l) => /^ *```/.test(l)).length, 0);
    expect(ALL.length * 2, 'every fence is read, in pairs').toBe(fences);
    expect(ALL.filter((b) => !checkOf(b)).map((b) => `${where(b)} (${b.lang || 'no language'})`)).toEqual([]);
  });

  it('the checks of other files take what those check: the README has one sh block (test/docs.test.ts)', () => {
    expect(taken("test/docs.test.ts: the README's commands")).toHaveLength(1);
    expect(taken('npm: type-checked and run, below').length).toBeGreaterThan(8);
  });
});

/** What the pages leave to the site, declared as the site has them: its own banner, and Google's data layer. */
const GIVEN = `declare var banner: { onAccept(then: () => void): void; onReject(then: () => void): void };
declare var dataLayer: unknown[];
`;

/** Runs each file in turn, as a page would load it; prints what each said on the console and threw, as JSON. */
const RUNNER = `// (a page's window is its global object, as Google's data layer lines expect; with no document,
// Stint stays inert)
globalThis.window = globalThis;
globalThis.banner = { onAccept: (then) => then(), onReject: (then) => then() };
const results = [];
const write = process.stdout.write.bind(process.stdout);
for (const file of process.argv.slice(2)) {
  const said = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'])
    console[level] = (...args) => said.push([level, args.map(String).join(' ')]);
  try {
    await import('./' + file);
    results.push({ file, said });
  } catch (e) {
    results.push({ file, said, error: String(e?.stack ?? e) });
  }
}
write(JSON.stringify(results));
`;

/** docs/messages.md's two messages, as a wrong field makes them: thrown short; with debug: true, said in full. */
const PROBE = `import { createTracker } from 'stint';
let full = false;
const error = console.error;
console.error = (...args) => ((full = true), error(...args));
for (const debug of [false, true])
  try {
    createTracker({ collector: '/collect', appId: 'shop-web', sampleRate: 2, debug });
  } catch (e) {
    console.info(e.message);
  }
// (the sentences are a chunk of their own: they come once it has loaded)
for (let i = 0; i < 250 && !full; i++) await new Promise((resolve) => setTimeout(resolve, 20));
`;

type Said = { file: string; said: [level: string, text: string][]; error?: string };

describe('the npm blocks, as pasted into an app that installed stint', () => {
  const blocks = taken('npm: type-checked and run, below');
  const dir = mkdtempSync(join(tmpdir(), 'stint-doc-blocks-'));
  const files = blocks.map((_, i) => `block-${i}.mjs`);
  let ran: Promise<Said[]>;

  beforeAll(() => {
    expect(existsSync(join(root, 'dist/index.d.mts')), 'dist/ is built (npm run build)').toBe(true);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/stint'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    // The README's Configure block follows its npm block, whose import it uses (test/docs.test.ts runs it so too);
    // the import goes on its first line, so that a line of the file is the block's line.
    const imports = blocks.find((b) => b.doc === 'README.md')!.code.match(/^import .*$/gm)!.join(' ');
    blocks.forEach((b, i) => {
      const given = b.doc === 'README.md' && !/^import /m.test(b.code) ? imports + ' ' : '';
      writeFileSync(join(dir, files[i]), given + b.code + '\n');
    });
    writeFileSync(join(dir, 'given.d.ts'), GIVEN);
    writeFileSync(join(dir, 'runner.mjs'), RUNNER);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    // (started first: Node runs the blocks while the compiler checks them)
    ran = run(dir, [...files, 'probe.mjs']);
    // (awaited by the tests below; until then, a failure is theirs to report, not an unhandled rejection)
    ran.catch(() => {});
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("type-check as JavaScript against the package's built types, in a page (DOM) with no Node types", () => {
    const program = ts.createProgram([...files, 'given.d.ts'].map((f) => join(dir, f)), {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      allowJs: true,
      checkJs: true,
      strict: true,
      // (a block is JavaScript: what is checked is its use of Stint's types, not annotations it cannot write)
      noImplicitAny: false,
      // (the package's own types are checked by scripts/package.mjs; here, the blocks' use of them)
      skipLibCheck: true,
      types: [],
      noEmit: true,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const i = files.indexOf(d.file?.fileName.slice(dir.length + 1) ?? '');
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const at = i < 0 ? d.file?.fileName : `${blocks[i].doc}:${blocks[i].line + 1 + line}`;
      return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(errors).toEqual([]);
    // (a whole TypeScript program: about 3 s on a quiet 2-core machine, past vitest's 5 s beside a browser suite)
  }, 60_000);

  it('run in Node against the built modules: no error thrown, nothing said on the console', async () => {
    const results = await ran;
    expect(results.map((r) => r.file)).toEqual([...files, 'probe.mjs']);
    const wrong = results
      .slice(0, files.length)
      .map((r, i) => ({ at: where(blocks[i]), error: r.error, said: r.said }))
      .filter((r) => r.error || r.said.length);
    expect(wrong).toEqual([]);
  });

  it("docs/messages.md's two messages are what Stint prints for a wrong field, without debug and with it", async () => {
    const messages = taken('messages: what Stint prints, below');
    expect(messages).toHaveLength(2);
    const [short, full] = messages.map((b) => b.code);
    const { said, error } = (await ran).at(-1)!;
    expect(error).toBeUndefined();
    expect(said).toEqual([['info', short], ['info', short], ['error', full]]);
  });
});

/** Runs the blocks (and the probe) in one Node process, bounded in time. */
function run(dir: string, files: string[]): Promise<Said[]> {
  const child = spawn(process.execPath, ['runner.mjs', ...files], { cwd: dir, timeout: 20_000 });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${status}: ${err}`))));
  });
}

/** The files under `dir`, as paths from it. */
const walk = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`).map((f) => `${e.name}/${f}`) : [e.name],
  );

describe("docs/pipelines.md's Snowplow configs", () => {
  it("the Iglu resolver is valid, and its Stint registry is the bucket the aws line fills with schemas/iglu", () => {
    const [block, ...more] = taken('Iglu: the resolver of schemas/iglu, below');
    expect(more).toEqual([]);
    const { schema, data } = JSON.parse(block.code);
    // resolver-config 1-0-3 (snowplow/iglu-central, schemas/com.snowplowanalytics.iglu/resolver-config/jsonschema/
    // 1-0-3): cacheSize and repositories; each repository its name, priority, vendorPrefixes and one connection,
    // here http with its uri; nothing else.
    expect(schema).toBe('iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-3');
    expect(Object.keys(data).sort()).toEqual(['cacheSize', 'repositories']);
    expect(typeof data.cacheSize).toBe('number');
    for (const repository of data.repositories) {
      const { name, priority, vendorPrefixes, connection } = repository;
      expect(Object.keys(repository).sort()).toEqual(['connection', 'name', 'priority', 'vendorPrefixes']);
      expect([typeof name, typeof priority, vendorPrefixes.every((p: unknown) => typeof p === 'string')]).toEqual([
        'string',
        'number',
        true,
      ]);
      expect(Object.keys(connection)).toEqual(['http']);
      expect(Object.keys(connection.http)).toEqual(['uri']);
      expect(new URL(connection.http.uri).pathname).toBe('/');
    }
    // The aws line (a fragment: it needs an account) copies the package's schemas/iglu/ to <bucket>/schemas/, where
    // a static registry's resolver reads schemas/<vendor>/<name>/jsonschema/<version>.
    const sync = ALL.find((b) => pipelines(b, 'Snowplow') && b.lang === 'sh')!;
    const [, from, bucket] = /^aws s3 sync node_modules\/stint\/(\S+)\/ s3:\/\/([\w.-]+)\/schemas\/ /.exec(sync.code)!;
    const stint = data.repositories.find((r: { name: string }) => r.name === 'Stint');
    expect(stint.connection.http.uri).toBe(`https://${bucket}.s3.amazonaws.com`);
    expect(from).toBe('schemas/iglu');
    expect(JSON.parse(read('package.json')).files).toContain('schemas');
    const schemas = walk(from);
    expect(schemas.length).toBeGreaterThan(1);
    for (const path of schemas) {
      const { vendor, name, format, version } = JSON.parse(read(`${from}/${path}`)).self;
      expect(path).toBe(`${vendor}/${name}/${format}/${version}`);
      expect(stint.vendorPrefixes).toContain(vendor);
    }
  });

  it("Snowplow Micro's line mounts the package's schemas/iglu where Micro's embedded Iglu registry reads it", () => {
    // (a fragment: it needs Docker) Micro's image has /config on its classpath (snowplow-micro build.sbt,
    // scriptClasspath), and its Iglu client reads the embedded registry at iglu-client-embedded/ there
    // (iglu-scala-client Registry.EmbeddedRegistry), as <vendor>/<name>/jsonschema/<version> under schemas/.
    const line = ALL.find((b) => pipelines(b, 'Snowplow') && b.lang === 'sh' && b.code.includes('snowplow-micro'))!;
    const [, from, to] = /source="\$PWD\/node_modules\/stint\/([\w/]+)",destination=(\S+) /.exec(line.code)!;
    expect(to).toBe('/config/iglu-client-embedded/schemas');
    expect(from).toBe('schemas/iglu');
    expect(JSON.parse(read('package.json')).files).toContain('schemas');
    expect(walk(from)).toContain('dev.stint/context/jsonschema/1-0-2');
    expect(/^docker run -p (\d+):9090 /.exec(line.code)?.[1]).toBe('9090');
  });
});

/**
 * A YAML document of maps, scalars, `{}` and flow lists (`[a, b]`), comments left out: what an otelcol config of
 * the docs holds (the repository has no YAML parser, and needs none besides).
 */
function yamlMaps(text: string): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  const open = [{ indent: -1, map: top }];
  for (const line of text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trimEnd())) {
    if (!line) continue;
    const m = /^( *)([\w./-]+):(?: (.+))?$/.exec(line);
    if (!m) throw new SyntaxError(`not a line of a map: ${line}`);
    const [, indent, key, value] = m;
    while (open.at(-1)!.indent >= indent.length) open.pop();
    const { map } = open.at(-1)!;
    if (value === undefined) open.push({ indent: indent.length, map: (map[key] = {}) as Record<string, unknown> });
    else if (value === '{}') map[key] = {};
    else map[key] = /^\[.*\]$/.test(value) ? value.slice(1, -1).split(',').map((s) => s.trim()) : value;
  }
  return top;
}

describe("docs/pipelines.md's OpenTelemetry Collector configs", () => {
  const configs = taken('otelcol: a config for otlp(), below').map(
    (block) => yamlMaps(block.code) as Record<string, Record<string, Record<string, unknown>>>,
  );
  const logsOf = (config: (typeof configs)[number]) =>
    (config.service.pipelines as Record<string, Record<'receivers' | 'processors' | 'exporters', string[]>>).logs;

  it("take logs on the otlp() block's port, CORS for exact origins, with the core distribution's components", () => {
    expect(configs.length).toBe(2);
    const tracker = ALL.find((b) => pipelines(b, 'OpenTelemetry') && b.lang === 'js')!;
    const port = new URL(/collector: '([^']+)'/.exec(tracker.code)![1]).port;
    for (const config of configs) {
      const http = (config.receivers.otlp.protocols as Record<string, Record<string, unknown>>).http;
      // (on every interface: the receiver's default, localhost, is out of the browsers' reach)
      expect(http.endpoint).toBe(`0.0.0.0:${port}`);
      // (a cross-origin beacon is preflighted with credentials: "*" would not do; each an origin, with no path)
      const { allowed_origins } = http.cors as Record<string, string[]>;
      for (const origin of allowed_origins) expect(new URL(origin).origin).toBe(origin);
      // The components the core distribution (otelcol) has (opentelemetry-collector, cmd/otelcorecol/components.go),
      // each named by its type, or its type and a name after a slash (`otlphttp/next`).
      const CORE = {
        receivers: ['otlp', 'nop'],
        processors: ['batch', 'memory_limiter'],
        exporters: ['debug', 'nop', 'otlp', 'otlphttp'],
      };
      const logs = logsOf(config);
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        expect(logs[kind].length).toBeGreaterThan(0);
        for (const name of logs[kind]) expect(Object.keys(config[kind]), kind).toContain(name);
        for (const name of Object.keys(config[kind])) expect(CORE[kind], kind).toContain(name.split('/')[0]);
      }
      // An exporter beyond debug, with the base URL otlphttp appends /v1/logs to.
      const exporters = logs.exporters.filter((name) => name.startsWith('otlphttp'));
      expect(exporters.length).toBeGreaterThan(0);
      for (const name of exporters) expect(new URL(config.exporters[name].endpoint as string).pathname).toBe('/');
    }
    // The second sends every record to two backends.
    expect(logsOf(configs[1]).exporters.filter((name) => name.startsWith('otlphttp/'))).toHaveLength(2);
  });

  it('the docker line mounts the config where the image reads it, and publishes the receiver\'s port', () => {
    // (a fragment: it needs Docker) opentelemetry-collector-releases distributions/otelcol/Dockerfile:
    // CMD ["--config", "/etc/otelcol/config.yaml"].
    const line = ALL.find((b) => pipelines(b, 'OpenTelemetry') && b.lang === 'sh')!;
    const docker = /^docker run -p (\d+):(\d+) -v "\$PWD\/otelcol\.yaml:(\S+)" otel\/opentelemetry-collector:\d+\.\d+\.\d+$/;
    const [, published, port, mounted] = docker.exec(line.code)!;
    expect(mounted).toBe('/etc/otelcol/config.yaml');
    const http = (configs[0].receivers.otlp.protocols as Record<string, Record<string, unknown>>).http;
    expect([published, port]).toEqual([String(http.endpoint).split(':')[1], String(http.endpoint).split(':')[1]]);
  });
});
