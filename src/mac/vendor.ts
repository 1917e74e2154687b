/**
 * Vendor lookup from the IEEE MA-L (OUI) registry, as packaged by `oui-data`. The registry is 5 MB of JSON,
 * parsed when this module is imported: outer layers import it lazily, only where a vendor is shown.
 */
import ouiRegistry from 'oui-data' with { type: 'json' };
import { isLocal, ouiOf, type Mac } from './mac.js';

const registry = ouiRegistry as Readonly<Record<string, string>>;
const cache = new Map<number, string | undefined>();

/** The organisation registered for the MAC's OUI, or undefined (unregistered, or locally administered). */
export function vendorOf(mac: Mac): string | undefined {
  if (isLocal(mac)) return undefined;
  const oui = ouiOf(mac) & 0xfeffff; // the I/G bit is not part of the assignment
  if (cache.has(oui)) return cache.get(oui);
  const entry = registry[oui.toString(16).toUpperCase().padStart(6, '0')];
  const name = entry?.split('\n', 1)[0]?.trim() || undefined;
  cache.set(oui, name);
  return name;
}
