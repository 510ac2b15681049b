// `rrun import [-c CHANGE]… [-m MESSAGE] [-q] TARBALL [NAME]`: `sha256:<id>` on stdout.
import { array, boolean, command, flag, multioption, option, optional, positional, string } from 'cmd-ts';
import { importImage } from '../../api/import.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export const importCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Import a tarball to create a filesystem image',
    args: {
      changes: multioption({ long: 'change', short: 'c', type: array(string), description: 'Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR' }),
      message: option({ long: 'message', short: 'm', type: optional(string), description: 'Set commit message for imported image' }),
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: 'Suppress output' }),
      file: positional({ type: string, displayName: 'TARBALL' }),
      reference: positional({ type: optional(string), displayName: 'REFERENCE' }),
    },
    handler: async (a): Promise<number> => {
      const id = await importImage(a.file, a.reference, { ...globals, changes: a.changes, message: a.message, quiet: a.quiet });
      process.stdout.write(`sha256:${id}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(importCommand(globals, name), argv);
}
