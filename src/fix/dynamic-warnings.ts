/**
 * With `--dynamic`, the hypervisor picks the next MAC by its own scheme, and some schemes hand the same
 * duplicate back. From the models in src/schemes:
 * - VMware generates 00:0c:29 + the last three bytes of `uuid.bios` + the adapter's offset: a VM copied
 *   with its uuid.bios (answered "I moved it") generates exactly the address the original has.
 * - Virtual Server draws 00:03:ff:xx:yy:zz from a host NIC ending yy-zz: hosts whose NICs end alike draw
 *   from the same 256 addresses.
 * - Hyper-V draws from 00:15:5d:XX:YY:00-ff, XX-YY from the host's IPv4 address at install time: hosts
 *   sharing that pool hand out the same addresses.
 */
import type { AdapterRecord } from '../formats/types.js';
import { vmxValue } from '../formats/vmx/vmx-rewrite.js';
import { formatMac, type Mac } from '../mac/index.js';
import {
  HYPER_V_OUI,
  octet4Set,
  parseBiosUuid,
  setContains,
  VIRTUAL_SERVER_OUI,
  vmwareDefaultOffset,
  vmwareGeneratedMac,
} from '../schemes/index.js';
import type { FixTarget, PlanFileInput } from './select-changes.js';

const TWO24 = 0x100_0000;
const where = (a: AdapterRecord): string =>
  `${a.file}:${a.line} (${a.vm} ${a.adapter}${a.host ? `, host ${a.host}` : ''})`;
const differentHost = (a: AdapterRecord, b: AdapterRecord): boolean =>
  a.host !== null && b.host !== null ? a.host !== b.host : a.file !== b.file;

/** The MAC VMware will generate for a target once its address is dropped, when the file says enough. */
function vmwareNext(t: FixTarget, text: string): Mac | undefined {
  const uuid = vmxValue(text, 'uuid.bios');
  if (uuid === undefined) return undefined;
  const n = Number(/\d+$/.exec(t.record.adapter)?.[0] ?? 0);
  const offsetText = vmxValue(text, `${t.record.adapter}.generatedAddressOffset`);
  const offset =
    offsetText !== undefined && /^\d+$/.test(offsetText) ? Number(offsetText) : vmwareDefaultOffset(n);
  try {
    return vmwareGeneratedMac(parseBiosUuid(uuid), offset);
  } catch {
    return undefined;
  }
}

/** Warnings for the dynamic changes among `targets`; `adapters` is every adapter scanned. */
export function dynamicWarnings(
  targets: readonly FixTarget[],
  adapters: readonly AdapterRecord[],
  files: ReadonlyMap<string, PlanFileInput>,
): string[] {
  const out: string[] = [];
  if (!targets.some((t) => t.action === 'dynamic')) return out;
  const byMac = new Map<number, AdapterRecord[]>();
  for (const a of adapters) {
    if (a.mac === null || !a.enabled) continue;
    const list = byMac.get(a.mac);
    if (list) list.push(a);
    else byMac.set(a.mac, [a]);
  }
  const predicted = new Map<number, FixTarget>();
  for (const t of targets) {
    if (t.action !== 'dynamic') continue;
    const r = t.record;
    const mac = r.mac!;
    if (t.format === 'vmx') {
      const next = vmwareNext(t, files.get(r.file)?.text ?? '');
      if (next === undefined) continue;
      const users = (byMac.get(next) ?? []).filter((a) => a !== r);
      const twin = predicted.get(next);
      if (users.length > 0 || twin !== undefined) {
        const other = users[0] ?? twin!.record;
        out.push(
          `${where(r)}: VMware will generate ${formatMac(next)} from its uuid.bios, which ${where(other)} already has ` +
            '(the same uuid.bios: a copy kept its identity); give it a pool MAC, or a new uuid.bios ("I copied it")',
        );
      }
      predicted.set(next, t);
    } else if (t.format === 'vmc' && Math.floor(mac / TWO24) === VIRTUAL_SERVER_OUI) {
      const low16 = mac % 0x1_0000;
      const set = octet4Set(VIRTUAL_SERVER_OUI, low16);
      const other = adapters.find(
        (a) =>
          a !== r &&
          a.mac !== null &&
          a.hypervisor === 'virtual-server' &&
          differentHost(a, r) &&
          setContains(set, a.mac),
      );
      if (other !== undefined)
        out.push(
          `${where(r)}: Virtual Server draws dynamic MACs 00:03:ff:xx:${formatMac(mac).slice(12)} from a host NIC ending ` +
            `${formatMac(mac, 'hyphen').slice(12)}, and so does the host of ${where(other)}: a dynamic MAC can come back ` +
            'as the same duplicate; give one host NIC a different ending, or use a pool MAC',
        );
    } else if (
      (t.format === 'hyperv-json' || t.format === 'hyperv-csv') &&
      Math.floor(mac / TWO24) === HYPER_V_OUI
    ) {
      const poolBase = mac - (mac % 0x100);
      const other = adapters.find(
        (a) =>
          a !== r &&
          a.mac !== null &&
          a.hypervisor === 'hyper-v' &&
          differentHost(a, r) &&
          a.mac - (a.mac % 0x100) === poolBase,
      );
      if (other !== undefined)
        out.push(
          `${where(r)}: Hyper-V hands out dynamic MACs from ${formatMac(poolBase as Mac)}-${formatMac((poolBase + 0xff) as Mac).slice(15)}, ` +
            `the pool the host of ${where(other)} uses too (hosts whose IPv4 addresses end alike): a dynamic MAC can ` +
            'come back as the same duplicate; set a distinct MAC address range per host, or use a pool MAC',
        );
    }
  }
  return out;
}
