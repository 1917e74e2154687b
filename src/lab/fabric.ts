/**
 * The wiring under a lab world: switches, the peer behind every port (another switch's port or a
 * station), and breadth-first delivery of frames with a record of every hop, drop and receiver.
 */
import { describeFrame, type Frame } from './frame.js';
import type { SwitchSpec } from './scenario.js';
import type { Observation, Station, StationNet } from './station.js';
import {
  DROP_REASONS,
  dropReasonOf,
  type DropReason,
  type FlapEvent,
  type VirtualSwitch,
} from './virtual-switch.js';

export interface HopRecord {
  readonly switch: string;
  readonly ingress: string;
  readonly dropped?: DropReason;
  readonly delivered: readonly string[];
  readonly portDrops: readonly { readonly port: string; readonly reason: DropReason }[];
}

export interface FrameRecord {
  readonly id: number;
  readonly origin: string;
  readonly text: string;
  readonly frame: Frame;
  readonly hops: HopRecord[];
  /** Stations whose NIC accepted the frame. */
  readonly received: string[];
}

export interface StepRecord {
  readonly index: number;
  readonly at: number;
  readonly text: string;
  readonly line?: number;
  readonly frames: FrameRecord[];
  readonly observations: Observation[];
  readonly flaps: FlapEvent[];
}

export type Peer =
  { readonly sw: VirtualSwitch; readonly port: number } | { readonly station: Station } | undefined;
export interface Attachment {
  sw: VirtualSwitch;
  port: number;
  spec: SwitchSpec;
}

/** Frames a single step may generate before the world stops it (a loop guard; nothing legitimate nears it). */
export const MAX_FRAMES_PER_STEP = 20_000;

export const PHYSICAL_SPEC: SwitchSpec = {
  name: '',
  host: '',
  kind: 'physical',
  igmpSnooping: false,
  agingSeconds: 300,
  vmwareDefaults: 'vsphere7',
  notifySwitches: false,
  policy: {},
};

export class Fabric implements StationNet {
  readonly switches = new Map<string, VirtualSwitch>();
  readonly stations = new Map<string, Station>();
  readonly steps: StepRecord[] = [];
  protected readonly peers = new Map<VirtualSwitch, Peer[]>();
  protected readonly attach = new Map<Station, Attachment>();
  protected queue: { sw: VirtualSwitch; port: number; frame: Frame; rec: FrameRecord }[] = [];
  protected current: StepRecord | undefined;
  protected nextFrameId = 1;
  currentFrameId = 0;
  currentOrigin = '';
  now = 0;

  protected addSwitch(sw: VirtualSwitch): VirtualSwitch {
    this.switches.set(sw.name, sw);
    this.peers.set(sw, []);
    return sw;
  }
  protected link(sw: VirtualSwitch, port: number, peer: Peer): void {
    this.peers.get(sw)![port] = peer;
  }
  protected place(st: Station, sw: VirtualSwitch, port: number, spec: SwitchSpec | undefined): void {
    this.stations.set(st.name, st);
    this.link(sw, port, { station: st });
    this.attach.set(st, { sw, port, spec: spec ?? PHYSICAL_SPEC });
  }

  /** The switch and port a station is plugged into. */
  attachmentOf(name: string): { sw: VirtualSwitch; port: number; spec: SwitchSpec } | undefined {
    const st = this.stations.get(name);
    return st ? this.attach.get(st) : undefined;
  }

  // ---- StationNet -------------------------------------------------------------------------------

  send(from: Station, f: Frame): void {
    const a = this.attach.get(from)!;
    this.inject(a.sw, a.port, f, from.name);
  }

  observe(o: Observation): void {
    this.current?.observations.push(o);
  }

  protected inject(sw: VirtualSwitch, port: number, f: Frame, origin: string): void {
    const rec: FrameRecord = {
      id: this.nextFrameId++,
      origin,
      text: describeFrame(f),
      frame: f,
      hops: [],
      received: [],
    };
    this.current?.frames.push(rec);
    this.queue.push({ sw, port, frame: f, rec });
  }

  /** Deliver every queued frame (and the frames they provoke). */
  protected drain(): void {
    let budget = MAX_FRAMES_PER_STEP;
    while (this.queue.length > 0) {
      if (--budget < 0)
        throw new Error(`more than ${MAX_FRAMES_PER_STEP} frames in one step: a forwarding loop?`);
      const { sw, port, frame: f, rec } = this.queue.shift()!;
      const code = sw.forward(port, f, this.now);
      const portDrops = [];
      for (let i = 0; i < sw.portDropCount; i += 2) {
        portDrops.push({ port: sw.portName(sw.portDrops[i]!), reason: DROP_REASONS[sw.portDrops[i + 1]!]! });
      }
      if (code < 0) {
        rec.hops.push({
          switch: sw.name,
          ingress: sw.portName(port),
          dropped: dropReasonOf(code),
          delivered: [],
          portDrops,
        });
        continue;
      }
      const egress = Array.from(sw.egress.subarray(0, code));
      rec.hops.push({
        switch: sw.name,
        ingress: sw.portName(port),
        delivered: egress.map((e) => sw.portName(e)),
        portDrops,
      });
      const v = sw.accessVlan(port);
      const tagged = v >= 0 && v !== f.vlan ? { ...f, vlan: v } : f;
      for (const e of egress) {
        const peer = this.peers.get(sw)![e];
        if (!peer) continue;
        if ('sw' in peer) {
          this.queue.push({ sw: peer.sw, port: peer.port, frame: tagged, rec });
        } else {
          const st = peer.station;
          if (st.running && st.accepts(f.dst)) rec.received.push(st.name);
          this.currentFrameId = rec.id;
          this.currentOrigin = rec.origin;
          st.receive(tagged, this);
        }
      }
    }
  }
}
