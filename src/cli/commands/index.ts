// Every CLI command module, in the order `macfleet --help` lists them. One line per command module.
import type { RegisterCommand } from '../main.js';
import { registerDoctor } from './doctor-command.js';
import { registerLab } from './lab-command.js';
import { registerMac } from './mac-command.js';

export const COMMANDS: readonly RegisterCommand[] = [registerMac, registerLab, registerDoctor];
