/**
 * The rewrite over generated files (fast-check): random key case, spacing, quoting, line endings, MAC
 * notations, history sections and encodings. A static edit changes only the MAC's characters; a dynamic
 * edit changes only the lines (or element) that hold the setting, as written out here by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, macFromNumber, type Mac } from '../mac/index.js';
import { decodeText } from './decode.js';
import { PARSERS } from './registry.js';
import type { MacEdit } from './rewrite.js';
import { rewrite, spliceBytes, replacementsFor } from './rewriters.js';
import type { AdapterRecord, FormatName } from './types.js';

const macArb = fc.integer({ min: 0, max: 2 ** 47 - 1 }).map((n) => macFromNumber(n * 2));
const notationArb = fc.constantFrom('colon', 'hyphen', 'bare', 'cisco' as const);
const caseArb = fc.boolean();
const eolArb = fc.constantFrom('\n', '\r\n');
const written = (mac: Mac, notation: 'colon' | 'hyphen' | 'bare' | 'cisco', upper: boolean): string => {
  const t = formatMac(mac, notation);
  return upper ? t.toUpperCase() : t.toLowerCase();
};

function edit(a: AdapterRecord, kind: 'set' | 'dynamic', mac?: Mac): MacEdit {
  return {
    kind,
    adapter: a.adapter,
    offset: a.macSpan!.offset,
    length: a.macSpan!.length,
    ...(mac === undefined ? {} : { mac }),
  };
}

/** Static edits: the text differs from the original only inside the edited spans, and parses to the new MACs. */
function checkStatic(format: FormatName, text: string, picks: readonly [number, Mac][]): void {
  const adapters = PARSERS[format](text, { file: 'g' }).adapters.filter(
    (a) => a.macSpan !== null && (format !== 'vmx' || a.mode === 'static'),
  );
  if (adapters.length === 0) return;
  const chosen = new Map<AdapterRecord, Mac>();
  for (const [i, mac] of picks) chosen.set(adapters[i % adapters.length]!, mac);
  const after = rewrite(
    format,
    text,
    [...chosen].map(([a, m]) => edit(a, 'set', m)),
  );
  expect(after.length).toBe(text.length);
  for (let i = 0; i < text.length; i++)
    if (after[i] !== text[i])
      expect(
        [...chosen.keys()].some((a) => i >= a.macSpan!.offset && i < a.macSpan!.offset + a.macSpan!.length),
      ).toBe(true);
  const again = PARSERS[format](after, { file: 'g' }).adapters;
  for (const [a, mac] of chosen) expect(again.find((b) => b.adapter === a.adapter)?.mac).toBe(mac);
}

