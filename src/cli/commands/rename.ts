// `rrun rename CONTAINER NEWNAME`
import { command, positional, string } from 'cmd-ts';
import { renameContainer } from '../../api/rename.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const count = argv.filter((a) => !a.startsWith('-')).length;
  if (count !== 2 && !argv.includes('--help') && !argv.includes('-h')) {
    return Promise.reject(usageError(`accepts 2 arg(s), received ${count}`));
  }
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Rename an existing container',
    args: {
      container: positional({ type: string, displayName: 'CONTAINER' }),
      newName: positional({ type: string, displayName: 'NAME' }),
    },
    handler: async (a): Promise<number> => {
      await renameContainer(a.container, a.newName, globals);
      return 0;
    },
  }), argv);
}
