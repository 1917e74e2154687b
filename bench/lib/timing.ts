/** Shared timing for benchmarks: best-of-N wall-clock runs and a uniform ratio report. */
export interface Measurement {
  readonly label: string;
  /** Best (lowest) time of the rounds, in milliseconds. */
  readonly bestMs: number;
  readonly medianMs: number;
}

/** Run `fn` `rounds` times after one warm-up; keep the best and the median. */
export function measure(label: string, rounds: number, fn: () => void): Measurement {
  fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { label, bestMs: times[0]!, medianMs: times[Math.floor(times.length / 2)]! };
}

/** Async variant for benches that await (child processes, databases). */
export async function measureAsync(
  label: string,
  rounds: number,
  fn: () => Promise<void>,
): Promise<Measurement> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { label, bestMs: times[0]!, medianMs: times[Math.floor(times.length / 2)]! };
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toPrecision(3));

/**
 * Print baseline and subject and the ratio. With `higherIsBetter` the ratio is subject speed over
 * baseline speed (>1 = faster); otherwise it is subject time over baseline time (<1 = faster).
 */
export function report(r: {
  name: string;
  unit: string;
  items: number;
  baseline: Measurement;
  subject: Measurement;
  target: string;
  higherIsBetter: boolean;
}): void {
  const rate = (m: Measurement): number => (r.items / m.medianMs) * 1000;
  console.log(`${r.name}`);
  for (const m of [r.baseline, r.subject]) {
    console.log(
      `  ${m.label.padEnd(40)} median ${fmt(m.medianMs)} ms  best ${fmt(m.bestMs)} ms  (${fmt(rate(m))} ${r.unit})`,
    );
  }
  const ratio = r.higherIsBetter
    ? r.baseline.medianMs / r.subject.medianMs
    : r.subject.medianMs / r.baseline.medianMs;
  const what = r.higherIsBetter ? 'speed vs baseline' : 'time vs baseline';
  console.log(`  ratio (${what}): ${ratio.toFixed(2)}x   target ${r.target}`);
}
