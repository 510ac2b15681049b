// `rrun rmi [-f] IMAGE…`: podman's "Untagged: …" / "Deleted: …" lines.
import { boolean, command, flag, restPositionals, string } from 'cmd-ts';
import { rmi } from '../../api/rmi.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const rmiCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Remove one or more images from local storage',
    args: {
      force: flag({ long: 'force', short: 'f', type: boolean, description: 'Remove an image referenced by several names' }),
      images: restPositionals({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      if (a.images.length === 0) throw usageError('image name or ID must be specified');
      const r = await rmi(a.images, { ...globals, force: a.force });
      for (const n of r.untagged) process.stdout.write(`Untagged: ${n}\n`);
      for (const id of r.deleted) process.stdout.write(`Deleted: ${id}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(rmiCommand(globals, name), argv);
}
