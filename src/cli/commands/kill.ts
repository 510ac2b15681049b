// `rrun kill [-s SIGNAL] CONTAINER…`
import { command, option, restPositionals, string } from 'cmd-ts';
import { killContainer } from '../../api/stop.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Kill one or more running containers with a specific signal',
    args: {
      signal: option({ long: 'signal', short: 's', type: string, defaultValue: () => 'KILL', description: 'Signal to send to the container' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('you must provide at least one container name or id');
      const ctx = await createContext(globals);
      for (const n of a.names) {
        await killContainer(n, a.signal, ctx);
        process.stdout.write(`${n}\n`);
      }
      return 0;
    },
  }), argv);
}
