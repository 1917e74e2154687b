/**
 * Audit speed. (1) Generates 100,000 VM config files of mixed formats (deterministic, under os.tmpdir(),
 * removed afterwards) with a known number of duplicate MACs, then times `macfleet scan --json` against the
 * shell baseline `grep -rhoiE '<mac>' | tr A-F a-f | sort | uniq -d` over the same tree. (2) Times the
 * in-memory duplicate detector over 10 million MACs against `sort | uniq -d` on a file of the same MACs.
 * Prints times, ratios and the finding counts (which must match).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { duplicateMacValues } from '../src/audit/duplicate-values.js';
import { formatMac, macFromNumber } from '../src/mac/index.js';
import { randomInt, seededRandom } from '../src/random.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = Number(process.env['BENCH_FILES'] ?? 100_000);
const DUP_PAIRS = 1000;
const MEM_MACS = 10_000_000;

const random = seededRandom(20261123);
const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const colon = (mac: number) => formatMac(macFromNumber(mac));

function vmx(name: string, mac: number, net: string): string {
  return [
    '.encoding = "UTF-8"',
    'config.version = "8"',
    'virtualHW.version = "19"',
    `displayName = "${name}"`,
    'guestOS = "ubuntu-64"',
    'memSize = "2048"',
    'numvcpus = "2"',
    'scsi0.present = "TRUE"',
    'scsi0.virtualDev = "pvscsi"',
    `scsi0:0.fileName = "${name}.vmdk"`,
    'ethernet0.present = "TRUE"',
    'ethernet0.virtualDev = "vmxnet3"',
    `ethernet0.networkName = "${net}"`,
    'ethernet0.addressType = "static"',
    `ethernet0.address = "${colon(mac)}"`,
    'ethernet0.pciSlotNumber = "192"',
    '',
  ].join('\n');
}
function libvirt(name: string, mac: number, net: string): string {
  return `<domain type='kvm'>
  <name>${name}</name>
  <memory unit='KiB'>2097152</memory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/${name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <mac address='${colon(mac)}'/>
      <source bridge='${net}'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
`;
}
function proxmox(name: string, mac: number, net: string, history: boolean): string {
  const base = `boot: order=scsi0;net0\ncores: 2\nmemory: 2048\nname: ${name}\nnet0: virtio=${colon(mac).toUpperCase()},bridge=${net},firewall=1\nostype: l26\nscsi0: local-lvm:vm-100-disk-0,size=32G\n`;
  return history
    ? `${base}\n[snap1]\nname: ${name}\nnet0: virtio=${colon(mac).toUpperCase()},bridge=${net}\nsnaptime: 1731000000\n`
    : base;
}

/** Generate the tree; returns the number of MACs that occur more than once among live adapters. */
function generate(dir: string): number {
  const hosts = 100;
  for (let h = 0; h < hosts; h++) mkdirSync(join(dir, `host${h}`), { recursive: true });
  // Distinct MACs per file from a counter (hashed into the low 24 bits), then DUP_PAIRS files reuse one.
  const macs: number[] = [];
  // Each format's own scheme: VMware static 00:50:56:00-3F, QEMU 52:54:00, Proxmox BC:24:11.
  const prefix = (i: number) => (i % 10 < 5 ? 0x005056000000 : i % 10 < 8 ? 0x525400000000 : 0xbc2411000000);
  for (let i = 0; i < FILES; i++) macs.push(prefix(i) + ((i * 2654435761) % 0x400000));
  const dupTargets = new Set<number>();
  for (let k = 0; k < DUP_PAIRS; k++) {
    let from = randomInt(random, FILES);
    while (dupTargets.has(from)) from = randomInt(random, FILES);
    dupTargets.add(from);
    let to = randomInt(random, FILES);
    while (dupTargets.has(to)) to = randomInt(random, FILES);
    dupTargets.add(to);
    macs[to] = macs[from]!;
  }
  for (let i = 0; i < FILES; i++) {
    const host = `host${i % hosts}`;
    const name = `vm${i}`;
    const net = `net${i % 7}`;
    const kind = i % 10;
    const mac = macs[i]!;
    let path: string;
    let text: string;
    if (kind < 5) [path, text] = [`${name}.vmx`, vmx(name, mac, net)];
    else if (kind < 8) [path, text] = [`${name}.xml`, libvirt(name, mac, net)];
    else [path, text] = [`${100 + i}.conf`, proxmox(name, mac, net, kind === 9)];
    writeFileSync(join(dir, host, path), text);
  }
  return macs.length - new Set(macs).size;
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = f();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}
const sh = (cmd: string) => {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
};
const best = <T>(runs: number, f: () => T) => {
  let out = time(f);
  for (let i = 1; i < runs; i++) {
    const t = time(f);
    if (t.ms < out.ms) out = t;
  }
  return out;
};

