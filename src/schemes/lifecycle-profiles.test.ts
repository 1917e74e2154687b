// Every entry of every lifecycle profile, checked against the vendor source it names. The expected
// values are written here from the sources (quoted in lifecycle-profiles.ts), not read from the code.
import { describe, expect, it } from 'vitest';
import { parseMac } from '../mac/index.js';
import {
  LIFECYCLE_HYPERVISORS,
  profileOf,
  sameHostDuplicateBlocks,
  versionAtLeast,
  type LifecycleHypervisor,
  type MacOutcome,
  type SameHostDuplicateStart,
} from './lifecycle-profiles.js';

interface Expected {
  readonly start: SameHostDuplicateStart;
  readonly blocks: boolean;
  readonly dynamicReplacedOnConflict: boolean;
  readonly dynamicAssigned: 'create' | 'first-start';
  readonly outsideRange: boolean;
  readonly move: [MacOutcome, MacOutcome];
  readonly copy: [MacOutcome, MacOutcome];
  readonly restore: [MacOutcome, MacOutcome];
  /** A word every source list must contain (the document the entry comes from). */
  readonly source: readonly string[];
}

// [dynamic, static] for move / copy / restore.
const EXPECTED: Record<LifecycleHypervisor, Expected> = {
  // Resource Kit ch. 11: "errors are generated when you ... start two virtual machines with identical
  // static MAC addresses on the same Virtual Server host and virtual network"; the product material:
  // a dynamic MAC is allocated at create, at register, and on a detected conflict.
  'virtual-server': {
    start: 'refuse',
    blocks: true,
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['new', 'keep'],
    copy: ['new', 'keep'],
    restore: ['keep', 'keep'],
    source: ['Resource Kit, ch. 11', 'PRODUCT.md'],
  },
  // VMSMP event 28 (KB 968703): the second port "was prevented from using MAC address"; KB 2804678: an
  // exhausted pool fails the power-on, so the MAC is taken at power-on; Event 12560: a copied VM with a
  // dynamic MAC gets a new, unused one.
  'hyper-v': {
    start: 'disconnect-port',
    blocks: true,
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'first-start',
    outsideRange: true,
    move: ['keep', 'keep'],
    copy: ['unassigned', 'keep'],
    restore: ['keep', 'keep'],
    source: ['KB 968703', 'Event ID 12560', 'KB 2804678'],
  },
  // vSphere Troubleshooting: "powers on and functions properly, but shares a MAC address"; host-generated
  // MACs of running VMs "are tracked for conflicts"; "I Copied It" regenerates, "I moved it" keeps.
  vmware: {
    start: 'share',
    blocks: false,
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['keep', 'keep'],
    copy: ['new', 'keep'],
    restore: ['keep', 'keep'],
    source: ['vSphere Troubleshooting', 'I Copied It', '6.5.1'],
  },
  // cockpit-machines PR 1374: "libvirt itself does not check that"; a copied domain XML keeps its MACs.
  kvm: {
    start: 'no-check',
    blocks: false,
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['keep', 'keep'],
    copy: ['keep', 'keep'],
    restore: ['keep', 'keep'],
    source: ['cockpit-machines PR 1374', '0xFE'],
  },
  // xen-orchestra #5601: the check had to be added outside XAPI; xl configs carry their MACs.
  xen: {
    start: 'no-check',
    blocks: false,
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['keep', 'keep'],
    copy: ['keep', 'keep'],
    restore: ['keep', 'keep'],
    source: ['xen-orchestra issue 5601', 'xapi_vif_helpers.ml'],
  },
  // CloneOptions KeepAllMACs: without it a clone gets new MACs on every adapter.
  virtualbox: {
    start: 'no-check',
    blocks: false,
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['keep', 'keep'],
    copy: ['new', 'new'],
    restore: ['keep', 'keep'],
    source: ['KeepAllMACs'],
  },
  // qemu-server clone_vm: "# always change MAC! address"; restore replaces MACs only with --unique.
  proxmox: {
    start: 'no-check',
    blocks: false,
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    outsideRange: false,
    move: ['keep', 'keep'],
    copy: ['new', 'new'],
    restore: ['keep', 'keep'],
    source: ['always change MAC! address', '--unique', 'f40a6d9'],
  },
};

