// `rrun exec [-i] [-t] [-e K=V] [-u USER] [-w DIR] CONTAINER COMMAND…`
import { command, flag, multioption, option, optional, positional, restPositionals, string, array } from 'cmd-ts';
import { exec } from '../../api/exec.js';
import { createContext } from '../../context.js';
import { resolveEnvArg } from '../../runtime/volumes.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';
import { presplitWith } from './run.js';

const valued = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--detach-keys']);

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Run a process in a running container',
    args: {
      interactive: flag({ long: 'interactive', short: 'i', description: 'Keep STDIN open' }),
      tty: flag({ long: 'tty', short: 't', description: 'Allocate a pseudo-TTY' }),
      env: multioption({ long: 'env', short: 'e', type: array(string), description: 'Set environment variables' }),
      user: option({ long: 'user', short: 'u', type: optional(string), description: 'user[:group]' }),
      workdir: option({ long: 'workdir', short: 'w', type: optional(string), description: 'Working directory inside the container' }),
      container: positional({ type: string, displayName: 'CONTAINER' }),
      command: restPositionals({ type: string, displayName: 'COMMAND' }),
    },
    handler: async (a): Promise<number> => {
      const r = await exec(a.container, a.command, {
        interactive: a.interactive, tty: a.tty, env: a.env.flatMap((e) => resolveEnvArg(e, process.env)),
        ...(a.user !== undefined ? { user: a.user } : {}), ...(a.workdir !== undefined ? { workdir: a.workdir } : {}),
      }, await createContext(globals));
      return r.exitCode;
    },
  }), presplitWith(argv, valued));
}
