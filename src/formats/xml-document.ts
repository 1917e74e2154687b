/**
 * XML for the config formats, through fast-xml-parser: the validator reports malformed documents with a
 * line and column; the parser (preserveOrder + captureMetaData) gives each element its start offset, from
 * which attribute values and text are located exactly in the source text (for positions and rewrites).
 * Namespace prefixes are dropped from element and attribute names here (`rasd:Connection` is
 * `Connection`): cheaper than the parser's own removeNSPrefix, which resolves every name.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FormatContext } from './format-context.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated direct text content, trimmed. */
  readonly text: string;
  /** Offset of `<` of the start tag in the source text. */
  readonly start: number;
  /** Element path with 1-based indexes among same-named siblings: `/domain/devices/interface[2]`. */
  readonly path: string;
}

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  captureMetaData: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  // Callbacks get the path matcher itself, not a path string built for every tag (none is used here).
  jPath: false,
} as const;

/** One parser per list of skipped elements (a format's fixed list, so a handful in all). */
const parsers = new Map<string, XMLParser>();

function parserSkipping(skip: readonly string[]): XMLParser {
  const key = skip.join(' ');
  let p = parsers.get(key);
  if (p === undefined) {
    // A stop node's content is kept as raw text, not parsed into elements: the parser only scans for
    // its closing tag (nesting, comments and CDATA handled). The validator has already checked it.
    p = new XMLParser({ ...PARSER_OPTIONS, stopNodes: skip.map((name) => `*.${name}`) });
    parsers.set(key, p);
  }
  return p;
}
const META = XMLParser.getMetaDataSymbol() as unknown as string;

type RawNode = Record<string, unknown>;

/**
 * Parse an XML document; null (with a PARSE_ERROR issue at the validator's line/column) when malformed.
 * Elements named in `skip` (a format's subtrees that never hold adapters, e.g. libvirt `<disk>`) are
 * validated but not parsed into children: they appear as elements with no children and no text.
 */
export function parseXml(ctx: FormatContext, skip: readonly string[] = []): XmlElement[] | null {
  const v = XMLValidator.validate(ctx.text, { allowBooleanAttributes: true });
  if (v !== true) {
    const { line, col, msg } = v.err;
    ctx.issues.push({
      file: ctx.file,
      line,
      column: col,
      code: 'PARSE_ERROR',
      severity: 'error',
      message: `malformed XML: ${msg}`,
    });
    return null;
  }
  try {
    return convert(parserSkipping(skip).parse(ctx.text) as RawNode[], '', skip);
  } catch (e) {
    ctx.issue('PARSE_ERROR', `malformed XML: ${e instanceof Error ? e.message : String(e)}`, 0);
    return null;
  }
}

function convert(nodes: RawNode[], parentPath: string, skip: readonly string[]): XmlElement[] {
  const out: XmlElement[] = [];
  const seen = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const name = elementName(n);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const n of nodes) {
    const name = elementName(n);
    if (name === undefined) continue;
    const index = (seen.get(name) ?? 0) + 1;
    seen.set(name, index);
    const path = `${parentPath}/${name}${counts.get(name)! > 1 ? `[${index}]` : ''}`;
    const rawChildren = skip.includes(name) ? [] : ((n[rawName(n)!] as RawNode[] | undefined) ?? []);
    let text = '';
    for (const c of rawChildren) if (typeof c['#text'] === 'string') text += c['#text'];
    const meta = (n as Record<string, { startIndex?: number } | undefined>)[META];
    out.push({
      name,
      attrs: localAttrs(n[':@'] as Record<string, string> | undefined),
      children: convert(rawChildren, path, skip),
      text: text.trim(),
      start: meta?.startIndex ?? 0,
      path,
    });
  }
  return out;
}

function elementName(n: RawNode): string | undefined {
  for (const k in n) if (k !== ':@' && k !== '#text') return localName(k);
  return undefined;
}

function rawName(n: RawNode): string | undefined {
  for (const k in n) if (k !== ':@' && k !== '#text') return k;
  return undefined;
}

function localAttrs(attrs: Record<string, string> | undefined): Record<string, string> {
  if (attrs === undefined) return {};
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
