/**
 * Rewriting libvirt domain XML: the `<mac address=...>` attribute value; dynamic removes the `<mac>`
 * element, and libvirt generates an address (52:54:00 + random) when the domain is defined.
 */
import { checkedReplacements, removeXmlElement, setMac, type MacEdit, type Replacement } from '../rewrite.js';

export function libvirtReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  return checkedReplacements(
    text,
    edits.map((e) => (e.kind === 'set' ? setMac(text, e) : removeXmlElement(text, e, 'mac'))),
  );
}
