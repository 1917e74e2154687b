/** VirtualBox `.vbox` machine settings (XML): `VirtualBox/Machine/Hardware/Network/Adapter`. */
import { baseName } from '../text-position.js';
import type { ParseOptions, ParseResult } from '../types.js';
import { parseXmlFormat } from '../xml-adapter.js';
import { findAll } from '../xml-document.js';
import { readVboxMachine } from './vbox-machine.js';

/** Parse a .vbox file. */
export function parseVbox(text: string, options?: ParseOptions): ParseResult {
  return parseXmlFormat(text, options, (ctx, roots) => {
    const machines = findAll(roots, 'Machine');
    if (machines.length === 0)
      ctx.issue('PARSE_ERROR', 'no <Machine> element: not a VirtualBox machine file', 0);
    return machines.flatMap((m) => readVboxMachine(ctx, m, baseName(ctx.file) || '(unnamed VM)'));
  });
}
