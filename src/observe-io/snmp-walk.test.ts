/**
 * The SNMP walk against an in-process agent built with the same `net-snmp` package, serving a
 * Q-BRIDGE-MIB forwarding table, dot1dBasePortIfIndex and IF-MIB ifName on 127.0.0.1.
 */
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../observe/snmp/bridge-mib.js';
import { parseSnmpUrl, walkSnmp } from './snmp-walk.js';

const PORT = 20000 + (process.pid % 20000);
/** The part of the agent these tests use (@types/net-snmp types createAgent as `any`). */
interface TestAgent {
  getMib(): { registerProvider(p: object): void; addTableRow(name: string, row: unknown[]): void };
  close(): void;
}
let agent: TestAgent;

const column = (number: number, name: string, type: number) => ({
  number,
  name,
  type,
  maxAccess: snmp.MaxAccess['read-only'],
});

beforeAll(async () => {
  agent = snmp.createAgent({ port: PORT, address: '127.0.0.1', disableAuthorization: true }, () => {});
  const mib = agent.getMib();
  mib.registerProvider({
    name: 'dot1qTpFdbEntry',
    type: snmp.MibProviderType.Table,
    oid: OID.dot1qTpFdbEntry,
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [
      column(0, 'dot1qFdbId', snmp.ObjectType.Integer),
      column(1, 'dot1qTpFdbAddress', snmp.ObjectType.OctetString),
      column(2, 'dot1qTpFdbPort', snmp.ObjectType.Integer),
      column(3, 'dot1qTpFdbStatus', snmp.ObjectType.Integer),
    ],
    tableIndex: [{ columnName: 'dot1qFdbId' }, { columnName: 'dot1qTpFdbAddress', implied: true }],
  });
  const mac = (s: string) => Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
  mib.addTableRow('dot1qTpFdbEntry', [10, mac('52:54:00:aa:bb:01'), 3, 3]);
  mib.addTableRow('dot1qTpFdbEntry', [10, mac('00:1b:21:00:00:09'), 1, 4]);
  mib.addTableRow('dot1qTpFdbEntry', [20, mac('52:54:00:aa:bb:02'), 5, 3]);
  mib.registerProvider({
    name: 'dot1dBasePortEntry',
    type: snmp.MibProviderType.Table,
    oid: '1.3.6.1.2.1.17.1.4.1',
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [
      column(1, 'dot1dBasePort', snmp.ObjectType.Integer),
      column(2, 'dot1dBasePortIfIndex', snmp.ObjectType.Integer),
    ],
    tableIndex: [{ columnName: 'dot1dBasePort' }],
  });
  mib.addTableRow('dot1dBasePortEntry', [3, 10003]);
  mib.addTableRow('dot1dBasePortEntry', [5, 10005]);
  mib.registerProvider({
    name: 'ifXEntry',
    type: snmp.MibProviderType.Table,
    oid: '1.3.6.1.2.1.31.1.1.1',
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [
      column(0, 'ifIndex', snmp.ObjectType.Integer),
      column(1, 'ifName', snmp.ObjectType.OctetString),
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.addTableRow('ifXEntry', [10003, 'Gi1/0/3']);
  mib.addTableRow('ifXEntry', [10005, 'Gi1/0/5']);
  await new Promise((r) => setTimeout(r, 100));
});
afterAll(() => agent.close());

describe('SNMP walk', () => {
  it('reads the Q-BRIDGE forwarding table with VLANs and port names; self entries left out', async () => {
    const r = await walkSnmp(
      `snmp://public@127.0.0.1:${PORT}`,
      { cwd: '.', host: null, hostFromPath: null, segment: null, uplinks: [], takenAt: null },
      () => Date.parse('2026-11-29T08:00:00Z'),
    );
    expect(r.issues).toEqual([]);
    expect(r.source!.name).toBe(`snmp://127.0.0.1:${PORT}`);
    expect(r.source!.observations.map((o) => [o.mac, o.port, o.vlan, o.host, o.last])).toEqual([
      ['52:54:00:aa:bb:01', 'Gi1/0/3', 10, '127.0.0.1', '2026-11-29T08:00:00.000Z'],
      ['52:54:00:aa:bb:02', 'Gi1/0/5', 20, '127.0.0.1', '2026-11-29T08:00:00.000Z'],
    ]);
  });

  it('an agent that does not answer is an issue, not a crash', async () => {
    const r = await walkSnmp(`snmp://public@127.0.0.1:${PORT + 1}`, {
      cwd: '.',
      host: null,
      hostFromPath: null,
      segment: null,
      uplinks: [],
      takenAt: null,
    });
    expect(r.source).toBeNull();
    expect(r.issues[0]).toMatchObject({ code: 'SNMP_FAILED' });
  });

  it('parses snmp:// URLs', () => {
    expect(parseSnmpUrl('snmp://s3cret@sw1.example:1161')).toEqual({
      community: 's3cret',
      host: 'sw1.example',
      port: 1161,
    });
    expect(parseSnmpUrl('snmp://sw1')).toEqual({ community: 'public', host: 'sw1', port: 161 });
    expect(parseSnmpUrl('http://sw1')).toBeNull();
  });
});
