/**
 * An npm app pays only for what it uses: a bundler keeps no Snowplow, Tracardi, OpenTelemetry, TCF, GPP or Consent Mode
 * code in an app that only tracks events with the native format (they are separate entries: 'stint/snowplow',
 * 'stint/tracardi', 'stint/otlp', 'stint/tcf', 'stint/gpp', 'stint/consent-mode'). Bundles the built package (npm test builds
 * first) the way an app's bundler would: rollup's tree-shaking alone, without the minifier after it (which only takes
 * more out: what the bundle leaves out, a minified one leaves out too; terser made it 28 CPU seconds instead of 6).
 */
import resolve from '@rollup/plugin-node-resolve';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { describe, expect, it } from 'vitest';

const dist = join(__dirname, '../dist');

async function bundle(app: string): Promise<string>;
async function bundle(app: string, all: true): Promise<string[]>;
async function bundle(app: string, all?: true): Promise<string | string[]> {
  const entry = 'virtual:app';
  const build = await rollup({
    input: entry,
    plugins: [{ name: 'app', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? app : null) }, resolve({ browser: true })],
    onwarn: () => {},
  });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  // (the entry first, then the chunks split off: what the app loads later, when it needs them)
  return all ? output.map((o) => ('code' in o ? o.code : '')) : output[0].code;
}

/** What each part leaves in a bundle that has it. */
const MARKS = {
  snowplow: ['tp2', 'iglu:', 'payload_data'],
  tracardi: ['/track', 'referer'],
  otlp: ['resourceLogs', 'kvlistValue', '/v1/logs', 'user_agent.original'],
  tcf: ['__tcfapi'],
  gpp: ['__gpp', '__gppLocator'],
  'consent-mode': ['dataLayer', 'analytics_storage'],
};
/** What an app that uses each part imports and passes. */
const USES = {
  snowplow: ['snowplow', 'format: snowplow()'],
  tracardi: ['tracardi', "format: tracardi({ sourceId: 's' })"],
  otlp: ['otlp', 'format: otlp()'],
  tcf: ['tcf', 'consent: tcf()'],
  gpp: ['gpp', 'consent: gpp()'],
  'consent-mode': ['googleConsentMode', 'consent: googleConsentMode()'],
};

// (each bundle is a second or two of rollup on a busy 2-core machine: over vitest's 5 s default now and then)
describe('tree-shaking', { timeout: 30_000 }, () => {
  it('a track()-only app carries no Snowplow, Tracardi, OpenTelemetry, TCF, GPP or Consent Mode code', async () => {
    const code = await bundle(`import { createTracker } from '${dist}/index.mjs';
createTracker({ collector: '/collect', appId: 'app' }).track('signup', { plan: 'pro' });`);
    for (const mark of Object.values(MARKS).flat()) expect(code, mark).not.toContain(mark);
  });

  it("the watches of routes, input and links (autoPageViews, activity: 'input', crossDomain) engaged time's steps (engagement) and a landing page's reading of its link are chunks of their own, which a track()-only app's code does not hold: loaded when the config names them", async () => {
    const [code, ...later] = await bundle(
      `import { createTracker } from '${dist}/index.mjs';
createTracker({ collector: '/collect', appId: 'app' }).track('signup', { plan: 'pro' });`,
      true,
    );
    // (the link's pattern, `\d{1,15}`: a landing page's reading of its link, core/session/landing.ts)
    const marks = ['popstate', 'pushState', 'touchstart', 'auxclick', 'page_engagement', '\\d{1,15}'];
    for (const mark of marks) expect(code, mark).not.toContain(mark);
    for (const mark of marks) expect(later.join('\n'), mark).toContain(mark);
  });

  it("the script tag carries engaged time's steps in its input part only (stint.activity.js), a landing page's reading of its link in the links part (stint.links.js), as it carries the watches of routes and links in theirs", () => {
    const read = (file: string) => readFileSync(`${dist}/${file}`, 'utf8');
    expect(read('stint.js')).not.toContain('page_engagement');
    expect(read('stint.activity.js')).toContain('page_engagement');
    expect(read('stint.js')).not.toContain('\\d{1,15}');
    expect(read('stint.links.js')).toContain('\\d{1,15}');
    for (const mark of ['pushState', 'auxclick', 'touchstart']) expect(read('stint.js'), mark).not.toContain(mark);
  });

  it('no tag carries the parsing of the user agent: it is read where the events land (stint/collector, the pipelines)', () => {
    const read = (file: string) => readFileSync(`${dist}/${file}`, 'utf8');
    // (the GREASE brand's pattern and the Windows versions' table: core/formats/agent.ts)
    for (const mark of ['Not.?A.?Brand', 'Windows NT'])
      for (const tag of ['stint.js', 'stint.snowplow.js', 'stint.tracardi.js', 'stint.otlp.js']) expect(read(tag), `${tag} ${mark}`).not.toContain(mark);
    expect(read('collector.mjs') + readdirSync(`${dist}/chunks`).map((f) => read(`chunks/${f}`)).join(''), 'the collector').toContain('Windows NT');
  });

  it.each(Object.keys(MARKS))('an app that imports %s carries it', async (part) => {
    const [name, call] = USES[part as keyof typeof USES];
    const code = await bundle(`import { createTracker } from '${dist}/index.mjs';
import { ${name} } from '${dist}/${part}.mjs';
createTracker({ collector: '/collect', appId: 'app', ${call} }).track('signup');`);
    for (const mark of MARKS[part as keyof typeof MARKS]) expect(code, mark).toContain(mark);
  });
});
