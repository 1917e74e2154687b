/**
 * VMware's MAC schemes (vSphere Networking, "MAC Address Management"):
 *
 * - Host-generated (ESXi without vCenter, Workstation, Server): 00-0C-29 + the last three bytes of the VM's
 *   BIOS UUID (`uuid.bios`, itself a hash of the physical host's UUID and the .vmx path), plus the
 *   adapter's `ethernetN.generatedAddressOffset` (decimal; 0, 10, 20, ... for ethernet0, 1, 2, ...). Real
 *   .vmx files agree: uuid.bios ending `59 7e 49` gives ethernet0 00:0c:29:59:7e:49 and ethernet1 (offset
 *   10) 00:0c:29:59:7e:53. The offset is added to the 24-bit value; what VMware does when octet 6
 *   overflows is not documented, and macfleet carries into octets 5 and 4 (wrapping within 00-0C-29).
 * - vCenter "VMware OUI" allocation (the default): 00-50-56-XX-YY-ZZ, XX = 0x80 + the vCenter instance id
 *   (0..63), YY-ZZ random; vCenter checks its own assignments, so one instance never repeats itself, but two
 *   instances with the same id draw from the same 65,536 addresses.
 * - vCenter prefix-based (`config.vpxd.macAllocScheme.prefixScheme.prefix` / `prefixLength`, e.g.
 *   005026 / 23 → 00:50:26:00:00:00..00:50:27:ff:ff:ff) and range-based
 *   (`rangeScheme.range[X].begin` / `end`; vCenter allocates from the first range with addresses left).
 * - Static (manual) addresses: 00-50-56-00-00-00..00-50-56-3F-FF-FF.
 */
import { MacfleetError } from '../errors.js';
import {
  formatMac,
  macFromNumber,
  macRange,
  prefixRange,
  VCENTER_RANGE,
  VMWARE_GENERATED_OUI,
  VMWARE_STATIC_RANGE,
  type Mac,
  type MacRange,
} from '../mac/index.js';
import { rangeSet } from './address-set.js';
import type { Scheme } from './scheme.js';

export { VMWARE_GENERATED_OUI, VMWARE_OUI, VMWARE_STATIC_RANGE } from '../mac/index.js';
/** Offsets VMware writes for ethernetN when it generates the address: 10 per adapter. */
export const VMWARE_OFFSET_STEP = 10;
export const VCENTER_MAX_INSTANCE_ID = 63;

const TWO24 = 0x100_0000;

/**
 * Parse a BIOS UUID as .vmx files write it (`56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49`) or in
 * the usual 8-4-4-4-12 form; 32 hex digits, spaces and hyphens ignored. Returns its 16 bytes.
 */
export function parseBiosUuid(text: string): Uint8Array {
  const hex = text.replace(/[\s-]/g, '');
  const bad = hex.search(/[^0-9a-fA-F]/);
  if (bad >= 0 || hex.length !== 32) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      bad >= 0
        ? `invalid BIOS UUID ${JSON.stringify(text)}: ${JSON.stringify(hex[bad])} is not a hex digit`
        : `invalid BIOS UUID ${JSON.stringify(text)}: ${hex.length} hex digits, expected 32 (as in uuid.bios = "56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49")`,
      { location: { field: 'uuid' } },
    );
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The default generatedAddressOffset of ethernetN: 10 * N. */
export const vmwareDefaultOffset = (adapterIndex: number): number => adapterIndex * VMWARE_OFFSET_STEP;

/**
 * The host-generated MAC of an adapter: 00-0C-29 + (last three UUID bytes + offset) mod 2^24.
 * @example vmwareGeneratedMac(parseBiosUuid('56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49'), 10) → 00:0c:29:59:7e:53
 */
export function vmwareGeneratedMac(uuid: Uint8Array, offset = 0): Mac {
  if (uuid.length !== 16)
    throw new MacfleetError('INVALID_ARGUMENT', `a BIOS UUID has 16 bytes, got ${uuid.length}`);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `generatedAddressOffset must be a non-negative integer, got ${offset}`,
      {
        location: { field: 'offset' },
      },
    );
  }
  const low = (uuid[13]! << 16) | (uuid[14]! << 8) | uuid[15]!;
  return macFromNumber(VMWARE_GENERATED_OUI * TWO24 + ((low + offset) % TWO24));
}

