// `rrun container prune [-f]`: podman's warning and y/N question without -f, then the
// ids of the removed containers (every one that is not running).
import { command, flag } from 'cmd-ts';
import { prune } from '../../api/rm.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { confirmPrune } from '../confirm.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove all non running containers',
    args: { force: flag({ long: 'force', short: 'f', description: 'Do not prompt for confirmation' }) },
    handler: async (a): Promise<number> => {
      if (!a.force && !(await confirmPrune('WARNING! This will remove all non running containers.'))) return 0;
      for (const id of await prune(await createContext(globals))) process.stdout.write(`${id}\n`);
      return 0;
    },
  }), argv);
}
