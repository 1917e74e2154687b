/**
 * A VirtualBox `<Machine>` element (in a `.vbox` file or embedded in an OVF's `vbox:Machine`):
 * `Hardware/Network/Adapter slot= enabled= MACAddress=` with one attachment child. Disabled adapters are
 * reported with enabled=false, so they never count as live duplicates.
 */
import type { FormatContext } from '../format-context.js';
import type { AdapterRecord } from '../types.js';
import { locateMac } from '../xml-adapter.js';
import { child, childrenNamed, type XmlElement } from '../xml-document.js';

// Attachment element → is the network private to the host? (NAT, host-only, internal and NAT networks are.)
const ATTACHMENTS: Readonly<Record<string, boolean>> = {
  NAT: true,
  NATNetwork: true,
  HostOnlyInterface: true,
  HostOnlyNetwork: true,
  InternalNetwork: true,
  BridgedInterface: false,
  GenericInterface: false,
  CloudNetwork: false,
};

export function readVboxMachine(
  ctx: FormatContext,
  machine: XmlElement,
  fallbackName: string,
): AdapterRecord[] {
  const vm = machine.attrs['name'] || fallbackName;
  const hardware = child(machine, 'Hardware');
  const out: AdapterRecord[] = [];
  for (const network of hardware ? childrenNamed(hardware, 'Network') : []) {
    for (const adapter of childrenNamed(network, 'Adapter')) {
      const slot = adapter.attrs['slot'] ?? '?';
      const located = locateMac(ctx, adapter, 'MACAddress', adapter, `Adapter slot ${slot} MACAddress`);
      const attachment = adapter.children.find((c) => c.name in ATTACHMENTS);
      let net: string | null = null;
      if (attachment) net = attachment.name === 'NAT' ? 'NAT' : (attachment.attrs['name'] ?? attachment.name);
      out.push({
        file: ctx.file,
        ...located,
        vm,
        adapter: `slot ${slot}`,
        // VirtualBox stores the MAC it generated at creation and keeps it: the file pins it.
        mode: located.mac === null ? 'dynamic' : 'static',
        network: net,
        hostPrivate: attachment ? ATTACHMENTS[attachment.name]! : false,
        hypervisor: 'virtualbox',
        host: null,
        // VirtualBox's default for an Adapter without the attribute is disabled.
        enabled: adapter.attrs['enabled'] === 'true',
      });
    }
  }
  return out;
}
