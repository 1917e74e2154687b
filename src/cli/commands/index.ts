// Every CLI command module, in the order `macfleet --help` lists them. One line per command module.
import type { RegisterCommand } from '../main.js';
import { registerMac } from './mac-command.js';
import { registerPredict } from './predict-command.js';
import { registerNlb } from './nlb-command.js';
import { registerCollide } from './collide-command.js';
import { registerHost } from './host-command.js';
import { registerVm } from './vm-command.js';
import { registerEvents } from './events-command.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerMac,
  registerPredict,
  registerNlb,
  registerCollide,
  registerHost,
  registerVm,
  registerEvents,
];
