/** The pure planner's rules: which findings are fixed, who keeps the MAC, quoting, and the plan reader. */
import { describe, expect, it } from 'vitest';
import type { Finding, FindingMember } from '../audit/index.js';
import { macFromNumber } from '../mac/index.js';
import { readFixPlan } from './plan-schema.js';
import { psQuote, setVmNetworkAdapter } from './powershell.js';
import { terminalSafe } from './render-plan.js';
import { chooseKeeper, isFixed } from './select-changes.js';

const member = (file: string, line = 1): FindingMember => ({
  file,
  line,
  column: 1,
  vm: file,
  host: null,
  network: 'n',
  adapter: 'a',
  mac: '00:50:56:00:00:01',
});
const dup = (scope: 'blocking' | 'conflicting' | 'latent', mac = '00:50:56:00:00:01'): Finding => ({
  kind: 'duplicate',
  scope,
  severity: 'error',
  mac,
  message: '',
  fix: '',
  members: [member('a'), member('b')],
});

describe('which findings are fixed', () => {
  it('blocking and conflicting by default, latent with scope latent, invalid always, NLB and overlaps never', () => {
    expect(['blocking', 'conflicting', 'latent'].map((s) => isFixed(dup(s as 'latent'), 'default'))).toEqual([
      true,
      true,
      false,
    ]);
    expect(isFixed(dup('latent'), 'latent')).toBe(true);
    expect(isFixed({ ...dup('blocking'), kind: 'invalid' }, 'default')).toBe(true);
    // 03:bf:... NLB multicast cluster MAC flagged invalid on an adapter, 02:bf:... unicast cluster MAC.
    expect(isFixed({ ...dup('blocking'), kind: 'invalid', mac: '03:bf:0a:00:00:32' }, 'default')).toBe(false);
    expect(isFixed(dup('blocking', '02:bf:0a:00:00:32'), 'latent')).toBe(false);
    expect(isFixed({ ...dup('blocking'), kind: 'range-overlap' }, 'latent')).toBe(false);
  });
});

describe('who keeps the MAC', () => {
  const members = [member('z/c.vmx'), member('a/b.vmx', 9), member('a/b.vmx', 3), member('m/x.vmx')];
  const mtimes: Record<string, number> = { 'z/c.vmx': 5, 'a/b.vmx': 7, 'm/x.vmx': 5 };
  it('first: path order, then line', () => {
    expect(chooseKeeper(members, { kind: 'first' }, () => 0)).toBe(members[2]);
  });
  it('oldest: the smallest mtime, ties in path order', () => {
    expect(chooseKeeper(members, { kind: 'oldest' }, (f) => mtimes[f]!)).toBe(members[3]);
  });
  it('glob: the matching member (oldest among several); none matching falls back to the oldest', () => {
    const z = { kind: 'glob' as const, glob: 'z/**', matches: (f: string) => f.startsWith('z/') };
    expect(chooseKeeper(members, z, (f) => mtimes[f]!)).toBe(members[0]);
    const none = { kind: 'glob' as const, glob: 'q/**', matches: () => false };
    expect(chooseKeeper(members, none, (f) => mtimes[f]!)).toBe(members[3]);
  });
});

describe('output made safe', () => {
  it('PowerShell single quotes are doubled, typographic ones too', () => {
    expect(psQuote("O'Brien's ‘vm’")).toBe("'O''Brien''s ‘‘vm’’'");
    expect(
      setVmNetworkAdapter({ vm: "a'b", adapter: 'NIC 1', host: null, mac: macFromNumber(0x00155d0a0001) }),
    ).toBe("Set-VMNetworkAdapter -VMName 'a''b' -Name 'NIC 1' -StaticMacAddress '00155D0A0001'");
    expect(setVmNetworkAdapter({ vm: '(management OS)', adapter: 'm', host: 'h', mac: null })).toBe(
      "Set-VMNetworkAdapter -ManagementOS -Name 'm' -ComputerName 'h' -DynamicMacAddress",
    );
  });
  it('terminal control characters are shown escaped', () => {
    expect(terminalSafe('a\u001b[31mb\u0007\tc\n\u009b')).toBe('a\\e[31mb\\x07\tc\n\\x9b');
  });
});

describe('reading a plan', () => {
  it('names the JSON path of the first bad value', () => {
    expect(() => readFixPlan({ macfleetFixPlan: 2 }, 'p.json')).toThrow(/^p\.json: \$\.macfleetFixPlan: /);
    expect(() =>
      readFixPlan(
        {
          macfleetFixPlan: 1,
          createdAt: 'x',
          roots: ['/'],
          options: { scope: 'default', keep: 'oldest', dynamic: false, pool: null, backupDir: null },
          changes: [],
          files: [{ file: '/f', format: 'vmx', before: 'a'.repeat(64), after: 'z', replacements: [] }],
          allocations: [],
          powershell: [],
          warnings: [],
        },
        'p.json',
      ),
    ).toThrow(/\$\.files\[0\]\.after: /);
  });
});
