// `rrun container prune [-f]`: removes every container that is not running.
import { command, flag } from 'cmd-ts';
import { prune } from '../../api/rm.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove all non running containers',
    args: { force: flag({ long: 'force', short: 'f', description: 'Do not prompt for confirmation' }) },
    handler: async (): Promise<number> => {
      for (const id of await prune(await createContext(globals))) process.stdout.write(`${id}\n`);
      return 0;
    },
  }), argv);
}
