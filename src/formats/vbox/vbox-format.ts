/** VirtualBox `.vbox` machine settings (XML): `VirtualBox/Machine/Hardware/Network/Adapter`. */
import { FormatContext } from '../format-context.js';
import { baseName } from '../text-position.js';
import type { AdapterRecord, ParseOptions, ParseResult } from '../types.js';
import { findAll, parseXml } from '../xml-document.js';
import { readVboxMachine } from './vbox-machine.js';

/** Parse a .vbox file. */
export function parseVbox(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const roots = parseXml(ctx);
  const adapters: AdapterRecord[] = [];
  if (roots === null) return { adapters, issues: ctx.issues };
  const machines = findAll(roots, 'Machine');
  if (machines.length === 0)
    ctx.issue('PARSE_ERROR', 'no <Machine> element: not a VirtualBox machine file', 0);
  for (const m of machines) adapters.push(...readVboxMachine(ctx, m, baseName(ctx.file) || '(unnamed VM)'));
  return { adapters, issues: ctx.issues };
}
