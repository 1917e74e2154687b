/** Building adapter records from XML elements: the MAC value's span and path, or the element's own place. */
import { FormatContext } from './format-context.js';
import type { Mac } from '../mac/index.js';
import type { AdapterRecord, ParseOptions, ParseResult, TextSpan } from './types.js';
import { attrSpan, parseXml, textSpan, type XmlElement } from './xml-document.js';

/** The common shape of the XML formats: parse (checking well-formedness), then read adapters from the tree. */
export function parseXmlFormat(
  text: string,
  options: ParseOptions | undefined,
  read: (ctx: FormatContext, roots: XmlElement[]) => AdapterRecord[],
): ParseResult {
  const ctx = new FormatContext(text, options);
  const roots = parseXml(ctx);
  const adapters = roots === null ? [] : read(ctx, roots);
  return { adapters, issues: ctx.issues };
}

export interface LocatedMac {
  readonly mac: Mac | null;
  readonly macText: string | null;
  readonly macSpan: TextSpan | null;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

/**
 * Read a MAC from an attribute (`attr` given) or the text of `el`; `fallback` is where the adapter is
 * declared, used as its position when there is no MAC. Empty values give mac null without an issue.
 */
export function locateMac(
  ctx: FormatContext,
  el: XmlElement | undefined,
  attr: string | undefined,
  fallback: XmlElement,
  field: string,
): LocatedMac {
  const found =
    el === undefined ? undefined : attr === undefined ? textSpan(ctx.text, el) : attrSpan(ctx.text, el, attr);
  const path = el === undefined ? fallback.path : attr === undefined ? el.path : `${el.path}/@${attr}`;
  if (found !== undefined && found.raw.trim() !== '') {
    const lead = found.raw.length - found.raw.trimStart().length;
    const raw = found.raw.trim();
    const mac = ctx.mac(raw, found.offset + lead, field, path);
    const span = ctx.span(found.offset + lead, raw.length);
    if (mac !== null) return { mac, macText: raw, macSpan: span, line: span.line, column: span.column, path };
    return { mac: null, macText: null, macSpan: null, line: span.line, column: span.column, path };
  }
  const where = ctx.lines.position(el?.start ?? fallback.start);
  return { mac: null, macText: null, macSpan: null, ...where, path };
}
