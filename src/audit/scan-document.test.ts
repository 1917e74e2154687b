import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { jsonPath, readScanDocument } from './scan-document.js';

const doc = (adapters: unknown[]): string => JSON.stringify({ files: 1, adapters, findings: [], issues: [] });
const adapter = {
  file: 'ws1/lab/lab.vbox',
  line: 8,
  vm: 'lab',
  host: 'ws1',
  network: 'vboxnet0',
  mac: '08:00:27:a1:b2:c3',
  mode: 'static',
  hypervisor: 'virtualbox',
  column: 54,
  adapter: 'slot 0',
  enabled: true,
  hostPrivate: true,
  segment: 'vboxnet0 on ws1',
};

describe('readScanDocument', () => {
  it('reads an adapter as the scan wrote it, the MAC as a value', () => {
    const { adapters, problems } = readScanDocument(doc([adapter]), 'scan.json');
    expect(problems).toEqual([]);
    expect(adapters).toEqual([{ ...adapter, mac: 0x080027a1b2c3 }]);
  });

  it('takes hostPrivate and segment from the document, not from the network name', () => {
    const shared = { ...adapter, network: 'NAT', hostPrivate: false, segment: 'lab' };
    expect(readScanDocument(doc([shared]), 's').adapters[0]).toMatchObject({
      hostPrivate: false,
      segment: 'lab',
    });
  });

  it('derives both for documents written before they existed, and fills what hand-written ones leave out', () => {
    const old = doc([
      {
        vm: 'a',
        mac: '0800.27a1.b2c3',
        mode: 'static',
        hypervisor: 'virtualbox',
        network: 'NAT',
        host: 'ws1',
      },
      { vm: 'b', mac: null, mode: 'dynamic', hypervisor: 'libvirt', network: 'user (SLIRP)' },
    ]);
    const { adapters, problems } = readScanDocument(old, 'old.json');
    expect(problems).toEqual([]);
    expect(adapters).toEqual([
      {
        file: 'old.json',
        line: 0,
        column: 0,
        adapter: '',
        vm: 'a',
        host: 'ws1',
        network: 'NAT',
        mac: 0x080027a1b2c3,
        mode: 'static',
        hypervisor: 'virtualbox',
        enabled: true,
        hostPrivate: true,
        segment: 'NAT on ws1',
      },
      {
        file: 'old.json',
        line: 0,
        column: 0,
        adapter: '',
        vm: 'b',
        host: null,
        network: 'user (SLIRP)',
        mac: null,
        mode: 'dynamic',
        hypervisor: 'libvirt',
        enabled: true,
        hostPrivate: false,
        segment: null,
      },
    ]);
  });

  it('reports each bad field at its JSON path and keeps the good adapters', () => {
    const { adapters, problems } = readScanDocument(
      doc([
        { ...adapter, mac: '08:00:27', hostPrivate: 'yes' },
        adapter,
        'eth0',
        { ...adapter, mode: 'sometimes', line: -2 },
      ]),
      's.json',
    );
    expect(adapters).toHaveLength(1);
    expect(problems.map((p) => [p.field, p.path])).toEqual([
      ['adapters[0].mac', ['adapters', 0, 'mac']],
      ['adapters[0].hostPrivate', ['adapters', 0, 'hostPrivate']],
      ['adapters[2]', ['adapters', 2]],
      ['adapters[3].line', ['adapters', 3, 'line']],
      ['adapters[3].mode', ['adapters', 3, 'mode']],
    ]);
    expect(problems[0]!.message).toMatch(/^adapters\[0\]\.mac: invalid MAC "08:00:27": wrong length/);
    expect(problems[1]!.message).toBe(
      'adapters[0].hostPrivate: Invalid input: expected boolean, received string',
    );
  });

  it('refuses what is not a scan document at all', () => {
    expect(() => readScanDocument('{"files": 1', 's.json')).toThrow(/^s\.json: not JSON/);
    try {
      readScanDocument('{"adapters": {}}', 's.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MacfleetError);
      expect((e as MacfleetError).location).toEqual({ file: 's.json', field: 'adapters' });
    }
  });

  it('jsonPath', () => {
    expect(jsonPath(['adapters', 3, 'mac'])).toBe('adapters[3].mac');
    expect(jsonPath([])).toBe('(document)');
  });
});
