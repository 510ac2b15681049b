// `rrun diff [--format json] CONTAINER`: `C /etc`, `A /etc/new`, `D /bin/cpio`.
import { command, option, optional, positional, string } from 'cmd-ts';
import { changesJson, containerDiff } from '../../api/diff.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: "Inspect changes to the container's file systems",
    args: {
      format: option({ type: optional(string), long: 'format', description: "Change the output format (json)" }),
      container: positional({ type: optional(string), displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.container === undefined) throw usageError(`"rrun ${name}" requires a name or id`);
      if (a.format !== undefined && a.format !== 'json') throw usageError("only supported value for '--format' is 'json'");
      const changes = await containerDiff(a.container, globals);
      if (a.format === 'json') process.stdout.write(goJson(changesJson(changes), '     '));
      else process.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
      return 0;
    },
  }), argv);
}
