// `rrun logs [-f] [--tail N] [-t] CONTAINER`
import { command, flag, number, option, optional, positional, string } from 'cmd-ts';
import { logs } from '../../api/logs.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Fetch the logs of a container',
    args: {
      follow: flag({ long: 'follow', short: 'f', description: 'Follow log output' }),
      tail: option({ long: 'tail', type: optional(number), description: 'Output the specified number of LINES at the end of the logs' }),
      timestamps: flag({ long: 'timestamps', short: 't', description: 'Output the timestamps in the log' }),
      name: positional({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      await logs(a.name, {
        follow: a.follow, tail: a.tail ?? -1, timestamps: a.timestamps,
        write: (stream, text) => void (stream === 'stdout' ? process.stdout : process.stderr).write(text),
      }, await createContext(globals));
      return 0;
    },
  }), argv);
}
