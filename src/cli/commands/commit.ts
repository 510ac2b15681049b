// `rrun commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE]… [-f oci|docker] [-p] [-q] [--iidfile FILE] CONTAINER [IMAGE]`:
// progress on stderr, the new image's id on stdout (as podman: bare hex).
import { writeFileSync } from 'node:fs';
import { array, boolean, command, flag, multioption, option, optional, positional, string } from 'cmd-ts';
import { commitContainer } from '../../api/commit.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export const commitCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Create new image based on the changed container',
    args: {
      author: option({ long: 'author', short: 'a', type: optional(string), description: 'Set the author for the image committed' }),
      changes: multioption({ long: 'change', short: 'c', type: array(string), description: 'Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR' }),
      format: option({ long: 'format', short: 'f', type: optional(string), description: '`format` of the image manifest and metadata (default "oci")' }),
      iidfile: option({ long: 'iidfile', type: optional(string), description: '`file` to write the image ID to' }),
      message: option({ long: 'message', short: 'm', type: optional(string), description: 'Set commit message for imported image' }),
      pause: flag({ long: 'pause', short: 'p', type: boolean, description: 'Pause container during commit (accepted; rrun does not pause)' }),
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: 'Suppress output' }),
      container: positional({ type: string, displayName: 'CONTAINER' }),
      image: positional({ type: optional(string), displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      const id = await commitContainer(a.container, a.image, {
        ...globals, author: a.author, changes: a.changes, format: a.format, message: a.message, quiet: a.quiet, pause: a.pause,
      });
      if (a.iidfile !== undefined) writeFileSync(a.iidfile, id);
      process.stdout.write(`${id}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(commitCommand(globals, name), argv);
}
