/** Rewriting a VirtualBox `.vbox`: the `MACAddress` attribute. VirtualBox has no dynamic setting. */
import { MacfleetError } from '../../errors.js';
import { checkedReplacements, setMac, type MacEdit, type Replacement } from '../rewrite.js';

export function vboxReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  return checkedReplacements(
    text,
    edits.map((e) => {
      if (e.kind !== 'set')
        throw new MacfleetError('INVALID_ARGUMENT', `${e.adapter}: VirtualBox has no dynamic MAC setting`);
      return setMac(text, e);
    }),
  );
}
