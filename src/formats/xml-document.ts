/**
 * XML for the config formats, through saxes: a streaming parser that checks well-formedness (XML 1.0)
 * as it reads, so one pass both validates and builds the small element tree the formats read. Each
 * element keeps the offset of its `<` in the source text, from which attribute values and text are
 * located exactly (for positions and rewrites). Namespace prefixes are dropped from element and
 * attribute names here (`rasd:Connection` is `Connection`), and namespace declarations are not attributes.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { FormatContext } from './format-context.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated direct text content (CDATA included), trimmed. */
  readonly text: string;
  /** Offset of `<` of the start tag in the source text. */
  readonly start: number;
  /** Element path with 1-based indexes among same-named siblings: `/domain/devices/interface[2]`. */
  readonly path: string;
}

/** An element as built: text and path are worked out on first use (most elements never need them). */
class Building implements XmlElement {
  readonly children: Building[] = [];
  rawText = '';
  private trimmed: string | undefined;
  private fullPath: string | undefined;

  constructor(
    readonly name: string,
    readonly attrs: Readonly<Record<string, string>>,
    readonly start: number,
    private readonly parent: Building | undefined,
  ) {}

  get text(): string {
    return (this.trimmed ??= this.rawText.trim());
  }

  get path(): string {
    if (this.fullPath === undefined) {
      const siblings = this.parent === undefined ? [this] : this.parent.children;
      let index = 0;
      let count = 0;
      for (const s of siblings) {
        if (s.name !== this.name) continue;
        count++;
        if (s === this) index = count;
      }
      this.fullPath = `${this.parent?.path ?? ''}/${this.name}${count > 1 ? `[${index}]` : ''}`;
    }
    return this.fullPath;
  }
}

/**
 * Elements nested deeper than this are not built (no VM config comes near: libvirt and OVF nest under
 * 10 levels): the tree and everything that walks it stay shallow, whatever a hostile file holds.
 */
export const MAX_XML_DEPTH = 256;

interface XmlError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * One parser for the whole process, reused document after document (parsing is synchronous, and saxes
 * resets itself on close). The handlers build into the state below, reset for each document.
 */
class TreeBuilder {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({
    xmlns: false,
    position: true,
  });
  private text = '';
  private roots: Building[] = [];
  private stack: Building[] = [];
  private start = 0;
  private error: XmlError | undefined;
  /** Open elements below MAX_XML_DEPTH, skipped; and where the first of them starts. */
  private skipped = 0;
  private tooDeepAt: number | undefined;

  constructor() {
    const p = this.parser;
    // The parser is positioned just past the tag name (and one more character): the `<` is the last one before.
    p.on('opentagstart', () => {
      this.start = this.text.lastIndexOf('<', p.position - 1);
    });

    p.on('opentag', (tag: SaxesTagPlain) => {
      if (this.skipped > 0 || this.stack.length >= MAX_XML_DEPTH) {
        this.tooDeepAt ??= this.start;
        if (!tag.isSelfClosing) this.skipped++;
        return;
      }
      const parent = this.stack[this.stack.length - 1];
      // Enumerating saxes' (dictionary-mode) attribute object is slow: only a start tag with a colon or a
      // default namespace declaration can need names rewritten (a colon inside a value costs a check).
      const rewrite = hasColon(this.text, this.start, p.position) || tag.attributes['xmlns'] !== undefined;
      const attrs = rewrite ? localAttrs(tag.attributes) : tag.attributes;
      const el = new Building(localName(tag.name), attrs, this.start, parent);
      (parent === undefined ? this.roots : parent.children).push(el);
      if (!tag.isSelfClosing) this.stack.push(el);
    });
    p.on('closetag', (tag: SaxesTagPlain) => {
      if (tag.isSelfClosing) return;
      if (this.skipped > 0) this.skipped--;
      else this.stack.pop();
    });
    const addText = (t: string) => {
      const top = this.stack[this.stack.length - 1];
      if (top !== undefined && this.skipped === 0) top.rawText += t;
    };
    p.on('text', addText);
    p.on('cdata', addText);
    // saxes goes on after an error; the first one is the one reported (later ones are often its echoes).
    p.on('error', (e: Error) => {
      this.error ??= { line: p.line, column: p.column, message: e.message.replace(/^\d+:\d+: /, '') };
    });
  }

