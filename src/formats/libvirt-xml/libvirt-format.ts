/**
 * libvirt domain XML: `<interface type=...>` with `<mac address= [type=static|generated]>` and a
 * `<source network=|bridge=|dev=|path=...>` in any order. Domains may be wrapped (the test driver's
 * `<node>`); every `<domain>` in the document is read.
 */
import type { FormatContext } from '../format-context.js';
import { baseName } from '../text-position.js';
import type { AdapterRecord, MacMode, ParseOptions, ParseResult } from '../types.js';
import { locateMac, parseXmlFormat } from '../xml-adapter.js';
import { child, childrenNamed, findAll, type XmlElement } from '../xml-document.js';
import { LIBVIRT_USER_NETWORK } from './user-network.js';

/** Parse a libvirt domain XML document. */
export function parseLibvirtXml(text: string, options?: ParseOptions): ParseResult {
  return parseXmlFormat(text, options, (ctx, roots) => {
    const adapters: AdapterRecord[] = [];
    // A snapshot (`<domainsnapshot>`) embeds the domain as it was: history, not a second VM.
    const snapshots = findAll(roots, 'domainsnapshot');
    for (const snap of snapshots) {
      ctx.issue(
        'HISTORY_IGNORED',
        'libvirt snapshot metadata: the <domain> it embeds is history, not a running VM; not counted',
        snap.start,
        { severity: 'info' },
      );
    }
    // A VM definition's <domain> has a type (kvm, qemu, xen, test, ...); the <domain> of network XML
    // (`<domain name="example.com"/>`) or of domainCapabilities (`<domain>kvm</domain>`) is not a VM.
    const domains = findAll(
      roots.filter((r) => r.name !== 'domainsnapshot'),
      'domain',
    ).filter((d) => d.attrs['type'] !== undefined || child(d, 'devices') !== undefined);
    if (domains.length === 0 && snapshots.length === 0) {
      ctx.issue('PARSE_ERROR', 'no <domain> element: not a libvirt domain XML document', 0);
    }
    for (const domain of domains) {
      const vm = child(domain, 'name')?.text || baseName(ctx.file) || '(unnamed VM)';
      let index = 0;
      for (const dev of childrenNamed(domain, 'devices')) {
        for (const iface of childrenNamed(dev, 'interface'))
          adapters.push(readInterface(ctx, vm, iface, index++));
      }
    }
    return adapters;
  });
}

function readInterface(ctx: FormatContext, vm: string, iface: XmlElement, index: number): AdapterRecord {
  const type = iface.attrs['type'] ?? '';
  const macEl = child(iface, 'mac');
  const located = locateMac(ctx, macEl, 'address', iface, `interface ${index} <mac address>`);
  const macType = macEl?.attrs['type'];
  const mode: MacMode = macType === 'static' ? 'static' : macType === 'generated' ? 'dynamic' : 'unknown';
  const { network, hostPrivate } = networkOf(type, child(iface, 'source'));
  const link = child(iface, 'link')?.attrs['state'];
  void link; // a link state of "down" only unplugs the cable: the MAC stays configured.
  return {
    file: ctx.file,
    ...located,
    vm,
    adapter: `interface ${index} (${type || 'no type'})`,
    mode,
    network,
    hostPrivate,
    hypervisor: 'libvirt',
    host: null,
    enabled: true,
  };
}

function networkOf(
  type: string,
  source: XmlElement | undefined,
): { network: string | null; hostPrivate: boolean } {
  const a = source?.attrs ?? {};
  switch (type) {
    case 'network':
      // libvirt's stock `default` network is a NAT network private to each host.
      return { network: a['network'] ?? null, hostPrivate: a['network'] === 'default' };
    case 'bridge':
      return { network: a['bridge'] ?? null, hostPrivate: false };
    case 'direct':
      return { network: a['dev'] ?? null, hostPrivate: false };
    case 'vhostuser':
      return { network: a['path'] ?? null, hostPrivate: true };
    case 'user':
      return { network: LIBVIRT_USER_NETWORK, hostPrivate: true };
    case 'hostdev': {
      const addr = source === undefined ? undefined : child(source, 'address')?.attrs;
      if (addr?.['type'] === 'pci') {
        const h = (v: string | undefined, w: number) => (v ?? '0').replace(/^0x/i, '').padStart(w, '0');
        return {
          network: `PCI ${h(addr['domain'], 4)}:${h(addr['bus'], 2)}:${h(addr['slot'], 2)}.${h(addr['function'], 1)}`,
          hostPrivate: false,
        };
      }
      return { network: null, hostPrivate: false };
    }
    case 'server':
    case 'client':
    case 'mcast':
    case 'udp':
      return {
        network: `${type} ${a['address'] ?? ''}${a['address'] ? ':' : 'port '}${a['port'] ?? ''}`.trim(),
        hostPrivate: false,
      };
    default:
      return {
        network: a['network'] ?? a['bridge'] ?? a['dev'] ?? a['path'] ?? a['name'] ?? null,
        hostPrivate: false,
      };
  }
}
