// `rrun image inspect NAME…`: podman's JSON (5-space indent) for every name found; the
// first error is reported after printing what was found, with exit code 125.
import { command, option, optional, restPositionals, string } from 'cmd-ts';
import { RrunError } from '../../../oci/errors.js';
import { inspectImage, type ImageInspect } from '../../api/images.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import { isJsonFormat } from '../../format/report.js';
import { imageInspectSchema, inspectErrorPrefix, inspectValue, normalizeInspectFormat } from '../../format/reporters/inspect.js';
import { writeReport } from '../../format/write.js';
import type { CliGlobals } from '../main.js';

export const imageInspectCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Display the configuration of an image',
    args: {
      format: option({ long: 'format', short: 'f', type: optional(string), description: 'Format the output to JSON or a Go template' }),
      names: restPositionals({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (args): Promise<number> => {
      if (args.names.length === 0) throw usageError(`${name} requires at least 1 arg(s), only received 0`);
      const ctx = await createContext(globals);
      const found: ImageInspect[] = [];
      let failure: RrunError | undefined;
      for (const n of args.names) {
        try {
          found.push(await inspectImage(n, globals, ctx));
        } catch (err) {
          if (!(err instanceof RrunError) || err.code !== 'ERR_IMAGE_NOT_FOUND') throw err;
          failure ??= new RrunError({ code: err.code, message: `inspecting object: ${err.message}`, subject: n, hint: err.hint, cause: err });
        }
      }
      if (args.format === undefined || isJsonFormat(args.format)) process.stdout.write(goJson(found, '     ', false));
      else {
        const data = found.map((doc) => inspectValue(imageInspectSchema, doc));
        writeReport({ name: 'inspect', format: normalizeInspectFormat(args.format, true), list: true }, data, inspectErrorPrefix);
      }
      if (failure !== undefined) throw failure;
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(imageInspectCommand(globals, name), argv);
}
