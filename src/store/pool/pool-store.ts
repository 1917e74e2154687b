/**
 * Pools and allocations in the database: the persistence of src/pool. The `...InTx` functions run inside
 * a caller's transaction (the fleet inventory composes them with its own writes); `PoolStore` wraps each
 * in a transaction of its own and retries the rare lost race.
 *
 * Concurrency: every write that touches a pool's free list first locks the pool's row (PostgreSQL
 * `SELECT ... FOR UPDATE`; SQLite's write transaction is already exclusive), and `macs.mac` is the primary
 * key, so even a writer that bypassed the locks could not hand out a MAC twice.
 */
import { MacfleetError } from '../../errors.js';
import { formatMac, isAssignableUnicast, type Mac, type MacRange } from '../../mac/index.js';
import { conflict, notHeld, type Holding, type HoldingState } from '../../pool/pool-errors.js';
import {
  overlapsWithPools,
  poolCovers,
  poolSpans,
  validatePoolSpec,
  type PoolSpec,
  type PoolSpecInput,
} from '../../pool/pool-spec.js';
import { subtractSpans, type Span } from '../../pool/spans.js';
import { systemClock, type Clock } from '../../random.js';
import { giveMacs, insertSpans, takeMac } from './free-list.js';
import { GroupCommit } from '../group-commit.js';
import { WriteLog, type WriteRecord } from '../write-log.js';
import { isUniqueViolation } from '../sql.js';
import type { SqlSession, Store } from '../store.js';
import { allocateInTx, allocateManyInTx, type AllocateInput, type Allocation } from './allocate-tx.js';
import {
  POOL_COLUMNS,
  findPool,
  insertEvent,
  poolInfo,
  poolSpec,
  type PoolInfo,
  type PoolRow,
} from './pool-rows.js';

export { allocateInTx, allocateManyInTx, type AllocateInput, type Allocation } from './allocate-tx.js';
export { findPool, type PoolInfo } from './pool-rows.js';

export interface MacEvent {
  readonly event: string;
  readonly pool: string | null;
  readonly owner: string | null;
  readonly key: string | null;
  readonly at: number;
}

export interface Whois {
  readonly mac: Mac;
  readonly holding: Holding | null;
  /** Pools whose ranges hold the MAC, and whether their exclusions leave it out. */
  readonly pools: readonly { readonly name: string; readonly excluded: boolean }[];
  readonly history: readonly MacEvent[];
}

