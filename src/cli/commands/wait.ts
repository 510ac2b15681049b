// `rrun wait [--condition C] [--interval I] CONTAINER…`: prints each exit code.
import { array, command, multioption, option, restPositionals, string } from 'cmd-ts';
import { parseCondition, waitContainer } from '../../api/wait.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** podman's interval: a Go duration (`250ms`, `1.5s`), or a bare number of milliseconds. */
function intervalMs(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g, (_, n: string, unit: string) => {
    total += Number(n) * (UNIT_MS[unit] ?? 0);
    return '';
  });
  if (rest !== '' || text === '') throw usageError(`time: invalid duration "${text}"`);
  return total;
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Block on one or more containers',
    args: {
      conditions: multioption({ type: array(string), long: 'condition', description: 'Condition to wait on (running, stopped, exited)' }),
      interval: option({ type: string, long: 'interval', short: 'i', defaultValue: () => '250ms', description: 'Time interval to wait before polling for completion' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('wait requires at least one argument');
      const conditions = a.conditions.map(parseCondition);
      const interval = intervalMs(a.interval);
      const ctx = await createContext(globals);
      for (const n of a.names) {
        process.stdout.write(`${await waitContainer(n, ctx, interval, conditions)}\n`);
      }
      return 0;
    },
  }), argv);
}
