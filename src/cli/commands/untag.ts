// `rrun untag IMAGE [NAME…]`
import { command, positional, restPositionals, string } from 'cmd-ts';
import { untagImage } from '../../api/untag.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  if (!argv.some((a) => !a.startsWith('-')) && !argv.includes('--help') && !argv.includes('-h')) {
    return Promise.reject(usageError('requires at least 1 arg(s), only received 0'));
  }
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove a name from a local image',
    args: {
      image: positional({ type: string, displayName: 'IMAGE' }),
      names: restPositionals({ type: string, displayName: 'NAME' }),
    },
    handler: async (a): Promise<number> => {
      await untagImage(a.image, a.names, globals);
      return 0;
    },
  }), argv);
}
