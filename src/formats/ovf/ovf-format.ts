/**
 * OVF descriptors: Ethernet items (ResourceType 10) of each virtual system, with `rasd:Connection` and a
 * MAC in `rasd:Address` (DMTF) or `rasd:MACAddress` (oVirt) when present, and OVF 2.x (DMTF DSP0243
 * 2.x) `<EthernetPortItem>` elements, whose `epasd:Address` and `epasd:Connection` say the same. When a VirtualBox machine is
 * embedded (`vbox:Machine`), it is the complete description of the same adapters (with MACs), so it is
 * read instead of the generic items.
 */
import type { FormatContext } from '../format-context.js';
import { baseName } from '../text-position.js';
import type { AdapterRecord, ParseOptions, ParseResult } from '../types.js';
import { readVboxMachine } from '../vbox/vbox-machine.js';
import { locateMac, parseXmlFormat } from '../xml-adapter.js';
import { child, findAll, type XmlElement } from '../xml-document.js';

/** Parse an OVF descriptor. */
export function parseOvf(text: string, options?: ParseOptions): ParseResult {
  return parseXmlFormat(text, options, (ctx, roots) => {
    const adapters: AdapterRecord[] = [];
    const envelope = findAll(roots, 'Envelope')[0];
    if (!envelope) {
      ctx.issue('PARSE_ERROR', 'no <Envelope> element: not an OVF descriptor', 0);
      return adapters;
    }
    // DMTF OVF: VirtualSystem elements; oVirt OVF: Content elements of xsi:type VirtualSystem_Type.
    const systems = [...findAll([envelope], 'VirtualSystem'), ...findAll([envelope], 'Content')];
    for (const system of systems) {
      const vm = child(system, 'Name')?.text || system.attrs['id'] || baseName(ctx.file) || '(unnamed VM)';
      const machine = findAll(system.children, 'Machine')[0];
      if (machine) {
        adapters.push(...readVboxMachine(ctx, machine, vm));
        continue;
      }
      // Items and EthernetPortItems in document order: an EthernetPortItem is an Ethernet port by its
      // element name (DSP0243 2.x, CIM_EthernetPortAllocationSettingData), whatever its ResourceType says.
      const ports = findAll(system.children, 'EthernetPortItem');
      const items = findAll(system.children, 'Item').filter((i) => child(i, 'ResourceType')?.text === '10');
      for (const item of [...items, ...ports].sort((a, b) => a.start - b.start))
        adapters.push(readItem(ctx, vm, item));
    }
    return adapters;
  });
}

function readItem(ctx: FormatContext, vm: string, item: XmlElement): AdapterRecord {
  const macEl = child(item, 'MACAddress') ?? child(item, 'Address');
  const name =
    child(item, 'ElementName')?.text ||
    child(item, 'Name')?.text ||
    child(item, 'InstanceID')?.text ||
    'Ethernet';
  const located = locateMac(ctx, macEl, undefined, item, `${name} MAC address`);
  const network = child(item, 'Connection')?.text || null;
  return {
    file: ctx.file,
    ...located,
    vm,
    adapter: name,
    // An OVF that names a MAC asks for that MAC; without one, the importing hypervisor generates it.
    mode: located.mac === null ? 'dynamic' : 'static',
    network,
    hostPrivate: network === 'NAT',
    hypervisor: 'ovf',
    host: null,
    enabled: true,
  };
}
