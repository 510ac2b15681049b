// `rrun doctor [--format json]`: exit 0 when nothing fails, 1 otherwise.
import { command, option, optional, string } from 'cmd-ts';
import { doctor } from '../../api/doctor.js';
import { renderReport } from '../../doctor/doctor.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import type { CliGlobals } from '../main.js';

export const doctorCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Check that this machine can run rootless containers, and say how to fix what is missing',
    args: {
      format: option({ long: 'format', short: 'f', type: optional(string), description: 'json for machine-readable output' }),
    },
    handler: async (args): Promise<number> => {
      if (args.format !== undefined && args.format !== 'json') throw usageError(`unknown --format ${JSON.stringify(args.format)}`, 'use --format json');
      const report = await doctor(globals);
      process.stdout.write(args.format === 'json' ? goJson(report, '    ', false) : renderReport(report));
      return report.ok ? 0 : 1;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(doctorCommand(globals, name), argv);
}
