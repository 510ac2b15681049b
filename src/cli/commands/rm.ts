// `rrun rm [-f] [-v] CONTAINER…`
import { command, flag, restPositionals, string } from 'cmd-ts';
import { rm } from '../../api/rm.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove one or more containers',
    args: {
      force: flag({ long: 'force', short: 'f', description: 'Force removal of a running container' }),
      volumes: flag({ long: 'volumes', short: 'v', description: 'Remove anonymous volumes associated with the container' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('must specify at least one container to remove');
      const ctx = await createContext(globals);
      for (const n of a.names) {
        await rm(n, { force: a.force, volumes: a.volumes }, ctx);
        process.stdout.write(`${n}\n`);
      }
      return 0;
    },
  }), argv);
}
