/**
 * `macfleet observe` on a generated capture of 5 million frames: frames per second and peak memory of
 * the streaming reader (pcap in 1 MiB chunks → FrameObserver), against `tcpdump -nn -e -r <file>` to
 * /dev/null on the same file in the same run (Debian's tcpdump, when installed). A 1-million-frame
 * prefix is read too: the peak memory of both runs is about the same, bounded by the distinct MACs
 * (10,000 here), not by the capture's size. Each read runs in its own process so its peak RSS is its own.
 * Frames: 60-byte Ethernet, half 802.1Q-tagged, 94% IPv4/UDP, 3% ARP, 2% IPv6 neighbour discovery,
 * 1% DHCP requests, 1 µs apart.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureReader } from '../src/observe/frames/capture-reader.js';
import { FrameObserver } from '../src/observe/frames/frame-observer.js';
import { seededRandom } from '../src/random.js';
import { measureAsync, report, type Measurement } from './lib/timing.js';

const FRAMES = 5_000_000;
const PREFIX = 1_000_000;
const MACS = 10_000;
const FRAME_LEN = 60;

/** Child mode: read the capture, print frames, MACs, and peak RSS (MiB) as JSON. */
async function readMode(file: string): Promise<void> {
  const o = new FrameObserver();
  const r = new CaptureReader(o);
  const t0 = process.hrtime.bigint();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) r.push(chunk as Buffer);
  const issues = r.end();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(
    JSON.stringify({
      frames: o.frames,
      macs: o.macs,
      issues: issues.length,
      ms,
      peakMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function generate(file: string, frames: number): void {
  const rnd = seededRandom(15);
  const fd = openSync(file, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const PER = 16 + FRAME_LEN;
  const batch = 50_000;
  const buf = Buffer.alloc(batch * PER);
  let t = 1_764_000_000 * 1e6;
  for (let done = 0; done < frames; done += batch) {
    const n = Math.min(batch, frames - done);
    buf.fill(0);
    for (let i = 0; i < n; i++) {
      const at = i * PER;
      t++;
      buf.writeUInt32LE(Math.floor(t / 1e6), at);
      buf.writeUInt32LE(t % 1e6, at + 4);
      buf.writeUInt32LE(FRAME_LEN, at + 8);
      buf.writeUInt32LE(FRAME_LEN, at + 12);
      const f = at + 16;
      const host = rnd.nextUint32() % MACS;
      const kind = rnd.nextUint32() % 100;
      buf.writeUInt32BE(0x525400ff, f); // destination 52:54:00:ff:00:01
      buf.writeUInt16BE(0x0001, f + 4);
      buf.writeUInt32BE(0x52540000 + (host >>> 16), f + 6); // source 52:54:00:xx:xx:xx
      buf.writeUInt16BE(host & 0xffff, f + 10);
      let o = f + 12;
      if (host % 2 === 0) {
        buf.writeUInt16BE(0x8100, o);
        buf.writeUInt16BE(10 + (host % 7), o + 2);
        o += 4;
      }
      if (kind < 3) {
        buf.writeUInt16BE(0x0806, o);
        buf.writeUInt32BE(0x00010800, o + 2); // htype 1, ptype IPv4
        buf.writeUInt32BE(0x06040001, o + 6); // hlen 6, plen 4, request
        buf.copy(buf, o + 10, f + 6, f + 12); // sender MAC = source
        buf.writeUInt32BE(0x0a000000 + host, o + 16);
        buf.writeUInt32BE(0x0a000001, o + 26);
      } else if (kind < 5) {
        buf.writeUInt16BE(0x86dd, o);
        buf.writeUInt8(0x60, o + 2); // IPv6, payload too short for NDP: counted, not decoded
      } else {
        buf.writeUInt16BE(0x0800, o);
        buf.writeUInt8(0x45, o + 2);
        buf.writeUInt8(17, o + 11);
        buf.writeUInt16BE(kind < 6 ? 68 : 40000, o + 22);
        buf.writeUInt16BE(kind < 6 ? 67 : 53, o + 24);
      }
    }
    writeSync(fd, buf, 0, n * PER);
  }
  closeSync(fd);
}

function readInChild(file: string): {
  frames: number;
  macs: number;
  issues: number;
  ms: number;
  peakMiB: number;
} {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--read', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`reader failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as {
    frames: number;
    macs: number;
    issues: number;
    ms: number;
    peakMiB: number;
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'macfleet-bench-observe-'));
  try {
    const big = join(dir, 'big.pcap');
    const small = join(dir, 'small.pcap');
    generate(big, FRAMES);
    generate(small, PREFIX);
    const runs: { ms: number; peakMiB: number; frames: number; macs: number }[] = [];
    const ours: Measurement = await measureAsync('macfleet observe reader', 3, () => {
      const r = readInChild(big);
      if (r.frames !== FRAMES || r.issues !== 0)
        throw new Error(`read ${r.frames} frames, ${r.issues} issues`);
      runs.push(r);
      return Promise.resolve();
    });
    const inner = runs.map((r) => r.ms).sort((a, b) => a - b);
    const smallRun = readInChild(small);
    const peak = Math.max(...runs.map((r) => r.peakMiB));
    console.log(`observe: ${FRAMES.toLocaleString('en')} frames, ${runs[0]!.macs} distinct MACs`);
    console.log(
      `  reader alone (in-process, no start-up): median ${inner[1]!.toFixed(0)} ms = ${(((FRAMES / inner[1]!) * 1000) / 1e6).toFixed(2)} M frames/s (target >= 2)`,
    );
    console.log(
      `  peak RSS: ${peak.toFixed(0)} MiB for ${FRAMES / 1e6}M frames, ${smallRun.peakMiB.toFixed(0)} MiB for ${PREFIX / 1e6}M frames (bounded by distinct MACs)`,
    );
    const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
    if (!hasTcpdump) {
      console.log('  tcpdump not installed (apt-get install -y tcpdump): no baseline in this run');
      return;
    }
    const tcpdump = await measureAsync('tcpdump -nn -e -r <file> > /dev/null', 2, () => {
      const r = spawnSync('sh', ['-c', `tcpdump -nn -e -r '${big}' > /dev/null 2>&1`]);
      if (r.status !== 0) throw new Error('tcpdump failed');
      return Promise.resolve();
    });
    report({
      name: 'observe: whole-process time to read the capture (node start-up included)',
      unit: 'frames/s',
      items: FRAMES,
      baseline: tcpdump,
      subject: ours,
      target: '>= 1x (faster than tcpdump) and >= 2M frames/s',
      higherIsBetter: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--read') await readMode(process.argv[3]!);
else if (process.argv[2] === '--generate') generate(process.argv[3]!, Number(process.argv[4]));
else await main();
