// Every domain suite of the Store contract; importing this registers them with runStoreContract.
export {};
