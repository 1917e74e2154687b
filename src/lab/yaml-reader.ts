/**
 * A typed walk over a YAML document (parsed by the `yaml` package) that knows where every value came
 * from: each accessor either returns a value of the expected shape or throws PARSE_ERROR naming the file,
 * line, column, field path and what was expected.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { MacfleetError } from '../errors.js';

export class YamlNode {
  constructor(
    readonly node: Node | null | undefined,
    readonly path: string,
    private readonly ctx: { file: string; lines: LineCounter; offset: number },
  ) {}

  /** Parse text into its root node; YAML syntax errors become PARSE_ERROR with their position. */
  static parse(text: string, file: string): YamlNode {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const err = doc.errors[0];
    if (err) {
      const pos = lines.linePos(err.pos[0]);
      throw new MacfleetError(
        'PARSE_ERROR',
        `${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split('\n')[0]}`,
        {
          location: { file, line: pos.line, column: pos.col },
        },
      );
    }
    return new YamlNode(doc.contents, '', { file, lines, offset: 0 });
  }

  get line(): number {
    return this.position().line;
  }

  private position(): { line: number; col: number } {
    const at = this.node?.range?.[0] ?? this.ctx.offset;
    return this.ctx.lines.linePos(at);
  }

  /** Throw PARSE_ERROR at this node. */
  fail(expected: string): never {
    const { line, col } = this.position();
    const got =
      this.node == null
        ? 'nothing'
        : isScalar(this.node)
          ? JSON.stringify(this.node.value)
          : isSeq(this.node)
            ? 'a list'
            : 'a mapping';
    throw new MacfleetError(
      'PARSE_ERROR',
      `${this.ctx.file}:${line}:${col}: ${this.path || 'document'}: expected ${expected}, got ${got}`,
      {
        location: { file: this.ctx.file, line, column: col, field: this.path },
      },
    );
  }

  /** Throw LIMIT_EXCEEDED at this node: the input is well formed but larger than macfleet takes. */
  tooLarge(what: string): never {
    const { line, col } = this.position();
    throw new MacfleetError(
      'LIMIT_EXCEEDED',
      `${this.ctx.file}:${line}:${col}: ${this.path || 'document'}: ${what}`,
      {
        location: { file: this.ctx.file, line, column: col, field: this.path },
      },
    );
  }

  /** The scalar value here, or undefined for a mapping, list or nothing. */
  get scalarValue(): unknown {
    return isScalar(this.node) ? this.node.value : undefined;
  }

  get isMissing(): boolean {
    return this.node == null || (isScalar(this.node) && this.node.value === null);
  }

  /** The pairs of a mapping, checking keys against `allowed` (a typo is an error, not silently ignored). */
  entries(allowed?: readonly string[]): Map<string, YamlNode> {
    if (!isMap(this.node)) this.fail(allowed ? `a mapping with ${allowed.join(', ')}` : 'a mapping');
    const out = new Map<string, YamlNode>();
    for (const pair of this.node.items) {
      const k = pair.key;
      const key = isScalar(k) ? String(k.value) : '';
      const keyNode = new YamlNode(k as Node, this.sub(key), this.ctx);
      if (allowed && !allowed.includes(key)) keyNode.fail(`one of the keys ${allowed.join(', ')}`);
      if (out.has(key)) keyNode.fail('each key once');
      out.set(
        key,
        new YamlNode(pair.value as Node | null, this.sub(key), {
          ...this.ctx,
          offset: k && (k as Node).range ? (k as Node).range![0] : this.ctx.offset,
        }),
      );
    }
    return out;
  }

  items(): YamlNode[] {
    if (!isSeq(this.node)) this.fail('a list');
    return this.node.items.map((n, i) => new YamlNode(n as Node, `${this.path}[${i}]`, this.ctx));
  }

  /** Items of a list, or a single scalar as a one-element list. */
  itemsOrOne(): YamlNode[] {
    return isSeq(this.node) ? this.items() : [this];
  }

  private sub(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  scalar(): unknown {
    if (!isScalar(this.node)) this.fail('a value');
    return this.node.value;
  }

  string(expected = 'a string'): string {
    const v = this.isMissing ? undefined : this.scalar();
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number') return String(v);
    return this.fail(expected);
  }

  number(min: number, max: number, integer = true): number {
    const v = this.isMissing ? undefined : this.scalar();
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      this.fail(`${integer ? 'an integer' : 'a number'} ${min}..${max}`);
    }
    return v;
  }

  /** true/false, on/off, yes/no, accept/reject. */
  flag(): boolean {
    const v = this.isMissing ? undefined : this.scalar();
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.toLowerCase();
      if (['on', 'yes', 'accept', 'true', 'enabled'].includes(s)) return true;
      if (['off', 'no', 'reject', 'false', 'disabled'].includes(s)) return false;
    }
    return this.fail('on/off, true/false or accept/reject');
  }

  oneOf<T extends string>(values: readonly T[]): T {
    const v = this.isMissing ? undefined : this.scalar();
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    return this.fail(`one of ${values.join(', ')}`);
  }

  /** Convert with `parse`; its MacfleetError message becomes "expected <what>: <message>" at this node. */
  convert<T>(what: string, parse: (s: string) => T): T {
    const s = this.string(what);
    try {
      return parse(s);
    } catch (e) {
      if (e instanceof MacfleetError) this.fail(`${what} (${e.message})`);
      throw e;
    }
  }
}
