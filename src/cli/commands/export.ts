// `rrun export [-o FILE] CONTAINER`
import { command, option, optional, positional, string } from 'cmd-ts';
import { exportContainer } from '../../api/export.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export const exportCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: "Export container's filesystem contents as a tar archive",
    args: {
      output: option({ long: 'output', short: 'o', type: optional(string), description: 'Write to a specified file (default: stdout, which must be redirected)' }),
      container: positional({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.output === undefined && process.stdout.isTTY) throw usageError('refusing to export to terminal. Use -o flag or redirect');
      await exportContainer(a.container, { ...globals, output: a.output });
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(exportCommand(globals, name), argv);
}