/** Create a pool: validated, not overlapping other pools unless `force`, MACs already in use left out. */
export async function createPoolInTx(
  tx: SqlSession,
  input: PoolSpecInput,
  options: { force?: boolean; now: number },
): Promise<PoolInfo> {
  const spec = validatePoolSpec(input);
  // Pool creation is rare: serialize it whole, so two overlapping pools cannot pass the check at once.
  await tx.adapter.lock(tx, 'pools');
  if ((await tx.get('SELECT id FROM pools WHERE name = ?', [spec.name])) !== undefined) {
    throw new MacfleetError('ALREADY_EXISTS', `a pool named ${spec.name} already exists`, {
      location: { field: 'name' },
    });
  }
  const others: PoolSpec[] = [];
  for (const row of await tx.all<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools ORDER BY name`))
    others.push(await poolSpec(tx, row));
  const overlaps = overlapsWithPools(spec, others);
  if (overlaps.length > 0 && options.force !== true) {
    const o = overlaps[0]!;
    throw new MacfleetError(
      'RANGE_OVERLAP',
      `pool ${spec.name}: range ${formatMac(o.range.start)}-${formatMac(o.range.end)} overlaps pool ${o.pool} on ` +
        `${formatMac(o.overlap.start)}-${formatMac(o.overlap.end)}` +
        (overlaps.length > 1 ? ` (and ${overlaps.length - 1} more overlap(s))` : '') +
        '; pass --force to create it anyway',
      {
        details: {
          overlaps: overlaps.map((x) => ({
            pool: x.pool,
            start: formatMac(x.overlap.start),
            end: formatMac(x.overlap.end),
          })),
        },
      },
    );
  }
  if (spec.isDefault) await tx.run('UPDATE pools SET is_default = 0 WHERE is_default = 1');
  const spans = poolSpans(spec);
  // MACs already recorded anywhere (reservations, imported inventory, overlapping pools) are not free.
  const held: Span[] = [];
  for (const s of spans) {
    for (const r of await tx.all<{ mac: number }>(
      'SELECT mac FROM macs WHERE mac >= ? AND mac <= ? ORDER BY mac',
      [s.start, s.end],
    )) {
      held.push({ start: r.mac, end: r.mac });
    }
  }
  const free = subtractSpans(spans, held);
  const size = spans.reduce((n, s) => n + s.end - s.start + 1, 0);
  const freeCount = free.reduce((n, s) => n + s.end - s.start + 1, 0);
  await tx.run(
    'INSERT INTO pools (name, is_default, quarantine_ms, cursor, size, free_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      spec.name,
      spec.isDefault ? 1 : 0,
      spec.quarantineMs,
      spec.ranges[0]!.start,
      size,
      freeCount,
      options.now,
    ],
  );
  const row = await findPool(tx, spec.name, false);
  for (const [kind, list] of [
    ['range', spec.ranges],
    ['exclude', spec.exclusions],
  ] as const) {
    for (const r of list)
      await tx.run('INSERT INTO pool_ranges (pool_id, kind, start_mac, end_mac) VALUES (?, ?, ?, ?)', [
        row.id,
        kind,
        r.start,
        r.end,
      ]);
  }
  await insertSpans(tx, row.id, free);
  for (const h of held)
    await tx.run('UPDATE macs SET pool_id = ? WHERE mac = ? AND pool_id IS NULL', [row.id, h.start]);
  return poolInfo(tx, row, options.now);
}

interface MacRow {
  mac: number;
  state: HoldingState;
  pool_id: number | null;
  pool: string | null;
  owner: string | null;
  since: number;
  quarantine_until: number | null;
  [k: string]: unknown;
}

const toHolding = (r: MacRow): Holding => ({
  mac: r.mac as Mac,
  state: r.state,
  pool: r.pool,
  owner: r.owner,
  since: r.since,
  quarantineUntil: r.quarantine_until,
});

async function macRow(tx: SqlSession, mac: number, lock = false): Promise<MacRow | undefined> {
  return tx.get<MacRow>(
    `SELECT m.mac, m.state, m.pool_id, p.name AS pool, m.owner, m.since, m.quarantine_until FROM macs m LEFT JOIN pools p ON p.id = m.pool_id WHERE m.mac = ?${lock ? tx.adapter.forUpdate('m') : ''}`,
    [mac],
  );
}

/**
 * Record a specific MAC as reserved (or in use by an adapter the fleet knows): MAC_CONFLICT naming the
 * holder when anyone holds it. Pools that could hand it out drop it from their free lists.
 */
export async function reserveInTx(
  tx: SqlSession,
  mac: Mac,
  owner: string | null,
  now: number,
  state: 'reserved' | 'in_use' = 'reserved',
): Promise<Holding> {
  if (state === 'reserved' && !isAssignableUnicast(mac)) {
    throw new MacfleetError(
      'INVALID_MAC',
      `${formatMac(mac)} is a ${mac === 0 ? 'all-zeros' : 'multicast (group)'} address: no adapter can be given it`,
      {
        location: { field: 'mac' },
      },
    );
  }
  const pools = await tx.all<PoolRow>(
    `SELECT ${POOL_COLUMNS} FROM pools WHERE id IN (SELECT pool_id FROM pool_ranges WHERE kind = 'range' AND start_mac <= ? AND end_mac >= ?) ORDER BY id${tx.adapter.forUpdate()}`,
    [mac, mac],
  );
  const existing = await macRow(tx, mac, true);
  if (existing !== undefined) {
    if (existing.state !== 'quarantined' || (existing.quarantine_until ?? 0) > now)
      throw conflict(mac, toHolding(existing));
    await tx.run('DELETE FROM macs WHERE mac = ?', [mac]);
  }
  let poolId: number | null = null;
  for (const row of pools) {
    const spec = await poolSpec(tx, row);
    if (!poolCovers(spec, mac)) continue;
    poolId ??= row.id;
    await takeMac(tx, row.id, mac);
  }
  await tx.run(
    'INSERT INTO macs (mac, state, pool_id, owner, request_key, since) VALUES (?, ?, ?, ?, NULL, ?)',
    [mac, state, poolId, owner, now],
  );
  await insertEvent(tx, mac, state, poolId, owner, null, now);
  return toHolding((await macRow(tx, mac))!);
}

/** Release a held MAC: into its pool's quarantine, or straight back to the free list when the pool has none. */
export async function releaseInTx(tx: SqlSession, mac: Mac, now: number): Promise<Holding> {
  const first = await macRow(tx, mac);
  if (first === undefined || first.state === 'quarantined') throw notHeld(mac);
  // Lock order everywhere: the pool's row, then the MAC's.
  const pool = first.pool_id === null ? undefined : await findPool(tx, first.pool ?? undefined, true);
  const row = await macRow(tx, mac, true);
  if (row === undefined || row.state === 'quarantined') throw notHeld(mac);
  await insertEvent(tx, mac, 'released', row.pool_id, row.owner, null, now);
  if (pool === undefined || pool.quarantine_ms === 0) {
    await tx.run('DELETE FROM macs WHERE mac = ?', [mac]);
    if (pool !== undefined) await giveMacs(tx, pool.id, await poolSpec(tx, pool), [mac]);
    return { ...toHolding(row), state: 'quarantined', since: now, quarantineUntil: now };
  }
  const until = now + pool.quarantine_ms;
  await tx.run("UPDATE macs SET state = 'quarantined', since = ?, quarantine_until = ? WHERE mac = ?", [
    now,
    until,
    mac,
  ]);
  return { ...toHolding(row), state: 'quarantined', since: now, quarantineUntil: until };
}

/** Who holds a MAC, which pools could hand it out, and everything that happened to it. */
export async function whoisInTx(tx: SqlSession, mac: Mac): Promise<Whois> {
  const row = await macRow(tx, mac);
  // The pools whose ranges hold the MAC, with all their ranges and exclusions, in one query (a lookup
  // is a handful of indexed reads; one more per pool was a fifth of them).
  // A pool's ranges are merged, so one of them holds the MAC (a repeat would not change the answer);
  // sorted here rather than in a temporary B-tree, and no IN (subquery) table either.
  const parts = await tx.all<{ name: string; kind: string; start_mac: number; end_mac: number }>(
    `SELECT p.name, r.kind, r.start_mac, r.end_mac FROM pool_ranges hit
     JOIN pools p ON p.id = hit.pool_id JOIN pool_ranges r ON r.pool_id = p.id
     WHERE hit.kind = 'range' AND hit.start_mac <= ? AND hit.end_mac >= ?`,
    [mac, mac],
  );
  parts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.start_mac - b.start_mac));
  const specs = new Map<string, { ranges: MacRange[]; exclusions: MacRange[] }>();
  for (const r of parts) {
    let spec = specs.get(r.name);
    if (spec === undefined) specs.set(r.name, (spec = { ranges: [], exclusions: [] }));
    (r.kind === 'range' ? spec.ranges : spec.exclusions).push({
      start: r.start_mac as Mac,
      end: r.end_mac as Mac,
    });
  }
  const pools = [...specs].map(([name, spec]) => ({ name, excluded: !poolCovers(spec, mac) }));
  const history = await tx.all<{
    event: string;
    pool: string | null;
    owner: string | null;
    key: string | null;
    at: number;
  }>(
    'SELECT e.event, p.name AS pool, e.owner, e.request_key AS "key", e.at FROM mac_events e LEFT JOIN pools p ON p.id = e.pool_id WHERE e.mac = ? ORDER BY e.id',
    [mac],
  );
  return { mac, holding: row === undefined ? null : toHolding(row), pools, history };
}

/**
 * The write-log record of an allocation (the API's): `made` when it hands out MACs, `replayed` when its
 * key was served before. Written in the allocation's own transaction, so the allocation is never durable
 * without it; a refused allocation leaves none (its caller records the refusal).
 */
export interface AllocationRecord {
  readonly made: WriteRecord;
  readonly replayed: WriteRecord;
}

interface PendingAllocation {
  readonly input: AllocateInput;
  readonly record: AllocationRecord | undefined;
  readonly resolve: (a: Allocation) => void;
  readonly reject: (e: unknown) => void;
}

const MAX_GROUP = 256;

interface AllocationGroup {
  /** A unit for this pool is waiting in the group commit (it takes the queue when it runs). */
  submitted: boolean;
  readonly queue: PendingAllocation[];
}

/** Retry a transaction that lost a race another process won (unique key, deadlock, serialization). */
async function retrying<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
      const retriable = isUniqueViolation(e) || code === '40P01' || code === '40001';
      if (!retriable || i >= attempts) throw e;
    }
  }
}

/** Pools and allocations over a Store, one transaction per call. */
export class PoolStore {
  /** Allocations share transactions through `commits` (give the API's write log the same one). */
  readonly commits: GroupCommit;
  constructor(
    readonly store: Store,
    private readonly clock: Clock = systemClock,
    commits?: GroupCommit,
  ) {
    this.commits = commits ?? new GroupCommit(store);
  }

  createPool(input: PoolSpecInput, options: { force?: boolean } = {}): Promise<PoolInfo> {
    return this.store.transaction((tx) => createPoolInTx(tx, input, { ...options, now: this.clock.now() }));
  }

  listPools(): Promise<PoolInfo[]> {
    const now = this.clock.now();
    return this.store.transaction(
      async (tx) => {
        const out: PoolInfo[] = [];
        for (const row of await tx.all<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools ORDER BY name`))
          out.push(await poolInfo(tx, row, now));
        return out;
      },
      { mode: 'read' },
    );
  }

  showPool(name?: string): Promise<PoolInfo> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => poolInfo(tx, await findPool(tx, name, false), now), {
      mode: 'read',
    });
  }

  /**
   * Allocate. Calls made while an allocation from the same pool is being committed are grouped into the
   * next transaction (group commit): each keeps its own all-or-nothing answer, and one commit (one
   * fsync, one hold of the pool's lock) serves them all. `record`: the allocation's write-log record,
   * written in the same transaction (durable with the allocation, or neither is).
   */
  allocate(input: AllocateInput, record?: AllocationRecord): Promise<Allocation> {
    return new Promise((resolve, reject) => {
      const k = input.pool ?? '';
      let group = this.#groups.get(k);
      if (group === undefined) {
        group = { submitted: false, queue: [] };
        this.#groups.set(k, group);
      }
      group.queue.push({ input, record, resolve, reject });
      if (!group.submitted) this.#submit(k, group);
    });
  }

  readonly #groups = new Map<string, AllocationGroup>();

  /**
   * One unit of the next group transaction allocates everything queued for pool `k` when it runs (up to
   * MAX_GROUP; the rest go in a unit of the transaction after it). Each request keeps its own
   * all-or-nothing answer; all are answered after the commit.
   */
  #submit(k: string, group: AllocationGroup): void {
    group.submitted = true;
    let batch: PendingAllocation[] | undefined;
    const take = (): PendingAllocation[] => {
      batch = group.queue.splice(0, MAX_GROUP);
      group.submitted = false;
      if (group.queue.length > 0) this.#submit(k, group);
      return batch;
    };
    this.commits
      .run(async (tx) => {
        const pending = take();
        const answers = await allocateManyInTx(
          tx,
          k === '' ? undefined : k,
          pending.map((p) => p.input),
          this.clock.now(),
        );
        // The records of the unit's allocations in one statement (on PostgreSQL, one round trip).
        await WriteLog.insert(
          tx,
          answers.flatMap((a, i) => {
            const record = pending[i]!.record;
            if (record === undefined || a instanceof MacfleetError) return [];
            return [a.replayed ? record.replayed : record.made];
          }),
        );
        return answers;
      })
      .then(
        (answers) =>
          answers.forEach((a, i) =>
            a instanceof MacfleetError ? batch![i]!.reject(a) : batch![i]!.resolve(a),
          ),
        async () => {
          // The unit or its transaction failed as a whole (a lost race, a dropped connection, a
          // transaction that never began): each request on its own.
          for (const p of batch ?? take()) {
            await retrying(() =>
              this.store.transaction(async (tx) => {
                const a = await allocateInTx(tx, p.input, this.clock.now());
                if (p.record !== undefined) {
                  await WriteLog.insert(tx, [a.replayed ? p.record.replayed : p.record.made]);
                }
                return a;
              }),
            ).then(p.resolve, p.reject);
          }
        },
      );
  }

  reserve(mac: Mac, owner: string | null, state: 'reserved' | 'in_use' = 'reserved'): Promise<Holding> {
    return retrying(() =>
      this.store.transaction((tx) => reserveInTx(tx, mac, owner, this.clock.now(), state)),
    );
  }

  release(mac: Mac): Promise<Holding> {
    return retrying(() => this.store.transaction((tx) => releaseInTx(tx, mac, this.clock.now())));
  }

  whois(mac: Mac): Promise<Whois> {
    return this.store.transaction((tx) => whoisInTx(tx, mac), { mode: 'read' });
  }
}
