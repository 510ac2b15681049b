// `rrun container cleanup CONTAINER`: the monitor's exit command (see api/container-cleanup.ts).
import { command, positional, string } from 'cmd-ts';
import { cleanupContainer } from '../../api/container-cleanup.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Clean up network and mountpoints of one or more containers',
    args: { name: positional({ type: string, displayName: 'CONTAINER' }) },
    handler: async (a): Promise<number> => {
      await cleanupContainer(a.name, await createContext(globals));
      return 0;
    },
  }), argv);
}
