import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../formats/registry.js';
import { readConfig, type FileResult } from './read-config.js';
import { decodeResults, encodeResults } from './wire.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

describe('worker wire form', () => {
  it('round-trips every result of the example fleet and the test fixtures exactly', () => {
    const files = [
      ...filesUnder(join(repo, 'examples', 'fleet')),
      ...filesUnder(join(repo, 'test', 'fixtures')),
      join(repo, 'README.md'), // not a VM config: no format
    ];
    const results: FileResult[] = files.map((f) => readConfig(f, 16 * 1024 * 1024));
    // The sample must exercise what the form has to carry: optional fields, no-MAC adapters, issues.
    const adapters = results.flatMap((r) => r.adapters);
    expect(adapters.some((a) => a.path !== undefined)).toBe(true);
    expect(adapters.some((a) => a.macSpan === null)).toBe(true);
    expect(results.some((r) => r.format === undefined)).toBe(true);
    expect(results.some((r) => r.issues.length > 0)).toBe(true);
    expect(decodeResults(structuredClone(encodeResults(results, files)), files)).toStrictEqual(results);
    // A record naming another file than the batch's keeps its own.
    const other = files.map((f) => `${f}.other`);
    expect(decodeResults(structuredClone(encodeResults(results, other)), other)).toStrictEqual(results);
  });

  it('carries the optional checkMacRange and macSpoofing fields', () => {
    const vmx = PARSERS.vmx(
      'ethernet0.present = "TRUE"\nethernet0.addressType = "static"\nethernet0.address = "00:11:22:33:44:55"\nethernet0.checkMACAddress = "FALSE"\n',
      { file: 'a.vmx' },
    );
    const hyperv = PARSERS['hyperv-json'](
      '{"VMName":"a","Name":"nic","MacAddress":"00155D010203","DynamicMacAddressEnabled":false,"MacAddressSpoofing":"On","SwitchName":"ext"}',
      { file: 'a.json' },
    );
    expect(vmx.adapters[0]?.checkMacRange).toBe(false);
    expect(hyperv.adapters[0]?.macSpoofing).toBe(true);
    const r: FileResult[] = [
      { ...vmx, format: 'vmx' },
      { ...hyperv, format: 'hyperv-json' },
    ];
    expect(
      decodeResults(structuredClone(encodeResults(r, ['a.vmx', 'a.json'])), ['a.vmx', 'a.json']),
    ).toStrictEqual(r);
  });

  it('carries an empty batch and files with no adapters', () => {
    expect(decodeResults(encodeResults([], []), [])).toStrictEqual([]);
    const r: FileResult[] = [
      { adapters: [], issues: [] },
      { adapters: [], issues: [], format: 'vmx' },
    ];
    expect(decodeResults(encodeResults(r, ['a', 'b']), ['a', 'b'])).toStrictEqual(r);
  });
});