if (process.env['BENCH_GENERATE_ONLY']) {
  // Profiling aid: generate the tree into the given directory and stop.
  console.log(`${generate(process.env['BENCH_GENERATE_ONLY'])} duplicated MACs`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'macfleet-bench-scan-'));
try {
  const gen = time(() => generate(join(dir, 'tree')));
  const expectedDups = gen.value;
  console.log(
    `generated ${FILES} files (vmx 50%, libvirt XML 30%, Proxmox 20% with snapshot history in half) in ${(gen.ms / 1000).toFixed(1)} s; ${expectedDups} duplicated MACs`,
  );
  const tree = join(dir, 'tree');
  const out = join(dir, 'scan.json');
  const pattern = '([0-9a-f]{2}[:-]){5}[0-9a-f]{2}';
  const baselineCmd = `grep -rhoiE '${pattern}' '${tree}' | tr A-F a-f | LC_ALL=C sort | uniq -d | wc -l`;
  const macfleetCmd = `'${join(repo, 'bin', 'macfleet')}' scan --json --quiet --fail-on none '${tree}' > '${out}'`;
  sh(baselineCmd); // warm the page cache for both
  const base = best(2, () => Number(sh(baselineCmd).trim()));
  const ours = best(2, () => sh(macfleetCmd));
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    files: number;
    findings: { kind: string }[];
    adapters: unknown[];
  };
  const found = report.findings.filter((f) => f.kind === 'duplicate').length;
  console.log(
    `baseline grep|tr|sort|uniq -d : ${base.ms.toFixed(0)} ms, ${base.value} duplicated strings (snapshot history counts as duplicates)`,
  );
  console.log(
    `macfleet scan --json          : ${ours.ms.toFixed(0)} ms, ${report.files} files, ${report.adapters.length} adapters, ${found} duplicate findings (expected ${expectedDups})`,
  );
  console.log(`ratio macfleet/baseline       : ${(ours.ms / base.ms).toFixed(2)}x (target <= 1.5x)`);
  if (found !== expectedDups) {
    console.error('MISMATCH: duplicate findings differ from the generated duplicates');
    process.exitCode = 1;
  }

  // (2) in memory: 10 million MACs, 100,000 of them repeated.
  const values = new Float64Array(MEM_MACS);
  for (let i = 0; i < MEM_MACS; i++) values[i] = random.nextUint32() * 65536 + (random.nextUint32() & 0xffff);
  for (let k = 0; k < 100_000; k++)
    values[randomInt(random, MEM_MACS)] = values[randomInt(random, MEM_MACS)]!;
  const mem = best(3, () => duplicateMacValues(values));
  const lines: string[] = new Array<string>(MEM_MACS);
  for (let i = 0; i < MEM_MACS; i++) {
    const v = values[i]!;
    const hi = Math.floor(v / 2 ** 24);
    const lo = v - hi * 2 ** 24;
    lines[i] =
      `${hex2(hi >>> 16)}:${hex2((hi >>> 8) & 255)}:${hex2(hi & 255)}:${hex2(lo >>> 16)}:${hex2((lo >>> 8) & 255)}:${hex2(lo & 255)}`;
  }
  const macFile = join(dir, 'macs.txt');
  writeFileSync(macFile, lines.join('\n') + '\n');
  const sortBase = best(1, () => Number(sh(`LC_ALL=C sort '${macFile}' | uniq -d | wc -l`).trim()));
  console.log(
    `in-memory duplicateMacValues  : ${mem.ms.toFixed(0)} ms over ${MEM_MACS} MACs, ${mem.value.length} duplicated`,
  );
  console.log(`baseline LC_ALL=C sort|uniq -d: ${sortBase.ms.toFixed(0)} ms, ${sortBase.value} duplicated`);
  console.log(`speed-up                      : ${(sortBase.ms / mem.ms).toFixed(1)}x (target >= 10x)`);
  if (mem.value.length !== sortBase.value) {
    console.error('MISMATCH: in-memory and sort|uniq counts differ');
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
