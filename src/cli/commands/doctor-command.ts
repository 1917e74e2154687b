/**
 * `macfleet doctor nlb ...`: will NLB work on these VMs, and if not, what will the admin see.
 * `macfleet doctor spoofing <inventory.yaml>`: which adapters allow MAC spoofing and whom they could
 * impersonate. The inventory is a lab scenario file (its switches and VMs) until the fleet store serves it.
 */
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import {
  DOCTOR_HYPERVISORS,
  doctorNlb,
  formatDiagnosis,
  scenarioToYaml,
  spoofingReport,
  VMWARE_DEFAULTS,
  type DoctorHypervisor,
  type NlbDoctorOptions,
} from '../../lab/index.js';
import { NLB_MODES, parseVip, type NlbMode } from '../../mac/index.js';
import type { CliContext } from '../context.js';
import { intOption } from '../options.js';
import { loadScenario } from './lab-command.js';

function choice<T extends string>(name: string, values: readonly T[]) {
  return (value: string): T => {
    if ((values as readonly string[]).includes(value)) return value as T;
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `option ${name}: expected one of ${values.join(', ')}, got ${JSON.stringify(value)}`,
      { location: { field: name } },
    );
  };
}
const onOff = (name: string) => (v: string) => choice(name, ['on', 'off'] as const)(v) === 'on';
const acceptReject = (name: string) => (v: string) =>
  choice(name, ['accept', 'reject'] as const)(v) === 'accept';

interface NlbOpts {
  hypervisor: DoctorHypervisor;
  mode: NlbMode;
  vip: string;
  nodes: number;
  macSpoofing?: boolean;
  macChanges?: boolean;
  forgedTransmits?: boolean;
  vmwareDefaults?: (typeof VMWARE_DEFAULTS)[number];
  notifySwitches?: boolean;
  portSecurity?: boolean;
  addressPairs?: boolean;
  maskSourceMac?: boolean;
  json?: boolean;
  scenario?: boolean;
}

export function registerDoctor(program: Command, ctx: CliContext): void {
  const doctor = program.command('doctor').description('diagnose NLB and MAC spoofing on virtual switches');
  doctor
    .command('nlb')
    .description(
      'will NLB work on these VMs; if not, the symptoms an admin will see, with the frames that prove them, and the fixes',
    )
    .requiredOption(
      '--hypervisor <name>',
      `hyper-v | vmware | ovs`,
      choice('--hypervisor', DOCTOR_HYPERVISORS),
    )
    .requiredOption('--mode <mode>', 'unicast | multicast | igmp', choice('--mode', NLB_MODES))
    .requiredOption('--vip <ip>', 'the cluster IP address')
    .option('--nodes <n>', 'number of NLB nodes (1..32)', intOption('--nodes', 1, 32), 2)
    .option(
      '--mac-spoofing <on|off>',
      'Hyper-V: MAC address spoofing on the NLB adapters (default off)',
      onOff('--mac-spoofing'),
    )
    .option(
      '--mac-changes <accept|reject>',
      'VMware: MAC address changes (default per --vmware-defaults)',
      acceptReject('--mac-changes'),
    )
    .option(
      '--forged-transmits <accept|reject>',
      'VMware: forged transmits (default per --vmware-defaults)',
      acceptReject('--forged-transmits'),
    )
    .option(
      '--vmware-defaults <which>',
      'VMware: vsphere7 (reject/reject/reject) or legacy (reject/accept/accept); default vsphere7',
      choice('--vmware-defaults', VMWARE_DEFAULTS),
    )
    .option(
      '--notify-switches <on|off>',
      'VMware: "Notify switches" on the port group (default on)',
      onOff('--notify-switches'),
    )
    .option(
      '--port-security <on|off>',
      'OVS/Neutron: port security on the NLB ports (default on)',
      onOff('--port-security'),
    )
    .option(
      '--address-pairs',
      'OVS/Neutron: allow the NLB cluster/masked MACs and the VIP as allowed address pairs',
    )
    .option('--no-mask-source-mac', 'NLB unicast: MaskSourceMAC off (on by default)')
    .option(
      '--scenario',
      'print the scenario the doctor replays, as YAML for `lab run`, instead of the diagnosis',
    )
    .option('--json', 'machine-readable output')
    .action((opts: NlbOpts) => {
      const options: NlbDoctorOptions = {
        hypervisor: opts.hypervisor,
        mode: opts.mode,
        vip: parseVip(opts.vip),
        nodes: opts.nodes,
        ...(opts.macSpoofing !== undefined ? { macSpoofing: opts.macSpoofing } : {}),
        ...(opts.macChanges !== undefined ? { macChanges: opts.macChanges } : {}),
        ...(opts.forgedTransmits !== undefined ? { forgedTransmits: opts.forgedTransmits } : {}),
        ...(opts.vmwareDefaults !== undefined ? { vmwareDefaults: opts.vmwareDefaults } : {}),
        ...(opts.notifySwitches !== undefined ? { notifySwitches: opts.notifySwitches } : {}),
        ...(opts.portSecurity !== undefined ? { portSecurity: opts.portSecurity } : {}),
        ...(opts.addressPairs !== undefined ? { addressPairs: opts.addressPairs } : {}),
        maskSourceMac: opts.maskSourceMac !== false,
      };
      const result = doctorNlb(options);
      if (opts.scenario) ctx.io.stdout(scenarioToYaml(result.scenario));
      else if (opts.json) ctx.json(result.diagnosis);
      else ctx.out([result.scenario.name, '', ...formatDiagnosis(result.diagnosis)].join('\n'));
    });
  doctor
    .command('spoofing')
    .description(
      'which adapters allow MAC spoofing, and which other VMs on the same switch (or physical network) they could impersonate',
    )
    .argument('<inventory>', 'a lab scenario YAML file: its switches and VMs are the inventory')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { json?: boolean }) => {
      const report = spoofingReport(await loadScenario(ctx, file));
      if (opts.json) {
        ctx.json(report);
        return;
      }
      const lines = ['Adapters:'];
      for (const a of report.adapters) {
        lines.push(
          `  ${a.allowsSpoofing ? 'SPOOFING ALLOWED' : 'guarded         '}  ${a.vm} (${a.mac}) on ${a.switch} [${a.kind}${a.vlan ? `, VLAN ${a.vlan}` : ''}]: ${a.policy}`,
        );
      }
      lines.push(
        '',
        report.exposureCount > 0 ? 'Could impersonate:' : 'No adapter can impersonate another VM.',
      );
      if (report.exposureCount === report.exposures.length) {
        for (const x of report.exposures)
          lines.push(`  ${x.attacker} -> ${x.victim} (${x.victimMac}), ${x.where}: ${x.effect}. ${x.why}`);
      } else {
        // Pairs grow with the square of the VMs on a switch: past the limit, one line per attacker and place.
        lines.push(
          `  (${report.exposureCount} attacker/victim pairs, more than ${report.exposures.length}: one line per attacker, effect and switch or network; --json lists the first ${report.exposures.length} pairs)`,
        );
        for (const g of report.groups) {
          const more = g.victims > g.examples.length ? `, ... (${g.victims} VMs)` : '';
          lines.push(`  ${g.attacker} -> ${g.examples.join(', ')}${more}, ${g.where}: ${g.effect}`);
        }
      }
      ctx.out(lines.join('\n'));
    });
}
