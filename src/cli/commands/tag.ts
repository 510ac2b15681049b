// `rrun tag IMAGE TARGET_NAME…`
import { command, positional, restPositionals, string } from 'cmd-ts';
import { tag } from '../../api/tag.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const tagCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Add an additional name to a local image',
    args: {
      image: positional({ type: string, displayName: 'IMAGE' }),
      names: restPositionals({ type: string, displayName: 'TARGET_NAME' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError(`${name} requires at least 2 arguments`);
      await tag(a.image, a.names, globals);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(tagCommand(globals, name), argv);
}
