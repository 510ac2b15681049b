// `rrun cp [-a] SRC DEST`: SRC or DEST is `CONTAINER:PATH`; `-` is a tar stream.
import { boolean, command, flag, positional, string } from 'cmd-ts';
import { cp } from '../../api/cp.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

/** podman's boolean spelling `-a=false` is the long flag's `--archive=false`. */
function normalise(argv: string[]): string[] {
  return argv.map((a) => (a.startsWith('-a=') ? `--archive=${a.slice(3)}` : a));
}

export async function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const positionals = argv.filter((a) => !a.startsWith('-') || a === '-');
  if (positionals.length !== 2 && !argv.includes('--help') && !argv.includes('-h')) {
    throw usageError(`accepts 2 arg(s), received ${positionals.length}`);
  }
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Copy files/folders between a container and the local filesystem',
    args: {
      archive: flag({ long: 'archive', short: 'a', type: boolean, defaultValue: () => true, description: 'Chown copied files to the primary uid/gid of the destination container (default true)' }),
      overwrite: flag({ long: 'overwrite', description: 'Allow to overwrite directories with non-directories and vice versa' }),
      src: positional({ type: string, displayName: 'SRC' }),
      dest: positional({ type: string, displayName: 'DEST' }),
    },
    handler: async (a): Promise<number> => {
      await cp(a.src, a.dest, { archive: a.archive }, await createContext(globals));
      return 0;
    },
  }), normalise(argv));
}
