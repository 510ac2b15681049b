// `rrun stop [-t N] CONTAINER…`
import { command, number, option, optional, restPositionals, string } from 'cmd-ts';
import { stopContainer } from '../../api/stop.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Stop one or more containers',
    args: {
      time: option({ long: 'time', short: 't', type: optional(number), description: 'Seconds to wait before killing the container' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('you must provide at least one container name or id');
      const ctx = await createContext(globals);
      for (const n of a.names) {
        const r = await stopContainer(n, a.time !== undefined ? { timeout: a.time } : {}, ctx);
        if (r.killed) process.stderr.write(`time="${new Date().toISOString()}" level=warning msg="StopSignal failed to stop container ${n} in ${a.time ?? 10} seconds, resorting to SIGKILL"\n`);
        process.stdout.write(`${n}\n`);
      }
      return 0;
    },
  }), argv);
}
