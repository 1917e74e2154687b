import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../context.js';
import { COMMAND_MODULES, commandsFor } from './index.js';

const io = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, env: {}, cwd: '/' };

describe('command modules', () => {
  it('each module registers exactly the top-level commands listed for it', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command('macfleet');
      (await m.load())(program, makeContext(io));
      expect(program.commands.map((c) => c.name())).toEqual(m.names);
    }
  });
  it('a run loads the named command alone, and everything for help or an unknown command', async () => {
    expect(await commandsFor(['scan', '--json', 'x'])).toHaveLength(1);
    expect(await commandsFor(['--quiet', 'host', 'list'])).toHaveLength(1);
    for (const argv of [[], ['--help'], ['help', 'scan'], ['scna']])
      expect(await commandsFor(argv)).toHaveLength(COMMAND_MODULES.length);
  });
});
