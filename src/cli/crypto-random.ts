/** Moved to src/crypto-random.ts (the API needs it too); kept so existing CLI imports stay valid. */
export { cryptoRandom } from '../crypto-random.js';
