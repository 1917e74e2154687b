/**
 * The hosts file of `macfleet collide` (YAML, or JSON — a YAML subset):
 *
 * ```yaml
 * hosts:
 *   - { name: hv-a, hypervisor: hyper-v, ip: 10.1.5.20 }
 *   - { name: vs-1, hypervisor: virtual-server, nics: ["00-16-31-53-32-68", "02-00-4c-4f-4f-50,loopback"] }
 * ```
 *
 * Parsing only (text in, HostSpec[] out); reading the file is the caller's job. Every problem is a
 * PARSE_ERROR naming the line, column and field (`hosts[2].ip`) and what was expected.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { MacfleetError, type ErrorLocation } from '../errors.js';
import { parseIpv4, parseMac, type Mac } from '../mac/index.js';
import { seededRandom } from '../random.js';
import { hostModel, HYPERVISORS, type Hypervisor, type HostSpec } from './fleet-hosts.js';
import { parseVsNic, type VsNic } from './virtual-server-scheme.js';

const HOST_FIELDS = [
  'name',
  'hypervisor',
  'ip',
  'nics',
  'min',
  'max',
  'instanceId',
  'prefix',
  'prefixLength',
  'adapters',
] as const;

class Reader {
  private readonly lines = new LineCounter();
  constructor(
    readonly text: string,
    readonly file: string | undefined,
  ) {}

  parse(): Node | null {
    const doc = parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false });
    const err = doc.errors[0];
    if (err) {
      const { line, col } = this.lines.linePos(err.pos[0]);
      throw this.error(`not valid YAML or JSON: ${err.message.split('\n')[0]}`, { line, column: col });
    }
    return doc.contents;
  }

  where(node: Node | null | undefined, field: string): ErrorLocation {
    const loc: { file?: string; line?: number; column?: number; field: string } = { field };
    if (this.file !== undefined) loc.file = this.file;
    if (node?.range) {
      const { line, col } = this.lines.linePos(node.range[0]);
      loc.line = line;
      loc.column = col;
    }
    return loc;
  }

  error(message: string, loc: ErrorLocation, cause?: unknown): MacfleetError {
    const at = [this.file, loc.line !== undefined ? `line ${loc.line}` : undefined, loc.field]
      .filter(Boolean)
      .join(', ');
    const options: { location: ErrorLocation; cause?: unknown } = {
      location: { ...(this.file !== undefined ? { file: this.file } : {}), ...loc },
    };
    if (cause !== undefined) options.cause = cause;
    return new MacfleetError('PARSE_ERROR', `${at ? `${at}: ` : ''}${message}`, options);
  }

  fail(node: Node | null | undefined, field: string, message: string, cause?: unknown): never {
    throw this.error(message, this.where(node, field), cause);
  }

  /** The scalar's text as written: `001122334455` or `005026` stay strings (YAML would read numbers). */
  text_(node: Node | null | undefined, field: string, expected: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'boolean') {
      this.fail(node, field, `expected ${expected}`);
    }
    if (typeof node.value === 'string') return node.value;
    if (node.range) return this.text.slice(node.range[0], node.range[1]).trim();
    return this.fail(node, field, `expected ${expected}`);
  }

  integer(node: Node | null | undefined, field: string, min: number, max: number): number {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(node, field, `expected an integer ${min}..${max}`);
    }
    return v;
  }

  /** Run a core parser on a field's text, re-raising its error as a PARSE_ERROR at the field. */
  convert<T>(node: Node | null | undefined, field: string, expected: string, parse: (s: string) => T): T {
    const s = this.text_(node, field, expected);
    try {
      return parse(s);
    } catch (e) {
      if (e instanceof MacfleetError) this.fail(node, field, `${e.message} (expected ${expected})`, e);
      throw e;
    }
  }
}

/** Parse a hosts file. @throws MacfleetError PARSE_ERROR with file/line/column/field. */
export function parseHostsFile(text: string, file?: string): HostSpec[] {
  const r: Reader = new Reader(text, file);
  const root = r.parse();
  if (!isMap(root)) r.fail(root, 'hosts', 'expected a mapping with a "hosts" list at the top level');
  const hostsNode = root.get('hosts', true) as Node | undefined;
  if (!isSeq(hostsNode)) r.fail(hostsNode ?? root, 'hosts', 'expected "hosts:" followed by a list of hosts');
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (key !== 'hosts')
      r.fail(pair.key as Node, key, `unknown top-level key ${JSON.stringify(key)}; expected only "hosts"`);
  }
  const names = new Map<string, number>();
  return hostsNode.items.map((item, i) => {
    const spec = parseHost(r, item as Node, `hosts[${i}]`);
    const prev = names.get(spec.name);
    if (prev !== undefined)
      r.fail(
        (item as YAMLMap).get('name', true),
        `hosts[${i}].name`,
        `duplicate host name ${JSON.stringify(spec.name)} (also hosts[${prev}])`,
      );
    names.set(spec.name, i);
    return spec;
  });
}

