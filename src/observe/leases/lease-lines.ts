/** Line-by-line reading with the offset and 1-based line of each line, for positioned issues. */
export interface TextLine {
  readonly text: string;
  readonly offset: number;
  readonly line: number;
}

export function* textLines(text: string): Generator<TextLine> {
  let offset = 0;
  let line = 1;
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end === -1) end = text.length;
    const raw = text.slice(offset, end);
    yield { text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, offset, line };
    if (end === text.length) break;
    offset = end + 1;
    line++;
  }
}

/** A MAC written with or without leading zeros per octet (`0:8:e1:1:2:d6`, arpwatch `-C`). */
export function looseMacText(text: string): string | null {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return parts.map((p) => p.padStart(2, '0')).join(':');
}
