/**
 * Header values between envelopes (Unicode text, e.g. a Cyrillic
 * `X-Road-Issue`) and HTTP (bytes, which Node reads and writes one byte per
 * character, as Latin-1). On the HTTP side the text travels as its UTF-8
 * bytes, as browsers and most servers send non-ASCII header values.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[\u0080-\uffff]/;

/** `text` as Node must be given it to send its UTF-8 bytes (ASCII unchanged). */
export function toHeaderValue(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

/**
 * The text of a header value as Node read it: its bytes decoded as UTF-8
 * when they are valid UTF-8, else as they came (Latin-1).
 */
export function fromHeaderValue(raw: string): string {
  if (!NON_ASCII.test(raw)) return raw;
  try {
    return utf8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    return raw;
  }
}
