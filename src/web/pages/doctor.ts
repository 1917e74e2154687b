/**
 * NLB doctor: the form of `macfleet doctor nlb` (hypervisor, mode, VIP, nodes, switch policy), and the
 * lab's answer: the verdict, the symptoms the administrator will see with their evidence, NLB's own
 * events, warnings, fixes, and the frame trace of the replayed scenario. Read-only: any role may ask.
 */
import { describeFate, describeObservation } from '../../lab/lab-report.js';
import {
  DOCTOR_HYPERVISORS,
  doctorNlb,
  describeOptions,
  type DoctorHypervisor,
  type NlbDoctorOptions,
  type NlbDoctorResult,
} from '../../lab/index.js';
import { NLB_MODES, parseVip, type NlbMode } from '../../mac/index.js';
import { badge, html, raw, type Html } from '../html.js';
import { param, refusal, render, type ConsoleApp, type Ctx, type Kit } from '../route-kit.js';

const HYPERVISOR_LABELS: Record<DoctorHypervisor, string> = {
  'hyper-v': 'Hyper-V',
  vmware: 'VMware vSphere',
  ovs: 'Open vSwitch / OpenStack Neutron',
};
const MODE_LABELS: Record<NlbMode, string> = {
  unicast: 'Unicast',
  multicast: 'Multicast',
  igmp: 'IGMP multicast',
};

type Params = Record<string, string | undefined>;

function paramsOf(c: Ctx): Params {
  const names = [
    'hypervisor',
    'mode',
    'vip',
    'nodes',
    'spoofing',
    'macChanges',
    'forgedTransmits',
    'notifySwitches',
    'portSecurity',
    'addressPairs',
    'maskSourceMac',
  ];
  return Object.fromEntries(names.map((n) => [n, param(c, n)]));
}

/** The doctor's options from the form; only the chosen hypervisor's policy fields are used. */
export function optionsOf(p: Params): NlbDoctorOptions {
  const hypervisor = DOCTOR_HYPERVISORS.find((h) => h === p['hypervisor']) ?? 'hyper-v';
  const mode = NLB_MODES.find((m) => m === p['mode']) ?? 'unicast';
  const nodes = Number(p['nodes'] ?? '2');
  const yes = (k: string, dflt: boolean) =>
    p[k] === undefined ? dflt : p[k] === 'on' || p[k] === 'accept' || p[k] === 'yes';
  const base = {
    hypervisor,
    mode,
    vip: parseVip(p['vip'] ?? ''),
    nodes,
    maskSourceMac: yes('maskSourceMac', true),
  };
  switch (hypervisor) {
    case 'hyper-v':
      return { ...base, macSpoofing: yes('spoofing', false) };
    case 'vmware':
      return {
        ...base,
        macChanges: yes('macChanges', false),
        forgedTransmits: yes('forgedTransmits', false),
        notifySwitches: yes('notifySwitches', true),
      };
    case 'ovs':
      return { ...base, portSecurity: yes('portSecurity', true), addressPairs: yes('addressPairs', false) };
  }
}

function select(
  id: string,
  name: string,
  label: string,
  options: readonly (readonly [string, string])[],
  value: string | undefined,
  dflt: string,
): Html {
  const v = value ?? dflt;
  return html`<div class="f">
    <label for="${id}">${label}</label
    ><select id="${id}" name="${name}">
      ${options.map(([val, text]) => html`<option value="${val}" ${val === v ? raw(' selected') : ''}>${text}</option>`)}
    </select>
  </div>`;
}

const ON_OFF = [
  ['off', 'Off'],
  ['on', 'On'],
] as const;
const ACCEPT_REJECT = [
  ['reject', 'Reject'],
  ['accept', 'Accept'],
] as const;
const YES_NO = [
  ['yes', 'Yes'],
  ['no', 'No'],
] as const;

