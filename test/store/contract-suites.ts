// Every domain suite of the Store contract; importing this registers them with runStoreContract.
import './fleet-store-contract.js';
