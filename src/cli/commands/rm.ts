// `rrun rm [-a] [-f] [-i] [-t N] [-v] CONTAINER…`, with podman's batch semantics: every
// name is looked up first (one missing exits 1 and removes nothing, unless -i), then
// each is removed, going on past failures; a running one without -f makes the exit 2.
import { command, flag, number, option, optional, restPositionals, string } from 'cmd-ts';
import { findForRm, removeEach, rmAll, type BatchOutcome, type RmOptions } from '../../api/rm.js';
import type { RrunContainer } from '../../api/container-store.js';
import { createContext, type Context } from '../../context.js';
import { RrunError } from '../../../oci/errors.js';
import { runCommand } from '../cmd.js';
import { printError, usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

async function lookUp(ctx: Context, names: readonly string[], ignore: boolean): Promise<(readonly [string, RrunContainer])[]> {
  const out: (readonly [string, RrunContainer])[] = [];
  for (const n of names) {
    try {
      out.push([n, await findForRm(ctx, n)]);
    } catch (err) {
      if (ignore && err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') continue;
      throw err;
    }
  }
  return out;
}

/** Prints what was removed and every failure; the exit code podman would give. */
function report(outcome: BatchOutcome<string>, globals: CliGlobals): number {
  for (const label of outcome.done) process.stdout.write(`${label}\n`);
  const debug = globals.logLevel === 'debug' || globals.logLevel === 'trace';
  const codes = outcome.failed.map((err) => printError(err, debug));
  if (codes.length === 0) return 0;
  return codes.includes(2) ? 2 : (codes[codes.length - 1] ?? 125);
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove one or more containers',
    args: {
      all: flag({ long: 'all', short: 'a', description: 'Remove all containers' }),
      force: flag({ long: 'force', short: 'f', description: 'Force removal of a running container' }),
      ignore: flag({ long: 'ignore', short: 'i', description: 'Ignore errors when a specified container is missing' }),
      time: option({ long: 'time', short: 't', type: optional(number), description: 'With --force: seconds to wait after the stop signal before killing (default: kill at once)' }),
      volumes: flag({ long: 'volumes', short: 'v', description: 'Remove anonymous volumes associated with the container' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.all && a.names.length > 0) throw usageError('no arguments are needed with --all');
      if (!a.all && a.names.length === 0) throw usageError('you must provide at least one name or id');
      if (a.time !== undefined && (!Number.isInteger(a.time) || a.time < 0)) {
        throw usageError(`invalid argument "${a.time}" for "-t, --time" flag: it must be a whole number of seconds >= 0`);
      }
      const opts: RmOptions = { force: a.force, volumes: a.volumes, ...(a.time !== undefined ? { time: a.time } : {}) };
      const ctx = await createContext(globals);
      if (a.all) return report(await rmAll(opts, ctx), globals);
      return report(await removeEach(ctx, await lookUp(ctx, a.names, a.ignore), opts), globals);
    },
  }), argv);
}
