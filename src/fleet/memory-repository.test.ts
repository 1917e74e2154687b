import { describe } from 'vitest';
import { fleetRepositoryContract } from '../../test/fleet/fleet-repository-contract.js';
import { MemoryFleetRepository } from './memory-repository.js';

describe('MemoryFleetRepository', () => {
  fleetRepositoryContract(() => Promise.resolve(new MemoryFleetRepository()));
});
