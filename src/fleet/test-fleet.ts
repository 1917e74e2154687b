/** Test helpers: a fleet on the in-memory repository, a clock that ticks one second per reading. */
import { parseMac, type Mac } from '../mac/index.js';
import { seededRandom, type Clock } from '../random.js';
import { hypervisorMacSource } from './hypervisor-source.js';
import { MemoryFleetRepository } from './memory-repository.js';
import type { MacSourceResolver } from './ports.js';
import { poolMacSource, type PoolAllocator } from './pool-source.js';
import type { FleetDeps } from './session.js';

export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

export function tickingClock(start = T0, stepMs = 1000): Clock {
  let t = start - stepMs;
  return { now: () => (t += stepMs) };
}

/** A fleet on a fresh in-memory repository; `pool:<name>` hosts allocate from `options.pool`. */
export function memoryFleet(options: { pool?: PoolAllocator } = {}): FleetDeps & {
  repo: MemoryFleetRepository;
} {
  const repo = new MemoryFleetRepository();
  const random = seededRandom(42);
  const sources: MacSourceResolver = (host, tx) => {
    if (host.allocation.kind === 'pool') {
      if (options.pool === undefined) throw new Error(`no pool allocator in this test for ${host.name}`);
      return poolMacSource(host.allocation.pool, options.pool, tx);
    }
    return hypervisorMacSource(tx, random);
  };
  return { repo, clock: tickingClock(), actor: 'tester', sources };
}

export const mac = (text: string): Mac => parseMac(text);

/** A minimal next-fit allocator over one range, standing in for the fleet allocator in unit tests. */
export function memoryPool(start: Mac, size: number) {
  const held = new Map<Mac, string>();
  let cursor = 0;
  return {
    held,
    allocate(_pool: string, owner: string): Promise<Mac> {
      for (let i = 0; i < size; i++) {
        const candidate = (start + ((cursor + i) % size)) as Mac;
        if (held.has(candidate)) continue;
        held.set(candidate, owner);
        cursor = (cursor + i + 1) % size;
        return Promise.resolve(candidate);
      }
      return Promise.reject(new Error('pool exhausted'));
    },
    release(_pool: string, m: Mac): Promise<void> {
      held.delete(m);
      return Promise.resolve();
    },
  };
}
