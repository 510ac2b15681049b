// `rrun image exists IMAGE` / `rrun container exists CONTAINER`: exit 0 if found, 1 if
// not, nothing printed (podman's contract for scripts).
import { command, positional, string } from 'cmd-ts';
import { containerExists, imageExists } from '../../api/exists.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

const lookups: Record<string, (name: string, g: CliGlobals) => Promise<boolean>> = {
  'image exists': imageExists,
  'container exists': containerExists,
};

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  // podman's usage error for a wrong argument count, before cmd-ts's own.
  if (argv.filter((a) => !a.startsWith('-')).length !== 1) {
    return Promise.reject(usageError(`accepts 1 arg(s), received ${argv.filter((a) => !a.startsWith('-')).length}`));
  }
  const lookup = lookups[name] ?? imageExists;
  return runCommand(command({
    name: `rrun ${name}`,
    description: name === 'image exists' ? 'Check if an image exists in local storage' : 'Check if a container exists in local storage',
    args: { target: positional({ type: string, displayName: name === 'image exists' ? 'IMAGE' : 'CONTAINER' }) },
    handler: async (a): Promise<number> => ((await lookup(a.target, globals)) ? 0 : 1),
  }), argv);
}
