// `rrun start [-a] [-i] CONTAINER…`
import { command, flag, restPositionals, string } from 'cmd-ts';
import { start } from '../../api/start.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const startCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Start one or more containers',
    args: {
      attach: flag({ long: 'attach', short: 'a', description: "Attach container's STDOUT and STDERR" }),
      interactive: flag({ long: 'interactive', short: 'i', description: 'Keep STDIN open' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('start requires at least one argument');
      if (a.attach && a.names.length > 1) throw usageError('you cannot start and attach multiple containers at once');
      const ctx = await createContext(globals);
      for (const n of a.names) {
        const r = await start(n, { attach: a.attach, interactive: a.interactive }, ctx);
        if (a.attach) return r.exitCode ?? 0;
        process.stdout.write(`${n}\n`);
      }
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(startCommand(globals, name), argv);
}