/** The whole host-generated space 00:0c:29:00:00:00..ff:ff:ff. */
export const VMWARE_GENERATED_RANGE: MacRange = prefixRange(macFromNumber(VMWARE_GENERATED_OUI * TWO24), 24);

/** Host-generated: derived from a hash, so across VMs it behaves like 24 random bits. */
export function vmwareGeneratedScheme(): Scheme {
  return {
    name: 'vmware-generated',
    kind: 'derived',
    description:
      '00-0C-29 + last three bytes of the VM BIOS UUID (a hash of host UUID and .vmx path) + adapter offset',
    sets: [rangeSet(VMWARE_GENERATED_RANGE)],
    randomBits: 24,
  };
}

function checkInstanceId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > VCENTER_MAX_INSTANCE_ID) {
    throw new MacfleetError('INVALID_ARGUMENT', `vCenter instance id must be 0..63, got ${id}`, {
      location: { field: 'instanceId' },
    });
  }
}

/** The 65,536 addresses of vCenter instance `id` under VMware OUI allocation: 00:50:56:(80+id):00:00..ff:ff. */
export function vcenterOuiRange(id: number): MacRange {
  checkInstanceId(id);
  const start = VCENTER_RANGE.start + id * 0x1_0000;
  return { start: macFromNumber(start), end: macFromNumber(start + 0xffff) };
}

export function vcenterOuiScheme(id: number): Scheme {
  return {
    name: 'vmware-vcenter',
    kind: 'random',
    description: `00-50-56-${(0x80 + id).toString(16).toUpperCase()}-YY-ZZ: vCenter instance id ${id}, 16 random bits, checked against this vCenter's own assignments`,
    sets: [rangeSet(vcenterOuiRange(id))],
    randomBits: 16,
    distinctBeforeRepeat: 0x1_0000,
  };
}

/**
 * vCenter prefix-based allocation: `prefix` as vpxd.cfg writes it (hex digits, e.g. 005026) and
 * `prefixLength` in bits. @example vcenterPrefixRange('005026', 23) → 00:50:26:00:00:00-00:50:27:ff:ff:ff
 */
export function vcenterPrefixRange(prefix: string, prefixLength: number): MacRange {
  const hex = prefix.replace(/[:\-.\s]/g, '');
  if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid vCenter MAC prefix ${JSON.stringify(prefix)}: expected up to 12 hex digits such as 005026`,
      {
        location: { field: 'prefix' },
      },
    );
  }
  if (!Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > hex.length * 4) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `prefixLength must be 1..${hex.length * 4} for the ${hex.length * 4}-bit prefix ${hex}, got ${prefixLength}`,
      { location: { field: 'prefixLength' } },
    );
  }
  const base = parseInt(hex, 16) * 2 ** (48 - hex.length * 4);
  return prefixRange(macFromNumber(base), prefixLength);
}

/**
 * vCenter prefix- or range-based allocation over one or more ranges, checked by vCenter for conflicts
 * with its own assignments. Which address of a range vCenter hands out next is its generation
 * algorithm's and is not documented (vSphere Networking, "Prefix-Based MAC Address Allocation" and
 * "Range-Based MAC Address Allocation" say only which ranges are used), so the model does not assume an
 * order: to the collision predictor it draws from its ranges like a random scheme that never repeats
 * itself, and an overlap with another vCenter's ranges is `possible`, with odds — not a certain clash.
 */
export function vcenterRangesScheme(ranges: readonly MacRange[], how: 'prefix' | 'range'): Scheme {
  const checked = ranges.map((r) => macRange(r.start, r.end));
  const total = checked.reduce((s, r) => s + (r.end - r.start + 1), 0);
  return {
    name: 'vmware-vcenter',
    kind: 'random',
    description:
      how === 'prefix'
        ? `vCenter prefix-based allocation in ${checked.map((r) => `${formatMac(r.start)}-${formatMac(r.end)}`).join(', ')} (order undocumented)`
        : `vCenter range-based allocation from the first range with addresses left (${total} addresses, order undocumented)`,
    sets: checked.map(rangeSet),
    randomBits: Math.log2(total),
    distinctBeforeRepeat: Infinity,
  };
}

export function vmwareStaticScheme(): Scheme {
  return {
    name: 'vmware-static',
    kind: 'pool',
    description:
      'VMware static (manually assigned) range 00-50-56-00-00-00..00-50-56-3F-FF-FF: chosen by the administrator',
    sets: [rangeSet(VMWARE_STATIC_RANGE)],
    randomBits: 0,
  };
}