function form(p: Params): Html {
  return html`<form method="get" action="/doctor" class="panel" aria-labelledby="doc-h">
    <h2 id="doc-h" style="margin-top:0">Will NLB work on these VMs?</h2>
    <div class="filters" style="border:none;padding:0;background:none">
      ${select(
        'd-hv',
        'hypervisor',
        'Hypervisor',
        DOCTOR_HYPERVISORS.map((h) => [h, HYPERVISOR_LABELS[h]] as const),
        p['hypervisor'],
        'hyper-v',
      )}
      ${select(
        'd-mode',
        'mode',
        'Cluster operation mode',
        NLB_MODES.map((m) => [m, MODE_LABELS[m]] as const),
        p['mode'],
        'unicast',
      )}
      <div class="f">
        <label for="d-vip">Cluster IP address (VIP)</label
        ><input id="d-vip" name="vip" type="text" value="${p['vip'] ?? '10.0.0.50'}" required />
      </div>
      <div class="f">
        <label for="d-nodes">Nodes</label
        ><input id="d-nodes" name="nodes" type="number" min="1" max="32" value="${p['nodes'] ?? '2'}" />
      </div>
      ${select('d-mask', 'maskSourceMac', 'Mask source MAC (unicast)', YES_NO, p['maskSourceMac'], 'yes')}
    </div>
    <div class="grid2">
      <fieldset>
        <legend>Hyper-V switch policy</legend>
        ${select('d-spoof', 'spoofing', 'MAC address spoofing on the NLB adapters', ON_OFF, p['spoofing'], 'off')}
      </fieldset>
      <fieldset>
        <legend>VMware port group security</legend>
        ${select('d-mc', 'macChanges', 'MAC address changes', ACCEPT_REJECT, p['macChanges'], 'reject')}
        ${select('d-ft', 'forgedTransmits', 'Forged transmits', ACCEPT_REJECT, p['forgedTransmits'], 'reject')}
        ${select('d-ns', 'notifySwitches', 'Notify switches', YES_NO, p['notifySwitches'], 'yes')}
      </fieldset>
      <fieldset>
        <legend>Open vSwitch / Neutron port</legend>
        ${select('d-ps', 'portSecurity', 'Port security', ON_OFF, p['portSecurity'], 'on')}
        ${select('d-ap', 'addressPairs', 'NLB addresses as allowed address pairs', YES_NO, p['addressPairs'], 'no')}
      </fieldset>
    </div>
    <p class="muted">Only the policy of the chosen hypervisor is used.</p>
    <div class="actions"><button type="submit" class="primary">Diagnose</button></div>
  </form>`;
}

function result(r: NlbDoctorResult, o: NlbDoctorOptions): Html {
  const d = r.diagnosis;
  const finding = (f: { code: string; message: string; evidence: readonly string[] }) =>
    html`<li>
      <strong>${f.message}</strong>
      <code class="muted">${f.code}</code
      >${f.evidence.length === 0 ? '' : html`<div class="evidence">${f.evidence.join('\n')}</div>`}
    </li>`;
  return html`<section aria-labelledby="verdict-h">
    <h2 id="verdict-h">Verdict</h2>
    <div class="verdict verdict-${d.works ? 'works' : 'fails'}" role="status">
      NLB ${d.mode} on ${HYPERVISOR_LABELS[o.hypervisor]}, ${o.nodes} node(s), ${describeOptions(o)}:
      ${d.works ? 'WORKS' : 'DOES NOT WORK'}
    </div>
    <p>
      Cluster ${d.cluster.vip}, cluster MAC
      <span class="mac">${d.cluster.mac}</span
      >${d.cluster.group === undefined ? '' : html`, IGMP group ${d.cluster.group}`}.
    </p>
    <h2>Symptoms the administrator will see</h2>
    ${
      d.symptoms.length === 0
        ? html`<p>None.</p>`
        : html`<ul>
            ${d.symptoms.map(finding)}
          </ul>`
    }
    <h2>NLB events</h2>
    ${
      d.events.length === 0
        ? html`<p>None.</p>`
        : html`<ul>
            ${d.events.map((e) => html`<li>${badge(String(e.id), 'error')} ${e.source}: ${e.message}</li>`)}
          </ul>`
    }
    ${
      d.warnings.length === 0
        ? ''
        : html`<h2>Warnings</h2>
            <ul>
              ${d.warnings.map(finding)}
            </ul>`
    }
    <h2>Fixes</h2>
    ${
      d.fixes.length === 0
        ? html`<p>None needed.</p>`
        : html`<ul>
            ${d.fixes.map((f) => html`<li>${f.message} <code class="muted">${f.code}</code></li>`)}
          </ul>`
    }
    <h2>Frame trace</h2>
    <p class="muted">
      ${r.scenario.name}: each step of the replayed scenario, the frames it sent and what the switches did
      with them.
    </p>
    ${r.world.steps.map(
      (
        s,
      ) => html`<details${s.frames.some((f) => f.hops.some((h) => h.dropped !== undefined)) ? raw(' open') : ''}><summary>Step ${s.index + 1}: ${s.text} <span class="muted">(${s.frames.length} frame(s))</span></summary>
<div class="evidence">${[...s.frames.map((f) => `#${f.id} from ${f.origin}: ${f.text}\n    ${describeFate(f)}`), ...s.observations.map((ob) => `· ${describeObservation(ob)}`)].join('\n')}</div></details>`,
    )}
  </section>`;
}

export function registerDoctorPage(app: ConsoleApp, kit: Kit): void {
  app.get('/doctor', kit.guard, (c) => {
    const p = paramsOf(c);
    if (p['vip'] === undefined) return render(c, '/doctor', 'NLB doctor', () => form(p));
    try {
      const o = optionsOf(p);
      const r = doctorNlb(o);
      return render(c, '/doctor', 'NLB doctor', () => html`${form(p)}${result(r, o)}`);
    } catch (e) {
      const r = refusal(e);
      return render(c, '/doctor', 'NLB doctor', () => form(p), r.notice, r.status);
    }
  });
}
