// `rrun load [-i FILE] [-q]`: progress on stderr, `Loaded image: NAME` lines on stdout.
import { boolean, command, flag, option, optional, string } from 'cmd-ts';
import { load } from '../../api/load.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const loadCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Load image(s) from a tar archive',
    args: {
      input: option({ long: 'input', short: 'i', type: optional(string), description: 'Read from specified archive file (default: stdin)' }),
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: 'Suppress the output' }),
    },
    handler: async (a): Promise<number> => {
      if (a.input === undefined && process.stdin.isTTY) {
        throw usageError('cannot read from terminal, use command-line redirection or the --input flag');
      }
      const r = await load({ ...globals, input: a.input, quiet: a.quiet });
      const lines = r.images.flatMap((i) => (i.names.length > 0 ? i.names : [`sha256:${i.id}`]));
      process.stdout.write(lines.map((l) => `Loaded image: ${l}\n`).join(''));
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(loadCommand(globals, name), argv);
}
