/**
 * RFC 4180 CSV with positions: quoted fields, doubled quotes, CRLF or LF, and the offset of each field's
 * value (inside the quotes) so a MAC can be located and rewritten exactly. No CSV library is in the
 * dependency set and the grammar is small; this keeps positions, which csv libraries do not report.
 */
export interface CsvField {
  readonly value: string;
  /** Offset of the first character of the value (after an opening quote). */
  readonly offset: number;
}
export interface CsvRow {
  readonly fields: CsvField[];
  /** Offset of the row's first character. */
  readonly offset: number;
}

/** Split CSV text into rows; `error` is set (with its offset) for an unterminated quote. */
export function readCsv(
  text: string,
  start = 0,
): { rows: CsvRow[]; error?: { offset: number; message: string } } {
  const rows: CsvRow[] = [];
  let i = start;
  const n = text.length;
  while (i < n) {
    const rowStart = i;
    const fields: CsvField[] = [];
    for (;;) {
      if (text[i] === '"') {
        const valueStart = i + 1;
        let value = '';
        let j = valueStart;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) return { rows, error: { offset: i, message: 'unterminated quoted field' } };
          value += text.slice(j, q);
          if (text[q + 1] === '"') {
            value += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        fields.push({ value, offset: valueStart });
        while (i < n && text[i] !== ',' && text[i] !== '\n') i++; // tolerate junk after a closing quote
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
        const raw = text.slice(i, j).replace(/\r$/, '');
        fields.push({ value: raw, offset: i });
        i = j;
      }
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (i < n && text[i] === '\n') i++;
    else if (text[i - 1] === '\r' && text[i] === '\n') i++;
    rows.push({ fields, offset: rowStart });
  }
  return { rows };
}
