/**
 * Positions for JSON: JSON.parse validates and builds values but reports no positions, so this scanner
 * walks the same text once to find, for each record object (the root object, or each element of a root
 * array), where each of its own properties' values start. Only structure is tracked; values come from
 * JSON.parse.
 */
export interface JsonRecordPositions {
  readonly start: number;
  /** Property name → offset of its value (for a string: the first character inside the quotes). */
  readonly values: Map<string, number>;
}

export function scanJsonRecords(text: string): JsonRecordPositions[] {
  const out: JsonRecordPositions[] = [];
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  // Skip any value (object, array, string, literal), tracking nesting.
  const skipValue = () => {
    skipWs();
    if (text[i] === '"') return skipString();
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          skipString();
          continue;
        }
        if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      return;
    }
    while (i < n && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  const readObject = () => {
    const rec: JsonRecordPositions = { start: i, values: new Map() };
    i++; // {
    for (;;) {
      skipWs();
      if (i >= n || text[i] === '}') {
        i++;
        break;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] !== '"') {
        i++;
        continue;
      }
      const keyStart = i + 1;
      skipString();
      const key = JSON.parse(text.slice(keyStart - 1, i)) as string;
      skipWs();
      if (text[i] === ':') i++;
      skipWs();
      rec.values.set(key, text[i] === '"' ? i + 1 : i);
      skipValue();
    }
    out.push(rec);
  };
  skipWs();
  if (text[i] === '\uFEFF') i++;
  skipWs();
  if (text[i] === '{') readObject();
  else if (text[i] === '[') {
    i++;
    for (;;) {
      skipWs();
      if (i >= n || text[i] === ']') break;
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '{') readObject();
      else {
        out.push({ start: i, values: new Map() });
        skipValue();
      }
    }
  }
  return out;
}
