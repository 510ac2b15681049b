// `rrun inspect` / `rrun container inspect`: podman's container JSON.
import { command, option, optional, restPositionals, string } from 'cmd-ts';
import { inspectContainers } from '../../api/inspect.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import { isJsonFormat } from '../../format/report.js';
import { containerInspectSchema, inspectErrorPrefix, inspectValue, normalizeInspectFormat } from '../../format/reporters/inspect.js';
import { writeReport } from '../../format/write.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Display the configuration of a container',
    args: {
      format: option({ long: 'format', short: 'f', type: optional(string), description: 'Format the output to JSON or a Go template' }),
      names: restPositionals({ type: string, displayName: 'CONTAINER' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0) throw usageError('inspect requires at least one argument');
      const docs = await inspectContainers(a.names, await createContext(globals));
      if (a.format === undefined || isJsonFormat(a.format)) process.stdout.write(goJson(docs, '     ', false));
      else {
        const data = docs.map((doc) => inspectValue(containerInspectSchema, doc));
        writeReport({ name: 'inspect', format: normalizeInspectFormat(a.format, false), list: true }, data, inspectErrorPrefix);
      }
      return 0;
    },
  }), argv);
}
