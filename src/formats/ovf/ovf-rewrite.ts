/**
 * Rewriting an OVF descriptor: the `rasd:Address` / `rasd:MACAddress` (or `epasd:`) text of an Ethernet
 * item, or the embedded VirtualBox machine's `MACAddress` attribute. Dynamic removes the item's address
 * element (the importing hypervisor then generates one); the embedded VirtualBox machine has no dynamic
 * setting.
 */
import { MacfleetError } from '../../errors.js';
import { checkedReplacements, removeXmlElement, setMac, type MacEdit, type Replacement } from '../rewrite.js';

/** Whether the MAC at `offset` is an attribute value (the embedded VirtualBox machine) rather than element text. */
export const ovfMacIsAttribute = (text: string, offset: number): boolean =>
  text[offset - 1] === '"' || text[offset - 1] === "'";

export function ovfReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  return checkedReplacements(
    text,
    edits.map((e) => {
      if (e.kind === 'set') return setMac(text, e);
      if (ovfMacIsAttribute(text, e.offset))
        throw new MacfleetError('INVALID_ARGUMENT', `${e.adapter}: VirtualBox has no dynamic MAC setting`);
      const start = text.lastIndexOf('<', e.offset);
      const name = /^<(?:[\w.-]+:)?([\w.-]+)/.exec(text.slice(start, start + 128))?.[1] ?? 'Address';
      return removeXmlElement(text, e, name);
    }),
  );
}
