/**
 * MAC parse + format throughput: macfleet's parseMac/formatMac against a regex-and-parseInt baseline
 * written here, over the same mixed-notation inputs. Prints both rates and the ratio (expect >= 2x).
 */
import { formatMac, MAC_NOTATIONS, parseMac } from '../src/mac/index.js';
import { seededRandom } from '../src/random.js';
import { measure, report } from './lib/timing.js';

const N = 200_000;
const random = seededRandom(42);
const inputs: string[] = [];
for (let i = 0; i < N; i++) {
  const mac = (random.nextUint32() & 0xffff) * 2 ** 32 + random.nextUint32();
  const notation = MAC_NOTATIONS[i % MAC_NOTATIONS.length]!;
  const text = formatMac(mac as never, notation);
  inputs.push(i % 2 === 0 ? text : text.toLowerCase());
}

// The baseline: what a careful script would write — one regex per notation, parseInt, then a format.
const SEP = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;
const CISCO = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;
function baselineParse(text: string): number {
  const t = text.trim();
  let hex: string;
  let m = SEP.exec(t);
  if (m) hex = m[1]! + m[3]! + m[4]! + m[5]! + m[6]! + m[7]!;
  else if ((m = CISCO.exec(t))) hex = m[1]! + m[2]! + m[3]!;
  else if (BARE.test(t)) hex = t;
  else throw new Error(`invalid MAC ${t}`);
  return parseInt(hex, 16);
}
function baselineFormat(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

let sink = 0;
const rounds = 10;
const base = measure('baseline regex + parseInt', rounds, () => {
  for (const s of inputs) sink += baselineFormat(baselineParse(s)).length;
});
const ours = measure('macfleet parseMac + formatMac', rounds, () => {
  for (const s of inputs) sink += formatMac(parseMac(s)).length;
});
// Same answers, or the comparison means nothing.
for (let i = 0; i < 1000; i++) {
  if (baselineFormat(baselineParse(inputs[i]!)) !== formatMac(parseMac(inputs[i]!)))
    throw new Error(`mismatch on ${inputs[i]}`);
}
report({
  name: 'mac parse+format',
  unit: 'MACs/s',
  items: N,
  baseline: base,
  subject: ours,
  target: '>= 2x baseline',
  higherIsBetter: true,
});
if (sink === 0) console.log('');