  /** `intact` false: saxes threw (a bug of its own); the parser is then not reused. */
  parse(text: string): {
    roots: Building[];
    error: XmlError | undefined;
    intact: boolean;
    tooDeepAt: number | undefined;
  } {
    let intact = true;
    this.text = text;
    this.roots = [];
    this.stack = [];
    this.error = undefined;
    this.skipped = 0;
    this.tooDeepAt = undefined;
    try {
      this.parser.write(text).close();
    } catch (e) {
      // Handlers do not throw and errors go to the handler: anything else is reported the same way.
      intact = false;
      this.error ??= { line: 1, column: 0, message: e instanceof Error ? e.message : String(e) };
    }
    const result = { roots: this.roots, error: this.error, intact, tooDeepAt: this.tooDeepAt };
    this.text = '';
    this.roots = [];
    this.stack = [];
    return result;
  }
}

let builder: TreeBuilder | undefined;

/** Parse an XML document; null (with a PARSE_ERROR issue at the parser's line/column) when malformed. */
export function parseXml(ctx: FormatContext): XmlElement[] | null {
  builder ??= new TreeBuilder();
  const { roots, error, intact, tooDeepAt } = builder.parse(ctx.text);
  if (!intact) builder = undefined;
  if (tooDeepAt !== undefined && error === undefined) {
    ctx.issue(
      'TOO_DEEP',
      `elements nested more than ${MAX_XML_DEPTH} levels deep are not read (the rest of the file is)`,
      tooDeepAt,
      { severity: 'warning' },
    );
  }
  if (error !== undefined) {
    ctx.issues.push({
      file: ctx.file,
      line: error.line,
      column: error.column,
      code: 'PARSE_ERROR',
      severity: 'error',
      message: `malformed XML: ${error.message}`,
    });
    return null;
  }
  return roots;
}

function hasColon(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 58) return true;
  return false;
}

/** Attributes with local names, namespace declarations left out (a new object; saxes' may serve as is). */
function localAttrs(attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in attrs) {
    // Namespace declarations are not attributes of the document's data.
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    out[localName(k)] = attrs[k]!;
  }
  return out;
}

export const child = (el: XmlElement, name: string): XmlElement | undefined =>
  el.children.find((c) => c.name === name);
export const childrenNamed = (el: XmlElement, name: string): XmlElement[] =>
  el.children.filter((c) => c.name === name);

/** Every element named `name` in document order, at any depth (not descending into matches). */
export function findAll(roots: readonly XmlElement[], name: string, out: XmlElement[] = []): XmlElement[] {
  for (const r of roots) {
    if (r.name === name) out.push(r);
    else findAll(r.children, name, out);
  }
  return out;
}

/** Local name of a possibly prefixed XML name. */
const localName = (n: string): string => n.slice(n.indexOf(':') + 1);

/** End of the start tag (offset of its `>`), skipping quoted attribute values. */
function startTagEnd(text: string, start: number): number {
  let quote = 0;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
  }
  return text.length;
}

const ATTR = /([^\s=/>]+)\s*=\s*(["'])/y;

/** Exact span of an attribute's raw value in the source, or undefined when the start tag lacks it. */
export function attrSpan(
  text: string,
  el: XmlElement,
  attr: string,
): { offset: number; raw: string } | undefined {
  const end = startTagEnd(text, el.start);
  let i = el.start + 1;
  while (i < end && !/\s/.test(text[i]!)) i++; // skip the tag name
  while (i < end) {
    while (i < end && /\s/.test(text[i]!)) i++;
    ATTR.lastIndex = i;
    const m = ATTR.exec(text);
    if (!m || m.index >= end) return undefined;
    const valueStart = ATTR.lastIndex;
    const close = text.indexOf(m[2]!, valueStart);
    if (close < 0) return undefined;
    if (localName(m[1]!) === attr) return { offset: valueStart, raw: text.slice(valueStart, close) };
    i = close + 1;
  }
  return undefined;
}

/** Exact span of an element's (trimmed) text content in the source, or undefined for an empty element. */
export function textSpan(text: string, el: XmlElement): { offset: number; raw: string } | undefined {
  const end = startTagEnd(text, el.start);
  if (text[end - 1] === '/') return undefined;
  let i = end + 1;
  const stop = text.indexOf('<', i);
  const close = stop < 0 ? text.length : stop;
  while (i < close && /\s/.test(text[i]!)) i++;
  let j = close;
  while (j > i && /\s/.test(text[j - 1]!)) j--;
  return j > i ? { offset: i, raw: text.slice(i, j) } : undefined;
}

/** Whether the text looks like XML at all (after a BOM and whitespace). */
export const looksLikeXml = (text: string): boolean => /^\uFEFF?\s*</.test(text);
