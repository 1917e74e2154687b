/** The JSON form of a pool (MACs as canonical text), shared by `pool --json` and the HTTP API. */
import { formatMac, formatMacRange } from '../mac/index.js';
import type { PoolInfo } from './pool-rows.js';

export function poolJson(p: PoolInfo) {
  return {
    name: p.name,
    default: p.isDefault,
    ranges: p.ranges.map((r) => formatMacRange(r)),
    exclusions: p.exclusions.map((r) => formatMacRange(r)),
    quarantineMs: p.quarantineMs,
    size: p.size,
    used: p.used,
    free: p.free,
    quarantined: p.quarantined,
    usedPercent: Number(((100 * p.used) / p.size).toFixed(4)),
    cursor: formatMac(p.cursor),
    createdAt: new Date(p.createdAt).toISOString(),
  };
}
