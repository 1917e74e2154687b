// Every CLI command module, in the order `macfleet --help` lists them. One line per command module.
import type { RegisterCommand } from '../main.js';
import { registerAllocate } from './allocate-command.js';
import { registerCollide } from './collide-command.js';
import { registerDb } from './db-command.js';
import { registerDoctor } from './doctor-command.js';
import { registerEvents } from './events-command.js';
import { registerHost } from './host-command.js';
import { registerInit } from './init-command.js';
import { registerLab } from './lab-command.js';
import { registerMac } from './mac-command.js';
import { registerNlb } from './nlb-command.js';
import { registerPool } from './pool-command.js';
import { registerPredict } from './predict-command.js';
import { registerRelease } from './release-command.js';
import { registerReserve } from './reserve-command.js';
import { registerScan } from './scan-command.js';
import { registerVm } from './vm-command.js';
import { registerWhois } from './whois-command.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerMac,
  registerScan,
  registerPredict,
  registerNlb,
  registerCollide,
  registerInit,
  registerDb,
  registerPool,
  registerAllocate,
  registerReserve,
  registerRelease,
  registerWhois,
  registerHost,
  registerVm,
  registerEvents,
  registerLab,
  registerDoctor,
];
