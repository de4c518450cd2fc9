import { DEFAULT_MAX_JSON_DEPTH, isStorableText, parseStrictJson } from '../../../core/src';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The typed refusal `parseStrictJson` throws for `input`. */
function refusal(input: Uint8Array, maxDepth?: number) {
  try {
    parseStrictJson(input, maxDepth === undefined ? {} : { maxDepth });
  } catch (error) {
    return error as { code: string; message: string; detail: unknown };
  }
  throw new Error('not refused');
}

describe('parseStrictJson, the one JSON reader of every listener', () => {
  it('reads one UTF-8 JSON text, Cyrillic, astral characters and escaped surrogate pairs included', () => {
    expect(parseStrictJson(bytes('{"name":"Бат-Эрдэнэ","emoji":"😀","pair":"\\ud83d\\ude00"}'))).toEqual({
      name: 'Бат-Эрдэнэ',
      emoji: '😀',
      pair: '😀',
    });
  });

  it('refuses a UTF-8 byte order mark before the JSON, as every listener does alike', () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('{}')]);
    expect(refusal(input)).toMatchObject({
      code: 'BadRequest',
      message: expect.stringMatching(/byte order mark/),
    });
  });

  it('refuses bytes that are not UTF-8, and text that is not JSON', () => {
    expect(refusal(Buffer.from([0x22, 0xff, 0x22])).message).toMatch(/not valid UTF-8/);
    expect(refusal(bytes('{"a":1} {"b":2}')).message).toMatch(/not a valid JSON text/);
  });

  it.each([
    ['a lone high surrogate', '{"userId":"\\ud800"}'],
    ['a lone low surrogate', '["x\\udc00y"]'],
    ['a high surrogate followed by no low one', '["\\ud800\\u0041"]'],
    ['a lone surrogate in a key', '{"\\udbff":1}'],
  ])('refuses %s, which no store keeps', (_what, text) => {
    expect(refusal(bytes(text))).toMatchObject({
      code: 'BadRequest',
      message: expect.stringMatching(/lone surrogate/),
    });
  });

  it('refuses U+0000 in a string, which PostgreSQL refuses to keep', () => {
    expect(refusal(bytes('{"name":"a\\u0000b"}')).message).toMatch(/U\+0000/);
  });

  it('is not fooled by escaped backslashes and quotes', () => {
    expect(parseStrictJson(bytes('["\\\\u0000", "\\"[[[["]'))).toEqual(['\\u0000', '"[[[[']);
  });

  it(`refuses nesting deeper than the limit (${DEFAULT_MAX_JSON_DEPTH} by default) before any recursive walk`, () => {
    const deep = (n: number) => bytes(`${'['.repeat(n)}${']'.repeat(n)}`);
    expect(parseStrictJson(deep(DEFAULT_MAX_JSON_DEPTH))).toBeDefined();
    expect(refusal(deep(DEFAULT_MAX_JSON_DEPTH + 1))).toMatchObject({
      code: 'BadRequest',
      detail: { maxDepth: DEFAULT_MAX_JSON_DEPTH },
    });
    // The body that once overflowed the message log's serialisation: refused in one pass.
    expect(refusal(deep(8000)).code).toBe('BadRequest');
    expect(refusal(bytes('{"a":{"b":[1]}}'), 2).detail).toEqual({ maxDepth: 2 });
  });
});

describe('isStorableText', () => {
  it('tells text a store keeps from text with U+0000 or a lone surrogate', () => {
    expect(isStorableText('Улсын бүртгэл 😀')).toBe(true);
    expect(isStorableText('a\u0000')).toBe(false);
    expect(isStorableText('\ud800')).toBe(false);
    expect(isStorableText('x\udc00')).toBe(false);
  });
});
