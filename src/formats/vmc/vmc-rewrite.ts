/**
 * Rewriting a Virtual Server `.vmc`: the `ethernet_card_address` text (12 hex digits); dynamic empties
 * it, and Virtual Server generates an address at the next start. The encoding (UTF-16 with its BOM) is
 * the caller's: edits apply to the decoded text and go back in the same encoding.
 */
import { checkedReplacements, macAt, setMac, type MacEdit, type Replacement } from '../rewrite.js';

export function vmcReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  return checkedReplacements(
    text,
    edits.map((e) =>
      e.kind === 'set' ? setMac(text, e) : { offset: e.offset, old: macAt(text, e), text: '' },
    ),
  );
}
