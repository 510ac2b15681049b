// `rrun wait CONTAINER…`: prints each exit code.
import { command, restPositionals, string } from 'cmd-ts';
import { waitContainer } from '../../api/wait.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Block on one or more containers',
    args: { names: restPositionals({ type: string, displayName: 'CONTAINER' }) },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('wait requires at least one argument');
      const ctx = await createContext(globals);
      for (const n of a.names) process.stdout.write(`${await waitContainer(n, ctx)}\n`);
      return 0;
    },
  }), argv);
}
