// `rrun save [-o FILE] [--format docker-archive|oci-archive] [-m] [-q] IMAGE [IMAGE…]`
import { boolean, command, flag, oneOf, option, optional, positional, restPositionals, string } from 'cmd-ts';
import { save } from '../../api/save.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const saveCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Save image(s) to an archive',
    args: {
      output: option({ long: 'output', short: 'o', type: optional(string), description: 'Write to a specified file (default: stdout, which must be redirected)' }),
      format: option({ long: 'format', type: optional(oneOf(['docker-archive', 'oci-archive'] as const)), description: 'Save image to oci-archive or docker-archive (default "docker-archive")' }),
      multi: flag({ long: 'multi-image-archive', short: 'm', type: boolean, description: 'Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)' }),
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: 'Suppress the output' }),
      image: positional({ type: string, displayName: 'IMAGE' }),
      more: restPositionals({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      if (a.output === undefined && process.stdout.isTTY) throw usageError('refusing to save to terminal. Use -o flag or redirect');
      if (a.multi && a.format === 'oci-archive') throw usageError('--multi-image-archive can only be used with the docker-archive format');
      await save([a.image, ...a.more], { ...globals, output: a.output, format: a.format, multiImage: a.multi });
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(saveCommand(globals, name), argv);
}
