// `rrun top CONTAINER [ps options]`: the container's processes, as its own `ps` lists them.
import { command, positional, restPositionals, string } from 'cmd-ts';
import { top } from '../../api/top.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const help = argv[0] === '--help' || argv[0] === '-h';
  if (!help && argv.length === 0) return Promise.reject(usageError('you must provide the name or id of a running container'));
  // Everything after the container belongs to ps, dashes included.
  const [container = '', ...psArgs] = argv;
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Display the running processes of a container',
    args: {
      container: positional({ type: string, displayName: 'CONTAINER' }),
      psOptions: restPositionals({ type: string, displayName: 'PS-OPTIONS' }),
    },
    handler: async (): Promise<number> => top(container, psArgs, globals),
  }), help ? argv : [container]);
}
