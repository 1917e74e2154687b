/** Offsets to 1-based line/column, computed once per text (binary search over line starts). */
import type { TextSpan } from './types.js';

export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    const t = this.text;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
    return starts;
  }

  /** 1-based line and column of a 0-based offset (clamped to the text). */
  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts();
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  }

  span(offset: number, length: number): TextSpan {
    const { line, column } = this.position(offset);
    return { offset, length, line, column };
  }
}

/** Base name of a path without its extension: the VM name fallback for formats that do not name the VM. */
export function baseName(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
