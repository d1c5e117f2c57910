/**
 * The types say what throws: `createTracker` takes no pipeline or consent platform by name (those are the script tag's,
 * `TagConfig`), since the npm build loads none by name. Each `@ts-expect-error` below fails `npm run typecheck` if the
 * types accept the line again; the test shows that the line does throw.
 */
import { describe, expect, it } from 'vitest';
import { createTracker, type StintConfig, type TagConfig } from '../src/index';

const base = { collector: '/collect', appId: 'types' };

describe('the config types', () => {
  it('reject a format or a consent platform by name in an npm config, which throws', () => {
    // @ts-expect-error: 'otlp' is the script tag's name; an app passes otlp() from 'stint/otlp'
    const format: StintConfig = { ...base, format: 'otlp' };
    // @ts-expect-error: 'tcf' is the script tag's name; an app passes tcf() from 'stint/tcf'
    const consent: StintConfig = { ...base, consent: 'tcf' };
    expect(() => createTracker(format)).toThrow(/format/);
    expect(() => createTracker(consent)).toThrow(/consent/);
    expect(() => createTracker({ ...base, format: 'native', consent: 'pending' })).not.toThrow();
  });

  it("take the names in the script tag's config", () => {
    const tag: TagConfig[] = [{ ...base, format: 'otlp', consent: 'tcf' }, { ...base, format: 'snowplow', consent: 'gpp' }];
    expect(tag).toHaveLength(2);
  });
});
