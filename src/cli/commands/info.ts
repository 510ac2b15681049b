// `rrun info`: host and store facts, YAML by default like podman, or `--format json`.
import { command, option, optional, string } from 'cmd-ts';
import { info } from '../../api/info.js';
import { runCommand } from '../cmd.js';
import { isJsonFormat } from '../../format/report.js';
import { infoSchema, inspectValue } from '../../format/reporters/inspect.js';
import { writeReport } from '../../format/write.js';
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
      const data = await info(globals);
      if (args.format === undefined) process.stdout.write(toYaml(data));
      else if (isJsonFormat(args.format)) process.stdout.write(goJson(data));
      else writeReport({ name: 'info', format: args.format, list: false }, inspectValue(infoSchema, data));
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(infoCommand(globals, name), argv);
}
