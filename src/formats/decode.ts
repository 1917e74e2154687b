/**
 * Bytes to text for the parsers. UTF-16 LE/BE are recognised by their BOM (Virtual Server `.vmc`,
 * Windows PowerShell `>` redirections), or by the zero bytes of UTF-16 ASCII text without a BOM; else
 * UTF-8 (a UTF-8 BOM is dropped), unless a text that is not pure ASCII declares a legacy code page
 * (vmx `.encoding`, an XML declaration): then that. The BOM is kept aside so a rewrite can put the same bytes back.
 */
export const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export interface DecodedText {
  readonly text: string;
  /**
   * One of TEXT_ENCODINGS, or the WHATWG name of the legacy code page the file declares and was decoded
   * from (`windows-1252`, `shift_jis`, ...): a rewrite must encode back to it, or refuse.
   */
  readonly encoding: TextEncoding | (string & {});
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
  const body = bom ? bytes.subarray(3) : bytes;
  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined;
  }
  // All ASCII (one character per byte): every ASCII-compatible code page reads it the same.
  if (text !== undefined && text.length === body.length) return { text, encoding: 'utf-8', bom };
  const declared = bom ? undefined : declaredDecoder(body);
  if (declared !== undefined) return { text: declared.decode(body), encoding: declared.encoding, bom };
  return text === undefined ? null : { text, encoding: 'utf-8', bom };
}

// What a file says it is written in: VMware `.encoding = "windows-1252"` (a dot-key written first in
// the .vmx, http://faq.sanbarrow.com/index.php?action=artikel&cat=6&id=89) or an XML declaration's
// `encoding="ISO-8859-1"` (XML 1.0 section 4.3.3).
const DECLARATION =
  /^[ \t]*\.encoding[ \t]*=[ \t]*"([^"\r\n]{1,40})"|^<\?xml[^>]*?\sencoding[ \t]*=[ \t]*["']([^"'\r\n]{1,40})["']/m;
type Decoder = InstanceType<typeof TextDecoder>;
const headDecoder = new TextDecoder('windows-1252');
const decoders = new Map<string, Decoder | null>();

/** A decoder for the legacy code page the text declares (not UTF-8/16, known to TextDecoder), if any. */
function declaredDecoder(body: Uint8Array): Decoder | undefined {
  const m = DECLARATION.exec(headDecoder.decode(body.subarray(0, 4096)));
  const label = (m?.[1] ?? m?.[2])?.trim().toLowerCase();
  if (label === undefined) return undefined;
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null; // a label TextDecoder does not know: read as UTF-8, as before
    }
    if (decoder !== null && (decoder.encoding === 'utf-8' || decoder.encoding.startsWith('utf-16')))
      decoder = null;
    decoders.set(label, decoder);
  }
  return decoder ?? undefined;
}
