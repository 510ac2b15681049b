// `rrun logs [-f] [-n] [-t] [--tail N] [--since T] [--until T] CONTAINER…`: several
// containers get podman's prefix (short id, or the name with -n); all are looked up
// before anything is printed.
import { command, flag, number, option, optional, restPositionals, string } from 'cmd-ts';
import { logs, type LogsOptions } from '../../api/logs.js';
import { findContainer, type RrunContainer } from '../../api/container-store.js';
import { createContext } from '../../context.js';
import { nowNanos, parseInputTime, type DurationDirection } from '../../../oci/time-input.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

/** podman's reading of --since (durations back from now) and --until (durations added to now). */
function timeFlag(flag: string, text: string | undefined, direction: DurationDirection): bigint | undefined {
  if (text === undefined) return undefined;
  const t = parseInputTime(text, nowNanos(), direction);
  if (t === undefined) throw usageError(`parsing --${flag} "${text}": unable to interpret time value`, 'use RFC 3339, Unix seconds or a duration such as 10m');
  return t;
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Fetch the logs of one or more containers',
    args: {
      follow: flag({ long: 'follow', short: 'f', description: 'Follow log output' }),
      names: flag({ long: 'names', short: 'n', description: 'Output the container name in the log' }),
      since: option({ long: 'since', type: optional(string), description: 'Show logs since TIMESTAMP' }),
      until: option({ long: 'until', type: optional(string), description: 'Show logs until TIMESTAMP' }),
      tail: option({ long: 'tail', type: optional(number), description: 'Output the specified number of LINES at the end of the logs' }),
      timestamps: flag({ long: 'timestamps', short: 't', description: 'Output the timestamps in the log' }),
      containers: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.containers.length === 0) throw usageError('specify at least one container name or ID to log');
      const base: Omit<LogsOptions, 'prefix'> = {
        follow: a.follow, tail: a.tail ?? -1, timestamps: a.timestamps,
        since: timeFlag('since', a.since, 'past'), until: timeFlag('until', a.until, 'future'),
        write: (stream, text) => void (stream === 'stdout' ? process.stdout : process.stderr).write(text),
      };
      const ctx = await createContext(globals);
      const found: RrunContainer[] = [];
      for (const c of a.containers) found.push(await findContainer(ctx, c));
      const several = found.length > 1;
      const each = found.map((c) => () => logs(c, { ...base, ...(several ? { prefix: `${a.names ? c.name : c.id.slice(0, 12)} ` } : {}) }, ctx));
      // Followed logs run side by side (each ends with its container); the others one after another.
      if (a.follow) await Promise.all(each.map((f) => f()));
      else for (const f of each) await f();
      return 0;
    },
  }), argv);
}
