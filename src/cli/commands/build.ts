// `rrun build [-t NAME] [-f FILE] [--build-arg K=V] [--target T] [--no-cache] [--layers] [--network M] CONTEXT`
import { boolean, command, flag, multioption, option, optional, positional, string, array } from 'cmd-ts';
import { build } from '../../api/build.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export const buildCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Build an image from a Containerfile',
    args: {
      tags: multioption({ type: array(string), long: 'tag', short: 't', description: 'name for the image' }),
      file: option({ type: optional(string), long: 'file', short: 'f', description: 'Containerfile (default: CONTEXT/Containerfile or Dockerfile)' }),
      buildArgs: multioption({ type: array(string), long: 'build-arg', description: 'ARG value K=V' }),
      target: option({ type: optional(string), long: 'target', description: 'stage to build' }),
      noCache: flag({ type: boolean, long: 'no-cache', description: 'do not reuse cached layers' }),
      layers: flag({ type: boolean, long: 'layers', description: 'cache intermediate images (always on)' }),
      quiet: flag({ type: boolean, long: 'quiet', short: 'q', description: 'print only the image id' }),
      network: option({ type: optional(string), long: 'network', description: 'network for RUN (default: private via slirp4netns)' }),
      context: positional({ type: string, displayName: 'CONTEXT' }),
    },
    handler: async (a): Promise<number> => {
      const r = await build({
        ...globals, context: a.context, file: a.file, tags: a.tags, buildArgs: a.buildArgs, target: a.target,
        noCache: a.noCache, network: a.network, ...(a.quiet ? { log: () => {} } : {}),
      });
      process.stdout.write(`${r.id}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(buildCommand(globals, name), argv);
}
