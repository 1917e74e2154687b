/**
 * Every CLI command module, in the order `macfleet --help` lists them, with the top-level commands each
 * one registers. A run loads only the module of the command it names (a module pulls in its whole stack:
 * stores, parsers, the lab), so `macfleet scan` does not pay for loading the lab or the databases; help,
 * a bare `macfleet` or an unknown command loads them all. `index.test.ts` checks the names stay true.
 */
import type { RegisterCommand } from '../main.js';

export interface CommandModule {
  /** Top-level command names the module registers. */
  readonly names: readonly string[];
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['mac'], load: async () => (await import('./mac-command.js')).registerMac },
  { names: ['scan'], load: async () => (await import('./scan-command.js')).registerScan },
  { names: ['predict'], load: async () => (await import('./predict-command.js')).registerPredict },
  { names: ['nlb'], load: async () => (await import('./nlb-command.js')).registerNlb },
  { names: ['collide'], load: async () => (await import('./collide-command.js')).registerCollide },
  { names: ['init'], load: async () => (await import('./init-command.js')).registerInit },
  { names: ['db'], load: async () => (await import('./db-command.js')).registerDb },
  { names: ['pool'], load: async () => (await import('./pool-command.js')).registerPool },
  { names: ['allocate'], load: async () => (await import('./allocate-command.js')).registerAllocate },
  { names: ['reserve'], load: async () => (await import('./reserve-command.js')).registerReserve },
  { names: ['release'], load: async () => (await import('./release-command.js')).registerRelease },
  { names: ['whois'], load: async () => (await import('./whois-command.js')).registerWhois },
  { names: ['host', 'network'], load: async () => (await import('./host-command.js')).registerHost },
  { names: ['vm', 'adapter'], load: async () => (await import('./vm-command.js')).registerVm },
  {
    names: ['events', 'history', 'findings', 'import'],
    load: async () => (await import('./events-command.js')).registerEvents,
  },
  { names: ['lab'], load: async () => (await import('./lab-command.js')).registerLab },
  { names: ['doctor'], load: async () => (await import('./doctor-command.js')).registerDoctor },
  { names: ['serve'], load: async () => (await import('./serve-command.js')).registerServe },
  { names: ['token'], load: async () => (await import('./token-command.js')).registerToken },
];

/**
 * The register functions a run needs: the named command's module alone when the first argument names
 * one (global options take no values, so the first non-option argument is the command), else all.
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const name = argv.find((a) => !a.startsWith('-'));
  const one = COMMAND_MODULES.find((m) => name !== undefined && m.names.includes(name));
  return Promise.all((one === undefined ? COMMAND_MODULES : [one]).map((m) => m.load()));
}
