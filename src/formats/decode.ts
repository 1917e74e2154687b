/**
 * Bytes to text for the parsers. UTF-16 LE/BE are recognised by their BOM (Virtual Server `.vmc`,
 * Windows PowerShell `>` redirections), or by the zero bytes of UTF-16 ASCII text without a BOM; else
 * UTF-8 (a UTF-8 BOM is dropped). The BOM is kept aside so a rewrite can put the same bytes back.
 */
export const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncoding;
  readonly bom: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le');
const utf16be = new TextDecoder('utf-16be');

/** Decode; null when the bytes are binary (NUL bytes outside UTF-16) or not valid UTF-8. */
export function decodeText(bytes: Uint8Array): DecodedText | null {
  const n = bytes.length;
  if (n >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: utf16le.decode(bytes.subarray(2)), encoding: 'utf-16le', bom: true };
  if (n >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: utf16be.decode(bytes.subarray(2)), encoding: 'utf-16be', bom: true };
  const bom = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (n >= 4 && n % 2 === 0 && bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) {
    return { text: utf16le.decode(bytes), encoding: 'utf-16le', bom: false };
  }
  if (n >= 4 && n % 2 === 0 && bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] !== 0) {
    return { text: utf16be.decode(bytes), encoding: 'utf-16be', bom: false };
  }
  if (bytes.indexOf(0) !== -1) return null;
  try {
    return { text: utf8.decode(bom ? bytes.subarray(3) : bytes), encoding: 'utf-8', bom };
  } catch {
    return null;
  }
}
