// `rrun image prune [-a] [-f] [--filter K=V]`: podman's warning and prompt (without -f),
// then the id of every removed image.
import { array, command, flag, multioption, restPositionals, string } from 'cmd-ts';
import { imagePrune } from '../../api/image-prune.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { confirmPrune } from '../confirm.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

const WARNING = {
  dangling: 'WARNING! This command removes all dangling images.',
  all: 'WARNING! This command removes all images without at least one container associated with them.',
};

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove unused images',
    args: {
      all: flag({ long: 'all', short: 'a', description: 'Remove all images not in use by containers, not just dangling ones' }),
      force: flag({ long: 'force', short: 'f', description: 'Do not prompt for confirmation' }),
      filter: multioption({ long: 'filter', type: array(string), description: "Provide filter values (e.g. 'label=<key>=<value>')" }),
      rest: restPositionals({ type: string, displayName: 'NONE' }),
    },
    handler: async (a): Promise<number> => {
      if (a.rest.length > 0) throw usageError(`\`rrun ${name}\` takes no arguments`);
      if (!a.force && !(await confirmPrune(a.all ? WARNING.all : WARNING.dangling))) return 0;
      const removed = await imagePrune({ all: a.all, filters: a.filter }, await createContext(globals));
      process.stdout.write(removed.map((image) => `${image.id}\n`).join(''));
      return 0;
    },
  }), argv);
}
