/**
 * Microsoft Virtual Server 2005 / Virtual PC `.vmc` (XML, UTF-16 with a BOM on disk; decode first):
 * `preferences/hardware/pci_bus/ethernet_adapter/ethernet_controller id="N"` with `virtual_network/name`
 * (and `id`) and `ethernet_card_address type="bytes"` (12 hex digits). An empty address means
 * "regenerate at next start": a dynamic adapter with no MAC yet.
 */
import { classifyMac } from '../../mac/index.js';
import type { FormatContext } from '../format-context.js';
import { baseName } from '../text-position.js';
import type { AdapterRecord, MacMode, ParseOptions, ParseResult } from '../types.js';
import { locateMac, parseXmlFormat } from '../xml-adapter.js';
import { child, findAll, type XmlElement } from '../xml-document.js';

/** Parse a .vmc document (already decoded to text). */
export function parseVmc(text: string, options?: ParseOptions): ParseResult {
  return parseXmlFormat(text, options, readVmc);
}

function readVmc(ctx: FormatContext, roots: XmlElement[]): AdapterRecord[] {
  const adapters: AdapterRecord[] = [];
  const prefs = findAll(roots, 'preferences')[0];
  if (!prefs) {
    ctx.issue('PARSE_ERROR', 'no <preferences> element: not a Virtual Server / Virtual PC .vmc file', 0);
    return adapters;
  }
  // The .vmc does not name its VM: Virtual Server names it after the file.
  const vm = baseName(ctx.file) || '(unnamed VM)';
  const hardware = child(prefs, 'hardware');
  const pci = hardware && child(hardware, 'pci_bus');
  for (const controller of pci ? findAll(pci.children, 'ethernet_controller') : []) {
    const id = controller.attrs['id'] ?? '?';
    const addrEl = child(controller, 'ethernet_card_address');
    const located = locateMac(
      ctx,
      addrEl,
      undefined,
      controller,
      `ethernet_controller ${id} ethernet_card_address`,
    );
    const vnet = child(controller, 'virtual_network');
    const name = (vnet && child(vnet, 'name')?.text) || null;
    let mode: MacMode = 'dynamic';
    // The file has no static flag: an address inside Virtual Server's own 00-03-FF scheme was generated
    // by it; any other address was typed in by an administrator.
    if (located.mac !== null)
      mode = classifyMac(located.mac).kind === 'virtual-server' ? 'dynamic' : 'static';
    adapters.push({
      file: ctx.file,
      ...located,
      vm,
      adapter: `ethernet_controller ${id}`,
      mode,
      network: name,
      // "Internal Network" connects only the VMs of one host.
      hostPrivate: name !== null && /^internal network$/i.test(name),
      hypervisor: 'virtual-server',
      host: null,
      enabled: true,
    });
  }
  return adapters;
}
