// `rrun inspect` / `rrun container inspect`: podman's container JSON.
import { command, restPositionals, string } from 'cmd-ts';
import { inspectContainers } from '../../api/inspect.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Display the configuration of a container',
    args: { names: restPositionals({ type: string, displayName: 'CONTAINER' }) },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('inspect requires at least one argument');
      process.stdout.write(goJson(await inspectContainers(a.names, await createContext(globals)), '     ', false));
      return 0;
    },
  }), argv);
}