function parseHost(r: Reader, node: Node, path: string): HostSpec {
  if (!isMap(node)) r.fail(node, path, 'expected a host mapping {name, hypervisor, ...}');
  const get = (k: string): Node | undefined => node.get(k, true);
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!(HOST_FIELDS as readonly string[]).includes(key)) {
      r.fail(
        pair.key as Node,
        `${path}.${key}`,
        `unknown field ${JSON.stringify(key)}; expected one of ${HOST_FIELDS.join(', ')}`,
      );
    }
  }
  const nameNode = get('name');
  if (nameNode === undefined) r.fail(node, `${path}.name`, 'missing "name"');
  const name = r.text_(nameNode, `${path}.name`, 'a host name');
  if (name.trim() === '') r.fail(nameNode, `${path}.name`, 'expected a non-empty host name');
  const hvNode = get('hypervisor');
  if (hvNode === undefined)
    r.fail(node, `${path}.hypervisor`, `missing "hypervisor" (one of ${HYPERVISORS.join(', ')})`);
  const hv = r.text_(hvNode, `${path}.hypervisor`, `one of ${HYPERVISORS.join(', ')}`);
  if (!(HYPERVISORS as readonly string[]).includes(hv)) {
    r.fail(
      hvNode,
      `${path}.hypervisor`,
      `unknown hypervisor ${JSON.stringify(hv)}; expected one of ${HYPERVISORS.join(', ')}`,
    );
  }
  const spec: { -readonly [K in keyof HostSpec]: HostSpec[K] } = { name, hypervisor: hv as Hypervisor };
  const mac = (k: 'min' | 'max'): Mac | undefined => {
    const n = get(k);
    return n === undefined
      ? undefined
      : r.convert(n, `${path}.${k}`, 'a MAC such as 00-15-5D-05-14-00', parseMac);
  };
  const ipNode = get('ip');
  if (ipNode !== undefined)
    spec.ip = r.convert(ipNode, `${path}.ip`, 'an IPv4 address such as 10.1.5.20', (s) => parseIpv4(s));
  const min = mac('min');
  const max = mac('max');
  if (min !== undefined) spec.min = min;
  if (max !== undefined) spec.max = max;
  if ((min === undefined) !== (max === undefined)) {
    r.fail(
      get(min === undefined ? 'max' : 'min'),
      `${path}.${min === undefined ? 'min' : 'max'}`,
      'min and max go together',
    );
  }
  const nicsNode = get('nics');
  if (nicsNode !== undefined) {
    if (!isSeq(nicsNode))
      r.fail(nicsNode, `${path}.nics`, 'expected a list of "<mac>", "<mac>,loopback" or "<mac>,bridge"');
    spec.nics = nicsNode.items.map((n, j): VsNic =>
      r.convert(n as Node, `${path}.nics[${j}]`, '"<mac>", "<mac>,loopback" or "<mac>,bridge"', (s) =>
        parseVsNic(s),
      ),
    );
  }
  const idNode = get('instanceId');
  if (idNode !== undefined) spec.instanceId = r.integer(idNode, `${path}.instanceId`, 0, 63);
  const prefixNode = get('prefix');
  if (prefixNode !== undefined)
    spec.prefix = r.text_(prefixNode, `${path}.prefix`, 'a MAC prefix such as 005026 or BC:24:11');
  const lenNode = get('prefixLength');
  if (lenNode !== undefined) spec.prefixLength = r.integer(lenNode, `${path}.prefixLength`, 1, 48);
  const adaptersNode = get('adapters');
  if (adaptersNode !== undefined) spec.adapters = r.integer(adaptersNode, `${path}.adapters`, 0, 2 ** 32);

  const applies = ['name', 'hypervisor', 'adapters', ...APPLIES[spec.hypervisor]];
  for (const pair of node.items) {
    const key = String((pair.key as { value?: unknown }).value);
    if (!applies.includes(key)) {
      const takes = APPLIES[spec.hypervisor];
      r.fail(
        pair.key as Node,
        `${path}.${key}`,
        `"${key}" does not apply to ${spec.hypervisor} hosts (they take ${takes.length > 0 ? takes.join(', ') : 'only name and adapters'})`,
      );
    }
  }
  // Build the model once so a missing or inconsistent parameter is reported here, with its line.
  try {
    hostModel(spec, VALIDATION_RANDOM);
  } catch (e) {
    if (e instanceof MacfleetError) r.fail(node, path, `${e.message}`, e);
    throw e;
  }
  return spec;
}

/** Which optional fields each hypervisor takes (besides name, hypervisor and adapters). */
const APPLIES: Record<Hypervisor, readonly string[]> = {
  'virtual-server': ['nics'],
  'hyper-v': ['ip', 'min', 'max'],
  vmware: [],
  vcenter: ['instanceId', 'prefix', 'prefixLength', 'min', 'max'],
  qemu: [],
  libvirt: [],
  xen: [],
  'xcp-ng': [],
  virtualbox: [],
  proxmox: ['prefix'],
};

// Models draw nothing when built; this only satisfies the signature.
const VALIDATION_RANDOM = seededRandom(0);
