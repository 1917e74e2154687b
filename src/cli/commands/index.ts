// Every CLI command module, in the order `macfleet --help` lists them. One line per command module.
import type { RegisterCommand } from '../main.js';
import { registerMac } from './mac-command.js';
import { registerScan } from './scan-command.js';

export const COMMANDS: readonly RegisterCommand[] = [registerMac, registerScan];
