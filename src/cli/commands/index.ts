// Every CLI command module, in the order `macfleet --help` lists them. One line per command module.
import type { RegisterCommand } from '../main.js';
import { registerAllocate } from './allocate-command.js';
import { registerDb } from './db-command.js';
import { registerInit } from './init-command.js';
import { registerMac } from './mac-command.js';
import { registerPool } from './pool-command.js';
import { registerRelease } from './release-command.js';
import { registerReserve } from './reserve-command.js';
import { registerWhois } from './whois-command.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerMac,
  registerInit,
  registerDb,
  registerPool,
  registerAllocate,
  registerReserve,
  registerRelease,
  registerWhois,
];
