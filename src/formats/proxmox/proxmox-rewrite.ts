/**
 * Rewriting a Proxmox guest config: the MAC inside `netN:` of the current configuration (the parser
 * reports no other; snapshot, `[PENDING]` and `[special:...]` sections are never edited). Proxmox writes
 * the MAC it generates into the file, so there is no dynamic setting to switch to.
 */
import { MacfleetError } from '../../errors.js';
import { checkedReplacements, setMac, type MacEdit, type Replacement } from '../rewrite.js';

export function proxmoxReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  const current = text.search(/^\[/m);
  return checkedReplacements(
    text,
    edits.map((e) => {
      if (e.kind !== 'set')
        throw new MacfleetError('INVALID_ARGUMENT', `${e.adapter}: Proxmox has no dynamic MAC setting`);
      if (current >= 0 && e.offset >= current)
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `${e.adapter}: a snapshot or pending section is history, never edited`,
        );
      return setMac(text, e);
    }),
  );
}
