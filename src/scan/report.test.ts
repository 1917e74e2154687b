import { describe, expect, it } from 'vitest';
import { ScanDocumentSchema } from '../audit/scan-document.js';
import type { AdapterRecord } from '../formats/types.js';
import { parseMac } from '../mac/index.js';
import { renderAdapters, scanJsonText } from './report.js';
import type { ScanResult } from './scan.js';

const adapter = (vm: string, extra: Partial<AdapterRecord>): AdapterRecord => ({
  file: `h1/${vm}.xml`,
  line: 6,
  column: 21,
  vm,
  adapter: 'interface 0 (network)',
  mac: parseMac('52:54:00:aa:00:01'),
  macText: '52:54:00:aa:00:01',
  macSpan: { offset: 120, length: 17, line: 6, column: 21 },
  mode: 'unknown',
  network: 'default',
  hostPrivate: true,
  hypervisor: 'libvirt',
  host: 'h1',
  enabled: true,
  ...extra,
});

const result: ScanResult = {
  files: 3,
  filesSeen: 4,
  formats: { 'libvirt-xml': 2, vmx: 1 },
  adapters: [
    adapter('web1', { path: '/domain/devices/interface[1]/mac/@address' }),
    adapter('web2', { network: 'user (SLIRP)' }),
    adapter('db', { hypervisor: 'vmware', network: 'VM Network', hostPrivate: false, host: null, mac: null }),
  ],
  findings: [
    {
      kind: 'invalid',
      severity: 'error',
      mac: '01:00:5e:00:00:fb',
      message: 'm',
      fix: 'f',
      members: [
        {
          file: 'a.csv',
          line: 4,
          column: 31,
          vm: 'x',
          host: null,
          network: null,
          adapter: 'eth0',
          mac: '01:00:5e:00:00:fb',
        },
      ],
    },
  ],
  issues: [{ file: 'b.vmx', code: 'IO_ERROR', severity: 'error', message: 'cannot read' }],
  segmentRules: [{ segment: 'lab', host: '*', network: 'VM Network' }],
};

// Written out by hand: the document's bytes are what users' scripts read.
const WANT =
  '{"files":3,"adapters":[' +
  '{"file":"h1/web1.xml","line":6,"vm":"web1","host":"h1","network":"default","mac":"52:54:00:aa:00:01","mode":"unknown","hypervisor":"libvirt","column":21,"path":"/domain/devices/interface[1]/mac/@address","adapter":"interface 0 (network)","enabled":true,"hostPrivate":true,"segment":"default on h1"},' +
  '{"file":"h1/web2.xml","line":6,"vm":"web2","host":"h1","network":"user (SLIRP)","mac":"52:54:00:aa:00:01","mode":"unknown","hypervisor":"libvirt","column":21,"adapter":"interface 0 (network)","enabled":true,"hostPrivate":true,"segment":null},' +
  '{"file":"h1/db.xml","line":6,"vm":"db","host":null,"network":"VM Network","mac":null,"mode":"unknown","hypervisor":"vmware","column":21,"adapter":"interface 0 (network)","enabled":true,"hostPrivate":false,"segment":"lab"}' +
  '],"findings":[{"kind":"invalid","severity":"error","mac":"01:00:5e:00:00:fb","message":"m","fix":"f","members":[{"file":"a.csv","line":4,"vm":"x","host":null,"network":null,"column":31,"adapter":"eth0"}]}],' +
  '"issues":[{"file":"b.vmx","code":"IO_ERROR","message":"cannot read","severity":"error"}],' +
  '"formats":{"libvirt-xml":2,"vmx":1},"filesSeen":4}\n';

describe('scanJsonText', () => {
  it('writes the documented shape, with hostPrivate and the segment the audit used', () => {
    expect(scanJsonText(result)).toBe(WANT);
  });

  it('is the same whether the adapters are rendered while the scan runs, in runs, or at the end', () => {
    const rules = result.segmentRules;
    const chunks = [
      renderAdapters(result.adapters.slice(0, 1), rules),
      renderAdapters(result.adapters.slice(1), rules),
    ];
    expect(scanJsonText(result, chunks)).toBe(WANT);
    expect(scanJsonText(result, [Buffer.from(chunks.join(','))])).toBe(WANT);
  });

  it('is a valid scan document', () => {
    expect(ScanDocumentSchema.safeParse(JSON.parse(WANT)).success).toBe(true);
  });
});