describe('lifecycle profiles, one per hypervisor, each with its source', () => {
  it('covers every hypervisor the fleet models', () => {
    expect([...LIFECYCLE_HYPERVISORS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const h of LIFECYCLE_HYPERVISORS) {
    const e = EXPECTED[h];
    describe(`${h} (sources: ${e.source.join('; ')})`, () => {
      const p = profileOf(h);
      it('names its sources', () => {
        for (const s of e.source) expect(p.sources.join('\n')).toContain(s);
      });
      it(`start with a same-host same-network duplicate: ${e.start}`, () => {
        expect(p.sameHostDuplicateStart).toBe(e.start);
        expect(sameHostDuplicateBlocks(h)).toBe(e.blocks);
        expect(p.duplicateConsequence.length).toBeGreaterThan(20);
      });
      it(`dynamic MACs: assigned at ${e.dynamicAssigned}, replaced on a conflict: ${e.dynamicReplacedOnConflict}`, () => {
        expect(p.dynamicAssigned).toBe(e.dynamicAssigned);
        expect(p.dynamicReplacedOnConflict).toBe(e.dynamicReplacedOnConflict);
        expect(p.dynamicReplacedOutsideRange).toBe(e.outsideRange);
      });
      it(`move ${e.move.join('/')}, copy ${e.copy.join('/')}, restore ${e.restore.join('/')} (dynamic/static)`, () => {
        expect([p.move.dynamic, p.move.static]).toEqual(e.move);
        expect([p.copy.dynamic, p.copy.static]).toEqual(e.copy);
        expect([p.restore.dynamic, p.restore.static]).toEqual(e.restore);
      });
      it('refuses multicast, broadcast and all-zero static MACs (IEEE 802: a station address is unicast)', () => {
        for (const bad of ['01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00'])
          expect(p.acceptsStatic(parseMac(bad), null).ok).toBe(false);
      });
    });
  }
});

describe('static MACs by version and hypervisor', () => {
  const vmware = profileOf('vmware');
  const outside = parseMac('02:00:00:00:00:01');
  it('VMware: inside 00:50:56:00-3f always; outside refused before 6.5, accepted from 6.5 (vSphere Networking 6.0 / 6.5.1)', () => {
    expect(vmware.acceptsStatic(parseMac('00:50:56:3f:ff:ff'), '5.5').ok).toBe(true);
    expect(vmware.acceptsStatic(outside, '6.0').ok).toBe(false);
    expect(vmware.acceptsStatic(outside, '6.0 U3').ok).toBe(false);
    expect(vmware.acceptsStatic(outside, '6.5').ok).toBe(true);
    expect(vmware.acceptsStatic(outside, '8.0 U2').ok).toBe(true);
    const unknown = vmware.acceptsStatic(outside, null);
    expect(unknown.ok).toBe('depends');
    expect(unknown.ok === 'depends' && unknown.rule).toContain('6.5');
  });
  it('KVM: libvirt refuses a first octet of 0xFE ("Unable to use MAC address starting with reserved value 0xFE")', () => {
    expect(profileOf('kvm').acceptsStatic(parseMac('fe:54:00:12:34:56'), null).ok).toBe(false);
    expect(profileOf('kvm').acceptsStatic(parseMac('fc:54:00:12:34:56'), null).ok).toBe(true);
    // Proxmox runs QEMU without libvirt: no such rule there.
    expect(profileOf('proxmox').acceptsStatic(parseMac('fe:54:00:12:34:56'), null).ok).toBe(true);
  });
  it('compares dotted versions numerically', () => {
    expect(versionAtLeast('6.10', '6.5')).toBe(true);
    expect(versionAtLeast('6.4.9', '6.5')).toBe(false);
    expect(versionAtLeast('7', '6.5')).toBe(true);
    expect(versionAtLeast('Windows', '6.5')).toBeUndefined();
  });
});
