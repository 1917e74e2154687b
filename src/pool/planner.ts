/**
 * The allocation planner: every rule of handing out MACs, once, with no I/O. The in-memory pool
 * (memory-pool.ts) and the database stores (src/store/pool/) both run it:
 *
 * 1. `decide`: pool state + requests (+ what earlier requests with the same keys got) → per request a
 *    replay, a typed refusal, or a claim on the walk. Rules: a count is a whole number in
 *    1..MAX_ALLOCATION; a key replays only the same count from the same pool, and only while the key
 *    still holds every MAC it got; all or nothing per request; first come, first served in a group
 *    (a request that does not fit is refused, later smaller ones may still fit).
 * 2. `walkTakes`: the free spans of the next-fit walk → the takes and the cursor after them
 *    (next-fit.ts: start just past the last MAC handed out, wrap around once).
 * 3. `refusalError`: a refusal as the MacfleetError every face shows.
 *
 * Quarantine expiry is `quarantineOver`: a released MAC is free again when its time has come.
 */
import type { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import {
  cursorAfter,
  forwardSteps,
  macsOfTakes,
  takeFromSteps,
  wrappedSteps,
  type Take,
} from './next-fit.js';
import { badCount, exhausted, keyMismatch, keyReleased, tooMany } from './pool-errors.js';
import { firstSpanEndingAtOrAfter, type Span } from './spans.js';

/**
 * The most MACs one request may ask for. Each MAC handed out is a row written and a line printed; a
 * million keeps one command's memory in the hundreds of MB (issue 16: ten million took 2.9 GB).
 */
export const MAX_ALLOCATION = 1_000_000;

/** What the planner needs to know about the pool. */
export interface PoolState {
  readonly name: string;
  readonly size: number;
  /** MACs on the free list (after ending the quarantines that are over). */
  readonly free: number;
  /** Where the next-fit walk starts. */
  readonly cursor: number;
}

/** One allocation request. */
export interface PlanRequest {
  readonly count?: number | undefined;
  readonly owner?: string | null | undefined;
  readonly key?: string | null | undefined;
}

/** What an earlier request with the same idempotency key got. */
export interface KeyRecord {
  readonly pool: string;
  readonly count: number;
  readonly macs: readonly Mac[];
  /** The MACs of `macs` no longer held under this key (released since, perhaps held by someone else). */
  readonly released: readonly Mac[];
}

export type Refusal =
  | { readonly kind: 'bad-count'; readonly count: number }
  | { readonly kind: 'too-many'; readonly count: number }
  | { readonly kind: 'exhausted'; readonly requested: number; readonly free: number }
  | {
      readonly kind: 'key-mismatch';
      readonly key: string;
      readonly previous: { readonly pool: string; readonly count: number };
      readonly wanted: { readonly pool: string; readonly count: number };
    }
  | {
      readonly kind: 'key-released';
      readonly key: string;
      readonly count: number;
      readonly released: readonly Mac[];
    };

export type Decision =
  /** Hand back what the key got before. */
  | { readonly kind: 'replay'; readonly macs: readonly Mac[] }
  /** Answer as request `index` of this group is answered (the same key twice in one group). */
  | { readonly kind: 'same-as'; readonly index: number }
  | { readonly kind: 'refuse'; readonly refusal: Refusal }
  /** MACs `offset .. offset + count - 1` of the walk's MACs. */
  | {
      readonly kind: 'serve';
      readonly count: number;
      readonly owner: string | null;
      readonly key: string | null;
      readonly offset: number;
    };

export interface Decisions {
  readonly decisions: readonly Decision[];
  /** How many MACs the walk must take for the served requests. */
  readonly total: number;
}

export function countRefusal(count: number): Refusal | undefined {
  if (!Number.isSafeInteger(count) || count < 1) return { kind: 'bad-count', count };
  if (count > MAX_ALLOCATION) return { kind: 'too-many', count };
  return undefined;
}

/** Step 1: decide each request of a group (see the file comment). */
export function decide(
  pool: PoolState,
  requests: readonly PlanRequest[],
  keys: ReadonlyMap<string, KeyRecord>,
): Decisions {
  const decisions: Decision[] = [];
  const firstOfKey = new Map<string, { index: number; count: number }>();
  let free = pool.free;
  let total = 0;
  for (const [index, request] of requests.entries()) {
    const count = request.count ?? 1;
    const key = request.key ?? null;
    const refuse = (refusal: Refusal): void => void decisions.push({ kind: 'refuse', refusal });
    const bad = countRefusal(count);
    if (bad !== undefined) {
      refuse(bad);
      continue;
    }
    if (key !== null) {
      const inGroup = firstOfKey.get(key);
      const previous = keys.get(key);
      if (inGroup !== undefined) {
        if (inGroup.count !== count) {
          const other = { pool: pool.name, count: inGroup.count };
          refuse({ kind: 'key-mismatch', key, previous: other, wanted: { pool: pool.name, count } });
        } else decisions.push({ kind: 'same-as', index: inGroup.index });
        continue;
      }
      if (previous !== undefined) {
        if (previous.pool !== pool.name || previous.count !== count) {
          refuse({ kind: 'key-mismatch', key, previous, wanted: { pool: pool.name, count } });
        } else if (previous.released.length > 0) {
          refuse({ kind: 'key-released', key, count: previous.count, released: previous.released });
        } else decisions.push({ kind: 'replay', macs: previous.macs });
        continue;
      }
      firstOfKey.set(key, { index, count });
    }
    if (count > free) {
      refuse({ kind: 'exhausted', requested: count, free: pool.free });
      continue;
    }
    decisions.push({ kind: 'serve', count, owner: request.owner ?? null, key, offset: total });
    free -= count;
    total += count;
  }
  return { decisions, total };
}

/**
 * Step 2 over a whole free list held in memory: the next-fit takes of `count` MACs from `cursor`, and
 * the cursor after them; `missing` > 0 when the list holds fewer. (The database stores page through
 * their free list and call forwardSteps / wrappedSteps / takeFromSteps the same way.)
 */
export function walkTakes(
  free: readonly Span[],
  cursor: number,
  count: number,
): { takes: Take[]; cursor: number; missing: number } {
  const i = firstSpanEndingAtOrAfter(free, cursor);
  const at = free[i];
  const containing = at !== undefined && at.start < cursor ? at : undefined;
  const steps = [
    ...forwardSteps(free.slice(i), cursor),
    ...wrappedSteps(free.slice(0, i), containing, cursor),
  ];
  const { takes, missing } = takeFromSteps(steps, count);
  return { takes, cursor: cursorAfter(takes, cursor), missing };
}

/** The MACs each served request gets, from the walk's MACs in order. */
export function macsOfServed(decision: Decision & { kind: 'serve' }, walk: readonly Mac[]): Mac[] {
  return walk.slice(decision.offset, decision.offset + decision.count);
}

/** The walk's MACs in allocation order. */
export const walkMacs = (takes: readonly Take[]): Mac[] => macsOfTakes(takes) as Mac[];

/** A released quarantine is over, and its MAC free again, once its time has come. */
export const quarantineOver = (quarantineUntil: number | null, now: number): boolean =>
  (quarantineUntil ?? 0) <= now;

/** Step 3: the refusal as an error. `quarantined`: MACs still in quarantine (for the exhausted message). */
export function refusalError(pool: PoolState, refusal: Refusal, quarantined = 0): MacfleetError {
  switch (refusal.kind) {
    case 'bad-count':
      return badCount(refusal.count);
    case 'too-many':
      return tooMany(refusal.count, MAX_ALLOCATION);
    case 'exhausted':
      return exhausted(pool.name, pool.size, refusal.free, refusal.requested, quarantined);
    case 'key-mismatch':
      return keyMismatch(refusal.key, refusal.previous.pool, refusal.previous.count, refusal.wanted);
    case 'key-released':
      return keyReleased(
        refusal.key,
        refusal.count,
        refusal.released.map((m) => formatMac(m)),
      );
  }
}
