// `rrun system prune [-a] [-f] [--volumes]`: podman's warning (the list of what goes)
// and prompt without -f, then its sections and the reclaimed space.
import { array, command, flag, multioption, restPositionals, string } from 'cmd-ts';
import { reclaimedBytes, systemPrune, type SystemPruneReport } from '../../api/system-prune.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { confirmPrune } from '../confirm.js';
import { usageError } from '../errors.js';
import { compactSize } from '../output.js';
import type { CliGlobals } from '../main.js';

/** podman 4.3's list; rrun has no networks or build cache but names them as podman does. */
function warning(all: boolean, volumes: boolean): string {
  const items = [
    'all stopped containers',
    'all networks not used by at least one container',
    ...(volumes ? ['all volumes not used by at least one container'] : []),
    all ? 'all images without at least one container associated with them' : 'all dangling images',
    all ? 'all build cache' : 'all dangling build cache',
  ];
  return `WARNING! This command removes:\n${items.map((i) => `\t- ${i}\n`).join('')}`;
}

function sections(r: SystemPruneReport): string {
  const section = (title: string, names: readonly string[]): string =>
    names.length === 0 ? '' : `${title}\n${names.map((n) => `${n}\n`).join('')}`;
  return [
    section('Deleted Containers', r.containers.map((c) => c.name)),
    section('Deleted Volumes', r.volumes.map((v) => v.name)),
    section('Deleted Images', r.images.map((i) => i.id)),
    `Total reclaimed space: ${compactSize(reclaimedBytes(r))}\n`,
  ].join('');
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Remove unused data',
    args: {
      all: flag({ long: 'all', short: 'a', description: 'Remove all unused data' }),
      force: flag({ long: 'force', short: 'f', description: 'Do not prompt for confirmation.  The default is false' }),
      volumes: flag({ long: 'volumes', description: 'Prune volumes' }),
      filter: multioption({ long: 'filter', type: array(string), description: "Provide filter values (e.g. 'label=<key>=<value>')" }),
      rest: restPositionals({ type: string, displayName: 'NONE' }),
    },
    handler: async (a): Promise<number> => {
      if (a.rest.length > 0) throw usageError(`\`rrun ${name}\` takes no arguments`);
      if (!a.force && !(await confirmPrune(warning(a.all, a.volumes)))) return 0;
      process.stdout.write(sections(await systemPrune({ all: a.all, volumes: a.volumes, filters: a.filter }, await createContext(globals))));
      return 0;
    },
  }), argv);
}
