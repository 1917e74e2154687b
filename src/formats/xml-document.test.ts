import { describe, expect, it } from 'vitest';
import { FormatContext } from './format-context.js';
import {
  attrSpan,
  child,
  findAll,
  MAX_XML_DEPTH,
  parseXml,
  textSpan,
  type XmlElement,
} from './xml-document.js';

const parse = (text: string) => {
  const ctx = new FormatContext(text, { file: 'f.xml' });
  return { roots: parseXml(ctx), issues: ctx.issues };
};

describe('parseXml', () => {
  it.each([
    ['a truncated document', '<domain>\n  <name>a</name>\n  <devices>', 3],
    ['mismatched tags', '<domain>\n  <name>a</nam>\n</domain>', 2],
    ['an unquoted attribute', '<domain>\n  <mac address=52:54:00:00:00:01/>\n</domain>', 2],
    ['an attribute without a value', '<domain>\n\n  <mac address/>\n</domain>', 3],
    ['two roots', '<domain/>\n<domain/>', 2],
    ['an undefined entity', '<domain>\n  <name>&nbsp;</name>\n</domain>', 2],
    ['a duplicate attribute', "<domain>\n <mac a='1' a='2'/>\n</domain>", 2],
    ['no root element', '   ', 1],
  ])('rejects %s with the line of the problem', (_what, text, line) => {
    const r = parse(text);
    expect(r.roots).toBeNull();
    expect(r.issues).toEqual([
      expect.objectContaining({ file: 'f.xml', code: 'PARSE_ERROR', severity: 'error', line }),
    ]);
    expect(r.issues[0]!.message).toMatch(/^malformed XML: \S/);
  });

  it('reads the next document correctly after a malformed one (one parser is reused)', () => {
    expect(parse('<a><b></a>').roots).toBeNull();
    const r = parse("<a x='1'><b>t</b></a>");
    expect(r.issues).toEqual([]);
    expect(r.roots!.map((e) => e.name)).toEqual(['a']);
    expect(child(r.roots![0]!, 'b')!.text).toBe('t');
  });

  it('drops namespace prefixes and declarations; decodes entities and CDATA into text', () => {
    const r = parse(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ovf:Envelope xmlns:ovf="urn:o" xmlns="urn:d" ovf:id="e">' +
        '<rasd:Connection xmlns:rasd="urn:r"> VM &amp; <![CDATA[<Net>]]> </rasd:Connection></ovf:Envelope>',
    );
    const env = r.roots![0]!;
    expect(env.name).toBe('Envelope');
    expect({ ...env.attrs }).toEqual({ id: 'e' });
    expect(child(env, 'Connection')!.text).toBe('VM & <Net>');
  });

  it('keeps each start tag offset, indexed paths and exact value spans', () => {
    const text =
      "<domain>\n <devices>\n  <interface><mac address='52:54:00:00:00:01'/></interface>\n  <interface>\n   <mac address = \"52:54:00:00:00:02\" type='static'/></interface>\n </devices>\n</domain>";
    const roots = parse(text).roots!;
    const macs: XmlElement[] = findAll(roots, 'mac');
    expect(macs.map((m) => m.path)).toEqual([
      '/domain/devices/interface[1]/mac',
      '/domain/devices/interface[2]/mac',
    ]);
    for (const m of macs) expect(text.startsWith('<mac', m.start)).toBe(true);
    const span = attrSpan(text, macs[1]!, 'address')!;
    expect(span.raw).toBe('52:54:00:00:00:02');
    expect(text.slice(span.offset, span.offset + span.raw.length)).toBe(span.raw);
    expect(attrSpan(text, macs[1]!, 'missing')).toBeUndefined();
    const name = parse('<domain><name>\n  vm1 </name></domain>');
    const nameText = '<domain><name>\n  vm1 </name></domain>';
    const nameSpan = textSpan(nameText, child(name.roots![0]!, 'name')!)!;
    expect(nameSpan).toEqual({ offset: nameText.indexOf('vm1'), raw: 'vm1' });
  });
});

describe('deeply nested XML (issue 16)', () => {
  const depthOf = (els: readonly XmlElement[]): number => {
    // Iterative, so the test itself cannot overflow the stack.
    let max = 0;
    const todo: [XmlElement, number][] = els.map((e) => [e, 1]);
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      max = Math.max(max, next[1]);
      for (const c of next[0].children) todo.push([c, next[1] + 1]);
    }
    return max;
  };
  const libvirt = (depth: number) =>
    `<domain type='kvm'><name>web</name><devices><interface type='network'>` +
    `<mac address='52:54:00:00:00:01'/><source network='default'/></interface></devices>\n` +
    `<metadata>${'<x>'.repeat(depth)}deep text${'</x>'.repeat(depth)}</metadata>` +
    `<devices><interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br0'/></interface></devices></domain>`;

  it.each([5_000, 50_000])(
    '%i levels: no stack overflow, the adapters kept, a positioned warning',
    (depth) => {
      const ctx = new FormatContext(libvirt(depth), { file: 'deep.xml' });
      const roots = parseXml(ctx);
      expect(roots).not.toBeNull();
      expect(depthOf(roots!)).toBeLessThanOrEqual(MAX_XML_DEPTH);
      expect(findAll(roots!, 'mac').map((m) => m.attrs['address'])).toEqual([
        '52:54:00:00:00:01',
        '52:54:00:00:00:02',
      ]);
      // The first element too deep: domain and metadata are levels 1 and 2, so the <x> at level MAX + 1,
      // the (MAX - 1)th, is the first left out; each <x> is 3 columns after the one before, from column 11.
      expect(ctx.issues).toEqual([
        expect.objectContaining({
          code: 'TOO_DEEP',
          severity: 'warning',
          line: 2,
          column: 11 + 3 * (MAX_XML_DEPTH - 2),
        }),
      ]);
    },
  );

  it('the libvirt parser keeps both adapters of a 20,000-level file', async () => {
    const { PARSERS } = await import('./registry.js');
    const r = PARSERS['libvirt-xml'](libvirt(20_000), { file: 'deep.xml' });
    expect(r.adapters.map((a) => a.macText)).toEqual(['52:54:00:00:00:01', '52:54:00:00:00:02']);
    expect(r.issues.map((i) => i.code)).toEqual(['TOO_DEEP']);
  });
});