const vmxKey = fc.constantFrom('address', 'Address', 'ADDRESS');
const vmxArb = fc
  .record({
    eol: eolArb,
    eq: fc.constantFrom(' = ', '=', '  =  ', '\t=\t'),
    prefix: fc.constantFrom('ethernet', 'Ethernet', 'ETHERNET'),
    noise: fc.array(
      fc.constantFrom('# comment', '', 'memsize = "2048"', '.encoding = "UTF-8"', 'scsi0.present = "TRUE"'),
      { maxLength: 4 },
    ),
    adapters: fc.array(
      fc.record({ mac: macArb, n: notationArb, up: caseArb, key: vmxKey, typed: fc.boolean() }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ eol, eq, prefix, noise, adapters }) => {
    const lines: string[] = [...noise];
    adapters.forEach((a, i) => {
      lines.push(`${prefix}${i}.present${eq}"TRUE"`);
      if (a.typed) lines.push(`${prefix}${i}.addressType${eq}"static"`);
      lines.push(`${prefix}${i}.${a.key}${eq}"${written(a.mac, a.n === 'cisco' ? 'colon' : a.n, a.up)}"`);
      lines.push(`${prefix}${i}.networkName${eq}"VM Network"`);
    });
    return { text: lines.join(eol) + eol, eol, adapters: adapters.length };
  });

describe('.vmx', () => {
  it('static edits touch only the MAC', () => {
    fc.assert(
      fc.property(vmxArb, fc.array(fc.tuple(fc.nat(), macArb), { minLength: 1, maxLength: 3 }), (g, picks) =>
        checkStatic('vmx', g.text, picks),
      ),
      { numRuns: 200, seed: 1129 },
    );
  });
  it('dynamic drops the address line and says addressType = "generated"; every other line stays', () => {
    fc.assert(
      fc.property(vmxArb, fc.nat(), (g, pick) => {
        const adapters = PARSERS.vmx(g.text, { file: 'g' }).adapters;
        const a = adapters[pick % adapters.length]!;
        const after = rewrite('vmx', g.text, [edit(a, 'dynamic')]);
        const id = a.adapter;
        // Expected, line by line: the address line goes (replaced by an addressType line when there was none).
        const lines = g.text.split(g.eol);
        const hasType = lines.some((l) => new RegExp(`^${id}\\.addresstype`, 'i').test(l));
        const want = lines.flatMap((l) => {
          if (new RegExp(`^${id}\\.address[ \\t=]`, 'i').test(l))
            return hasType
              ? []
              : [
                  l
                    .replace(/\.address/i, (m) => `${m.slice(0, 1)}addressType`)
                    .replace(/"[^"]*"$/, '"generated"'),
                ];
          if (new RegExp(`^${id}\\.addresstype`, 'i').test(l)) return [l.replace(/"[^"]*"$/, '"generated"')];
          return [l];
        });
        expect(after).toBe(want.join(g.eol));
        const again = PARSERS.vmx(after, { file: 'g' }).adapters.find((b) => b.adapter === id)!;
        expect(again.mode).toBe('dynamic');
        expect(again.mac).toBeNull();
      }),
      { numRuns: 200, seed: 1130 },
    );
  });
  it('a duplicated generated address is removed, and a static MAC is added after it', () => {
    const text =
      'ethernet0.present = "TRUE"\r\nethernet0.addressType = "generated"\r\nethernet0.generatedAddress = "00:0c:29:aa:bb:cc"\r\nethernet0.generatedAddressOffset = "0"\r\n';
    const a = PARSERS.vmx(text, { file: 'g' }).adapters[0]!;
    expect(rewrite('vmx', text, [edit(a, 'dynamic')])).toBe(
      'ethernet0.present = "TRUE"\r\nethernet0.addressType = "generated"\r\nethernet0.generatedAddressOffset = "0"\r\n',
    );
    expect(rewrite('vmx', text, [edit(a, 'set', macFromNumber(0x005056010203))])).toBe(
      'ethernet0.present = "TRUE"\r\nethernet0.addressType = "static"\r\nethernet0.generatedAddress = "00:0c:29:aa:bb:cc"\r\nethernet0.address = "00:50:56:01:02:03"\r\nethernet0.generatedAddressOffset = "0"\r\n',
    );
  });
});

describe('Proxmox', () => {
  const arb = fc
    .record({
      eol: eolArb,
      nets: fc.array(
        fc.record({ mac: macArb, up: caseArb, model: fc.constantFrom('virtio', 'e1000', 'macaddr') }),
        { minLength: 1, maxLength: 4 },
      ),
      snapshot: fc.boolean(),
    })
    .map(({ eol, nets, snapshot }) => {
      const net = nets.map(
        (n, i) => `net${i}: ${n.model}=${written(n.mac, 'colon', n.up)},bridge=vmbr${i},firewall=1`,
      );
      const lines = ['boot: order=scsi0', 'name: vm', ...net, 'ostype: l26'];
      if (snapshot) lines.push('', '[snap1]', ...net, 'snaptime: 1');
      return lines.join(eol) + eol;
    });
  it('static edits touch only the MAC of the current configuration', () => {
    fc.assert(
      fc.property(
        arb,
        fc.array(fc.tuple(fc.nat(), macArb), { minLength: 1, maxLength: 3 }),
        (text, picks) => {
          checkStatic('proxmox', text, picks);
          const a = PARSERS.proxmox(text, { file: 'g' }).adapters[0]!;
          const after = rewrite('proxmox', text, [edit(a, 'set', picks[0]![1])]);
          const section = text.indexOf('[snap1]');
          if (section >= 0) expect(after.slice(section)).toBe(text.slice(section));
        },
      ),
      { numRuns: 200, seed: 1131 },
    );
  });
  it('has no dynamic setting', () => {
    const text = 'net0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n';
    const a = PARSERS.proxmox(text, { file: 'g' }).adapters[0]!;
    expect(() => rewrite('proxmox', text, [edit(a, 'dynamic')])).toThrow(/no dynamic MAC setting/);
  });
});

describe('libvirt XML', () => {
  const arb = fc
    .record({
      eol: eolArb,
      quote: fc.constantFrom("'", '"'),
      ifaces: fc.array(fc.record({ mac: macArb, up: caseArb, typeFirst: fc.boolean() }), {
        minLength: 1,
        maxLength: 4,
      }),
    })
    .map(({ eol, quote: q, ifaces }) => {
      const lines = ['<domain type=' + q + 'kvm' + q + '>', '  <name>g</name>', '  <devices>'];
      ifaces.forEach((f, i) => {
        const addr = `address=${q}${written(f.mac, 'colon', f.up)}${q}`;
        lines.push(`    <interface type=${q}bridge${q}>`);
        lines.push(f.typeFirst ? `      <mac type=${q}static${q} ${addr}/>` : `      <mac ${addr}/>`);
        lines.push(`      <source bridge=${q}br${i}${q}/>`, '    </interface>');
      });
      lines.push('  </devices>', '</domain>');
      return { text: lines.join(eol) + eol, eol };
    });
  it('static edits touch only the attribute value; dynamic removes the <mac> line alone', () => {
    fc.assert(
      fc.property(
        arb,
        fc.array(fc.tuple(fc.nat(), macArb), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (g, picks, k) => {
          const adapters = PARSERS['libvirt-xml'](g.text, { file: 'g' }).adapters;
          checkStatic('libvirt-xml', g.text, picks);
          const a = adapters[k % adapters.length]!;
          const after = rewrite('libvirt-xml', g.text, [edit(a, 'dynamic')]);
          const lines = g.text.split(g.eol);
          const macLine = lines.findIndex((l) => l.includes(a.macText!) && l.includes('<mac'));
          expect(after).toBe([...lines.slice(0, macLine), ...lines.slice(macLine + 1)].join(g.eol));
          expect(
            PARSERS['libvirt-xml'](after, { file: 'g' }).adapters.find((b) => b.adapter === a.adapter)!.mac,
          ).toBeNull();
        },
      ),
      { numRuns: 200, seed: 1132 },
    );
  });
});

describe('.vmc in every encoding', () => {
  const encode = (text: string, enc: 'utf-16le' | 'utf-16be' | 'utf-8', bom: boolean): Uint8Array => {
    if (enc === 'utf-8')
      return Buffer.concat([
        bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
        Buffer.from(text, 'utf8'),
      ]);
    const le = Buffer.from(text, 'utf16le');
    if (enc === 'utf-16be') for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    const mark = enc === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
    return Buffer.concat([bom ? Buffer.from(mark) : Buffer.alloc(0), le]);
  };
  it('static and dynamic edits keep the encoding and BOM and every other character', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('utf-16le', 'utf-16be', 'utf-8' as const),
        fc.boolean(),
        eolArb,
        macArb,
        macArb,
        fc.boolean(),
        (enc, bomIn, eol, mac, fresh, dynamic) => {
          // BOM-less UTF-16 is recognised by the zero bytes of `<?`: always start with the declaration.
          const bom = enc === 'utf-8' ? bomIn : bomIn || true;
          const text = [
            `<?xml version="1.0" encoding="UTF-16"?>`,
            '<preferences><hardware><pci_bus><ethernet_adapter>',
            '<ethernet_controller id="0"><virtual_network><name>Ext ünïcode</name></virtual_network>',
            `<ethernet_card_address type="bytes">${formatMac(mac, 'bare')}</ethernet_card_address>`,
            '</ethernet_controller></ethernet_adapter></pci_bus></hardware></preferences>',
          ].join(eol);
          const bytes = encode(text, enc, bom);
          const decoded = decodeText(bytes)!;
          expect(decoded.encoding).toBe(enc);
          const a = PARSERS.vmc(decoded.text, { file: 'g.vmc' }).adapters[0]!;
          const e = dynamic ? edit(a, 'dynamic') : edit(a, 'set', fresh);
          const out = spliceBytes(bytes, decoded, replacementsFor('vmc', decoded.text, [e]));
          const want = text.replace(formatMac(mac, 'bare'), dynamic ? '' : formatMac(fresh, 'bare'));
          expect(Buffer.from(out).equals(Buffer.from(encode(want, enc, bom)))).toBe(true);
        },
      ),
      { numRuns: 200, seed: 1133 },
    );
  });
});

