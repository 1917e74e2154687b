/**
 * Prometheus metrics of one serve process (prom-client, its own registry so tests and several apps in
 * one process never share counters): requests by route and status, latency, allocations, pool
 * utilisation per pool (read from the store at scrape time), store errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly allocations: Counter<'pool'>;
  readonly storeErrors: Counter<'code'>;
  readonly poolUsed: Gauge<'pool'>;
  readonly poolSize: Gauge<'pool'>;
  readonly poolUtilisation: Gauge<'pool'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'macfleet_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'macfleet_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.allocations = new Counter({
      name: 'macfleet_allocated_macs_total',
      help: 'MACs handed out (durably) by this process, by pool',
      labelNames: ['pool'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'macfleet_store_errors_total',
      help: 'requests that failed because the store was unavailable or failed',
      labelNames: ['code'],
      registers,
    });
    this.poolUsed = new Gauge({
      name: 'macfleet_pool_used_macs',
      help: 'MACs held in the pool',
      labelNames: ['pool'],
      registers,
    });
    this.poolSize = new Gauge({
      name: 'macfleet_pool_size_macs',
      help: 'MACs the pool can hand out',
      labelNames: ['pool'],
      registers,
    });
    this.poolUtilisation = new Gauge({
      name: 'macfleet_pool_utilisation_ratio',
      help: 'used / size of each pool (0..1)',
      labelNames: ['pool'],
      registers,
    });
    if (options.processMetrics === true)
      collectDefaultMetrics({ register: this.registry, prefix: 'macfleet_' });
  }

  /** Set the pool gauges from a fresh listing (called at scrape time). */
  setPools(pools: readonly { name: string; size: number; used: number }[]): void {
    this.poolUsed.reset();
    this.poolSize.reset();
    this.poolUtilisation.reset();
    for (const p of pools) {
      this.poolUsed.set({ pool: p.name }, p.used);
      this.poolSize.set({ pool: p.name }, p.size);
      this.poolUtilisation.set({ pool: p.name }, p.size === 0 ? 0 : p.used / p.size);
    }
  }
}
