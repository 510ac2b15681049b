// `rrun start [-a] [-i] CONTAINER…`, `rrun start --all [--filter K=V]`, `rrun start -l`
import { array, command, flag, multioption, restPositionals, string } from 'cmd-ts';
import { start } from '../../api/start.js';
import { selectContainers } from '../../api/ps.js';
import { parsePsFilters } from '../../api/ps-filter.js';
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
      all: flag({ long: 'all', description: 'Start all containers regardless of their state or configuration' }),
      filter: multioption({ long: 'filter', short: 'f', type: array(string), description: 'Start the containers these filters select (as ps --filter)' }),
      latest: flag({ long: 'latest', short: 'l', description: 'Act on the latest container rrun is aware of' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      const selecting = a.all || a.filter.length > 0;
      if (selecting && a.names.length > 0) throw usageError('either start all containers or the container(s) provided in the arguments');
      if (a.latest && a.names.length > 0) throw usageError('--latest and containers cannot be used together', 'name the containers, or use --latest alone');
      if (!selecting && !a.latest && a.names.length === 0) throw usageError('start requires at least one argument');
      if (a.attach && (a.all || a.names.length > 1)) throw usageError('you cannot start and attach multiple containers at once');
      const ctx = await createContext(globals);
      let names = a.names;
      if (selecting || a.latest) {
        const chosen = await selectContainers(ctx, parsePsFilters(a.filter));
        // --all starts what is not running; -l the newest container, whatever its state.
        names = a.latest ? chosen.slice(-1).map((c) => c.id) : chosen.filter((c) => c.state.status !== 'running').map((c) => c.id);
        if (a.latest && names.length === 0) throw usageError('no containers to start', 'create one with `rrun create IMAGE`');
      }
      for (const n of names) {
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
