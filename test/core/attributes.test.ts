import { describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTES, MAX_ATTRIBUTE_BYTES, withAttribute, withIncrement } from '../../src/core/session/attributes';

describe('session attributes', () => {
  it('sets scalars', () => {
    expect(withAttribute({}, 'plan', 'pro')).toEqual({ plan: 'pro' });
    expect(withAttribute({ a: 1 }, 'b', null)).toEqual({ a: 1, b: null });
    expect(withAttribute({}, 'ok', false)).toEqual({ ok: false });
  });

  it.each([
    ['an empty key', '', 1],
    ['a key that is not a string', 3, 1],
    ['an object value', 'k', { a: 1 }],
    ['an array value', 'k', [1]],
    ['NaN', 'k', NaN],
    ['Infinity', 'k', Infinity],
    ['undefined', 'k', undefined],
  ])('refuses %s with a reason (a message: its code and where)', (_, key, value) => {
    expect(withAttribute({}, key, value)).toEqual(key === 'k' ? [28, 'session attribute "k"'] : [27, 'setSessionAttribute']);
  });

  it('increments, from nothing and by any finite number', () => {
    expect(withIncrement({}, 'clicks', 1)).toEqual({ clicks: 1 });
    expect(withIncrement({ clicks: 2 }, 'clicks', 3)).toEqual({ clicks: 5 });
    expect(withIncrement({ clicks: 2 }, 'clicks', -0.5)).toEqual({ clicks: 1.5 });
  });

  it('does not increment a non-number, or by a non-number', () => {
    expect(withIncrement({ plan: 'pro' }, 'plan', 1)).toEqual([32, 'session attribute "plan"']);
    expect(withIncrement({}, 'n', '1')).toEqual([31, 'incrementSessionAttribute']);
  });

  it(`keeps at most ${MAX_ATTRIBUTES} keys`, () => {
    let attrs = {};
    for (let i = 0; i < MAX_ATTRIBUTES; i++) attrs = withAttribute(attrs, `k${i}`, i) as Record<string, number>;
    expect(Object.keys(attrs)).toHaveLength(MAX_ATTRIBUTES);
    expect(withAttribute(attrs, 'one-more', 1)).toEqual([29, 'session attribute "one-more"']);
    // replacing an existing key is fine
    expect(withAttribute(attrs, 'k0', 'x')).toMatchObject({ k0: 'x' });
  });

  it(`keeps at most ${MAX_ATTRIBUTE_BYTES} bytes as stored, counting the cookie's escaping`, () => {
    expect(withAttribute({}, 'text', 'a'.repeat(1400))).toEqual({ text: 'a'.repeat(1400) });
    expect(withAttribute({}, 'text', 'a'.repeat(1600))).toEqual([30, 'session attribute "text"']);
    // 200 CJK characters are 1,800 bytes once escaped
    expect(withAttribute({}, 'text', '語'.repeat(200))).toEqual([30, 'session attribute "text"']);
  });
});
