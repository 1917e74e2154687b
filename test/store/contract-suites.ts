// Every domain suite of the Store contract; importing this registers them with runStoreContract.
import { poolContract } from './pool-contract.js';
import { addContractSuite } from './store-contract.js';
import './fleet-store-contract.js';

addContractSuite('pools and allocations', poolContract);
