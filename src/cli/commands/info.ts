// `rrun info`: host and store facts, YAML by default like podman, or `--format json`.
import { command, option, optional, string } from 'cmd-ts';
import { info } from '../../api/info.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson, toYaml } from '../output.js';
import type { CliGlobals } from '../main.js';

export const infoCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Display rrun related system information',
    args: {
      format: option({ long: 'format', short: 'f', type: optional(string), description: 'Change the output format to JSON' }),
    },
    handler: async (args): Promise<number> => {
      if (args.format !== undefined && args.format !== 'json') {
        throw usageError(`--format ${JSON.stringify(args.format)} is not supported yet`, 'use --format json');
      }
      const data = await info(globals);
      process.stdout.write(args.format === 'json' ? goJson(data) : toYaml(data));
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(infoCommand(globals, name), argv);
}
