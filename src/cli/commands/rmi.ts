// `rrun rmi [-f] [-i] [--no-prune] IMAGE…` / `rmi -a`: podman's "Untagged: …" /
// "Deleted: …" lines; with -a an image in use is reported and the rest still go (exit 2).
import { boolean, command, flag, restPositionals, string } from 'cmd-ts';
import { rmi, rmiAll, type RmiReport } from '../../api/rmi.js';
import { imageExists } from '../../api/exists.js';
import { isRrunError } from '../../../oci/errors.js';
import { runCommand } from '../cmd.js';
import { printError, usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

/** podman rmi's exit codes: 1 when an image is not known, 2 when a container uses it. */
const EXIT_CODES: readonly (readonly [string, number])[] = [['ERR_IMAGE_NOT_FOUND', 1], ['ERR_IMAGE_IN_USE', 2]];

function print(r: RmiReport): void {
  for (const n of r.untagged) process.stdout.write(`Untagged: ${n}\n`);
  for (const id of r.deleted) process.stdout.write(`Deleted: ${id}\n`);
}

export const rmiCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Remove one or more images from local storage',
    args: {
      all: flag({ long: 'all', short: 'a', type: boolean, description: 'Remove all images' }),
      force: flag({ long: 'force', short: 'f', type: boolean, description: 'Remove an image referenced by several names' }),
      ignore: flag({ long: 'ignore', short: 'i', type: boolean, description: 'Ignore errors if a specified image does not exist' }),
      noPrune: flag({ long: 'no-prune', type: boolean, description: 'Do not remove dangling images' }),
      images: restPositionals({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      const opts = { ...globals, force: a.force, noPrune: a.noPrune };
      if (a.all) {
        if (a.images.length > 0) throw usageError('when using the --all switch, you may not pass any images names or IDs');
        const r = await rmiAll(opts);
        print(r);
        for (const err of r.failed) printError(err, false);
        return r.failed.length > 0 ? 2 : 0;
      }
      if (a.images.length === 0) throw usageError('image name or ID must be specified');
      const found = a.ignore ? await existing(a.images, opts) : a.images;
      try {
        print(await rmi(found, opts));
      } catch (err) {
        const code = EXIT_CODES.find(([c]) => isRrunError(err, c))?.[1];
        if (code === undefined) throw err;
        printError(err, false);
        return code;
      }
      return 0;
    },
  });

/** -i: the names that resolve; the others are dropped silently as podman does. */
async function existing(images: readonly string[], opts: CliGlobals): Promise<string[]> {
  const out: string[] = [];
  for (const image of images) if (await imageExists(image, opts)) out.push(image);
  return out;
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(rmiCommand(globals, name), argv);
}
