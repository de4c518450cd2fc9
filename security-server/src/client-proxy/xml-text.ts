const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `text` as XML character data; characters XML 1.0 cannot hold at all become U+FFFD. */
export function xmlText(text: string): string {
  return text
    .replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char)
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd');
}
