/** IPv4 addresses as unsigned 32-bit integers: the hypervisor schemes and NLB derive MACs from their octets. */
import { MacfleetError } from '../errors.js';

export type Ipv4 = number;

/** Parse dotted-quad IPv4 (`10.1.5.20`); throws INVALID_ARGUMENT naming the bad part. */
export function parseIpv4(input: string, field = 'IPv4 address'): Ipv4 {
  const text = input.trim();
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid ${field} ${JSON.stringify(input)}: expected four decimal octets such as 10.1.5.20`,
      { location: { field } },
    );
  }
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `invalid ${field} ${JSON.stringify(input)}: octet ${i + 1} ${JSON.stringify(p)} is not a number 0..255`,
        { location: { field } },
      );
    }
    value = value * 256 + Number(p);
  }
  return value;
}

export function ipv4Octets(ip: Ipv4): [number, number, number, number] {
  return [(ip >>> 24) & 255, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
}

export const formatIpv4 = (ip: Ipv4): string => ipv4Octets(ip).join('.');

export const ipv4FromOctets = (o: readonly [number, number, number, number]): Ipv4 =>
  ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
