/**
 * Fixing the inventory's duplicate MACs (the inventory's counterpart of `macfleet fix`, which rewrites
 * files): which findings are fixed is the planner's one rule (`isFixed`: blocking and conflicting, latent
 * too with scope `latent`, NLB cluster MACs never); one member of each keeps the MAC, every other gets a
 * new one through `setAdapter`, the same call as `macfleet adapter set` — switched to dynamic (the host's
 * allocation source hands out a MAC) or static with a MAC from a pool. A member on a running VM cannot
 * change (rule 3), so it is the one that keeps the MAC when there is one; a second running member is
 * refused with the reason.
 */
import { isMacfleetError, type MacfleetError } from '../errors.js';
import { FIX_SCOPES, isFixed, parseFixScope, type FixScope } from '../fix/select-changes.js';
import { formatMac, type Mac } from '../mac/index.js';
import { setAdapter, type AdapterChange } from './adapter-service.js';
import type { FindingMember, FleetFinding, InventoryFinding } from './findings.js';
import { adapterRef, formatAllocationSource, type Host, type VmState } from './model.js';
import { requireStopped } from './rules.js';
import type { FleetDeps } from './session.js';

export { FIX_SCOPES, parseFixScope, type FixScope };

/** How the changed adapters get their new MAC. */
export const INVENTORY_FIX_ACTIONS = ['dynamic', 'pool'] as const;
export type InventoryFixAction = (typeof INVENTORY_FIX_ACTIONS)[number];

export interface InventoryFixOptions {
  readonly scope: FixScope;
  readonly action: InventoryFixAction;
  /** The pool of `action: 'pool'` (null: the default pool). */
  readonly pool: string | null;
}

export interface InventoryFixChange {
  readonly finding: FleetFinding;
  readonly member: FindingMember;
  /** The member that keeps the MAC. */
  readonly keeper: FindingMember;
  /** What the adapter gets, in words (before anything is allocated). */
  readonly after: string;
  /** Why this change cannot be made now (the core's refusal: the VM runs); undefined when it can. */
  readonly refused?: MacfleetError;
}

export interface InventoryFixPlan {
  readonly options: InventoryFixOptions;
  readonly changes: readonly InventoryFixChange[];
  /** Findings shown but not fixed under the scope (latent ones with the default scope, NLB). */
  readonly leftAlone: number;
}

/** The core's own refusal for a member whose VM is not stopped (rule 3), as `setAdapter` would throw it. */
function refusedNow(m: FindingMember): { refused?: MacfleetError } {
  try {
    requireStopped(
      { host: m.host, name: m.vm, state: m.state as VmState, adapters: [] },
      'the MAC address mode',
    );
    return {};
  } catch (e) {
    if (!isMacfleetError(e)) throw e;
    return { refused: e };
  }
}

const order = (a: FindingMember, b: FindingMember): number =>
  a.host < b.host ? -1 : a.host > b.host ? 1 : a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : a.adapter - b.adapter;

/** The member that keeps the MAC: a running one (it cannot change), else the first by host, VM, adapter. */
export function inventoryKeeper(members: readonly FindingMember[]): FindingMember {
  const sorted = [...members].sort(order);
  return sorted.find((m) => m.state !== 'stopped') ?? sorted[0]!;
}

/** The changes that resolve the fixed findings; nothing is written. `hosts` say where dynamic MACs come from. */
export function planInventoryFix(
  findings: readonly InventoryFinding[],
  hosts: readonly Host[],
  options: InventoryFixOptions,
): InventoryFixPlan {
  const source = new Map(hosts.map((h) => [h.name, formatAllocationSource(h.allocation)]));
  const changes: InventoryFixChange[] = [];
  const seen = new Set<string>();
  let leftAlone = 0;
  for (const f of findings) {
    if (f.kind !== 'duplicate' || !isFixed(f, options.scope)) {
      leftAlone++;
      continue;
    }
    const keeper = inventoryKeeper(f.members);
    for (const m of [...f.members].sort(order)) {
      const ref = adapterRef(m.host, m.vm, m.adapter);
      if (m === keeper || seen.has(ref)) continue;
      seen.add(ref);
      const after =
        options.action === 'pool'
          ? `static, a new MAC from ${options.pool === null ? 'the default pool' : `pool ${options.pool}`}`
          : `dynamic, a new MAC from the host's source (${source.get(m.host) ?? 'hypervisor'})`;
      changes.push({
        finding: f,
        member: m,
        keeper,
        after,
        ...refusedNow(m),
      });
    }
  }
  return { options, changes, leftAlone };
}

export interface InventoryFixOutcome {
  readonly change: InventoryFixChange;
  /** The adapter's MAC after the change; undefined when refused. */
  readonly mac?: string;
  /** Why the change was refused (the core's error). */
  readonly error?: MacfleetError;
}

/**
 * The seam to the pools (the core keeps none): a MAC for one adapter, idempotent by `key`, and its
 * return when the change that asked for it is refused.
 */
export interface InventoryFixAllocator {
  allocate(owner: string, key: string): Promise<Mac>;
  release(mac: Mac): Promise<void>;
}

/**
 * Make the changes of a plan, each on its own (one adapter's change is atomic; a refused one leaves the
 * others made). Refused plan entries (running VMs) are tried too: the VM may have stopped since.
 */
export async function applyInventoryFix(
  deps: FleetDeps,
  plan: InventoryFixPlan,
  allocator?: InventoryFixAllocator,
): Promise<InventoryFixOutcome[]> {
  const out: InventoryFixOutcome[] = [];
  for (const change of plan.changes) {
    const m = change.member;
    let held: Mac | undefined;
    try {
      let wanted: AdapterChange;
      if (plan.options.action === 'pool') {
        if (allocator === undefined) throw new Error('applyInventoryFix: a pool fix needs an allocator');
        const ref = adapterRef(m.host, m.vm, m.adapter);
        held = await allocator.allocate(ref, `macfleet-console-fix:${ref}:${change.finding.mac}`);
        wanted = { static: held };
      } else wanted = { dynamic: true, renew: true };
      const vm = await setAdapter(deps, { host: m.host, name: m.vm }, m.adapter, wanted);
      const mac = vm.adapters.find((a) => a.index === m.adapter)?.mac ?? null;
      out.push({ change, mac: mac === null ? 'none yet' : formatMac(mac) });
    } catch (e) {
      if (!isMacfleetError(e)) throw e;
      if (held !== undefined) await allocator?.release(held);
      out.push({ change, error: e });
    }
  }
  return out;
}
