// `rrun ps`: podman's table, `-a`, `-q`, `--no-trunc`, `--format`, `--filter`, `-n`, `-l`.
import { array, command, flag, multioption, number, option, optional, string } from 'cmd-ts';
import { ps, type PsEntry } from '../../api/ps.js';
import { createContext } from '../../context.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson, renderTable } from '../output.js';
import { isJsonFormat } from '../../format/report.js';
import { psHeaders, psReporter, sizeColumn } from '../../format/reporters/ps.js';
import { parsePsSort, PS_SORT_KEYS } from '../../api/ps-sort.js';
import { writeReport } from '../../format/write.js';
import type { CliGlobals } from '../main.js';
import { portsColumn } from '../../runtime/port-list.js';

/** podman truncates COMMAND to 17 characters plus `...`. */
export function commandColumn(args: readonly string[], noTrunc: boolean): string {
  const text = args.join(' ');
  return noTrunc || text.length <= 20 ? text : `${text.slice(0, 17)}...`;
}

function table(list: readonly PsEntry[], noTrunc: boolean, size: boolean): string {
  const head = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(size ? ['SIZE'] : [])];
  const body = list.map((e) => [
    noTrunc ? e.Id : e.Id.slice(0, 12), e.Image, commandColumn(e.Command, noTrunc), e.CreatedAt, e.Status, portsColumn(e.Ports ?? []), e.Names.join(','),
    ...(size && e.Size !== null ? [sizeColumn(e.Size)] : []),
  ]);
  return renderTable([head, ...body]);
}

export const psCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: "List rrun's containers",
    args: {
      all: flag({ long: 'all', short: 'a', description: 'Show all the containers, default is only running containers' }),
      quiet: flag({ long: 'quiet', short: 'q', description: 'Print the numeric IDs of the containers only' }),
      noTrunc: flag({ long: 'no-trunc', description: 'Display the extended information' }),
      format: option({ long: 'format', type: optional(string), description: 'json, or a Go template' }),
      filter: multioption({ long: 'filter', short: 'f', type: array(string), description: 'Filter output: id=, name=, status=, exited=, ancestor=, before=, since=' }),
      last: option({ long: 'last', short: 'n', type: optional(number), description: 'Print the n last created containers (all states)' }),
      latest: flag({ long: 'latest', short: 'l', description: 'Act on the latest container rrun is aware of' }),
      size: flag({ long: 'size', short: 's', description: 'Display the total file sizes' }),
      sort: option({ long: 'sort', type: optional(string), description: `Sort output by: ${PS_SORT_KEYS.join(', ')}` }),
    },
    handler: async (a): Promise<number> => {
      if (a.latest && a.last !== undefined) throw usageError('last and latest are mutually exclusive');
      const last = a.latest ? 1 : a.last;
      const sort = a.sort === undefined ? {} : { sort: parsePsSort(a.sort) };
      const list = await ps({ all: a.all, filters: a.filter, size: a.size, ...sort, ...(last !== undefined ? { last } : {}) }, await createContext(globals));
      if (a.format !== undefined && isJsonFormat(a.format)) process.stdout.write(goJson(list));
      else if (a.format !== undefined) {
        writeReport({ name: 'ps', format: a.format, list: true, headers: psHeaders }, list.map((e) => psReporter(e, a.noTrunc)));
      }
      else if (a.quiet) process.stdout.write(list.map((e) => `${a.noTrunc ? e.Id : e.Id.slice(0, 12)}\n`).join(''));
      else process.stdout.write(table(list, a.noTrunc, a.size));
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(psCommand(globals, name), argv);
}