describe('OVF and VirtualBox', () => {
  it('dynamic removes an OVF item address; the embedded VirtualBox machine and .vbox have no dynamic setting', () => {
    const ovf =
      '<Envelope xmlns:rasd="r"><VirtualSystem id="v"><Name>v</Name><VirtualHardwareSection>\n' +
      '  <Item>\n    <rasd:Address>00:50:56:02:00:01</rasd:Address>\n    <rasd:Connection>VM Network</rasd:Connection>\n' +
      '    <rasd:ResourceType>10</rasd:ResourceType>\n  </Item>\n</VirtualHardwareSection></VirtualSystem></Envelope>\n';
    const a = PARSERS.ovf(ovf, { file: 'g.ovf' }).adapters[0]!;
    expect(rewrite('ovf', ovf, [edit(a, 'dynamic')])).toBe(
      ovf.replace('    <rasd:Address>00:50:56:02:00:01</rasd:Address>\n', ''),
    );
    const vbox =
      '<VirtualBox><Machine name="m"><Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001"><NAT/></Adapter></Network></Hardware></Machine></VirtualBox>';
    const b = PARSERS.vbox(vbox, { file: 'g.vbox' }).adapters[0]!;
    expect(rewrite('vbox', vbox, [edit(b, 'set', macFromNumber(0x0a0000000001))])).toBe(
      vbox.replace('080027000001', '0A0000000001'),
    );
    expect(() => rewrite('vbox', vbox, [edit(b, 'dynamic')])).toThrow(/no dynamic MAC setting/);
  });
  it('a span that no longer holds the MAC is refused as a changed file', () => {
    const text = 'net0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n';
    expect(() =>
      rewrite('proxmox', text, [
        { kind: 'set', adapter: 'net0', offset: 3, length: 17, mac: macFromNumber(1) },
      ]),
    ).toThrow(expect.objectContaining({ code: 'STALE_FILE' }));
  });
});
