// `rrun system df [-v] [--format]`: podman's summary table (TYPE TOTAL ACTIVE SIZE
// RECLAIMABLE), or with -v its three per-object tables.
import { command, flag, option, optional, string } from 'cmd-ts';
import { reclaimableText, summarizeDf, systemDf, type DiskUsage, type DfSummary } from '../../api/system-df.js';
import { createContext } from '../../context.js';
import { isJsonFormat, headers } from '../../format/report.js';
import { goStruct, type GoValue } from '../../format/values.js';
import { writeReport } from '../../format/write.js';
import { runCommand } from '../cmd.js';
import { compactSize, goJson, humanDuration, renderTable } from '../output.js';
import type { CliGlobals } from '../main.js';

type SummaryRow = {
  Type: string;
  Total: number;
  Active: number;
  Size: string;
  Reclaimable: string;
};

const summaryRow = (s: DfSummary): SummaryRow => ({
  Type: s.Type, Total: s.Total, Active: s.Active, Size: compactSize(s.RawSize), Reclaimable: reclaimableText(s, compactSize),
});

function summaryTable(rows: readonly SummaryRow[]): string {
  const head = ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'];
  return renderTable([head, ...rows.map((r) => [r.Type, String(r.Total), String(r.Active), r.Size, r.Reclaimable])]);
}

function verbose(du: DiskUsage, now: number): string {
  const age = (t: number): string => humanDuration(now - t);
  const images = renderTable([
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    ...du.Images.map((i) => [i.Repository, i.Tag, i.ImageID.slice(0, 12), age(i.Created), compactSize(i.Size), compactSize(i.SharedSize), compactSize(i.UniqueSize), String(i.Containers)]),
  ]);
  const containers = renderTable([
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
    ...du.Containers.map((c) => [c.ContainerID.slice(0, 12), c.Image.slice(0, 12), c.Command.join(' '), String(c.LocalVolumes), compactSize(c.RWSize), age(c.Created), c.Status, c.Names]),
  ]);
  const volumes = renderTable([['VOLUME NAME', 'LINKS', 'SIZE'], ...du.Volumes.map((v) => [v.VolumeName, String(v.Links), compactSize(v.Size)])]);
  return `Images space usage:\n\n${images}\nContainers space usage:\n\n${containers}\nLocal Volumes space usage:\n\n${volumes}`;
}

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'Show rrun disk usage',
    args: {
      verbose: flag({ long: 'verbose', short: 'v', description: 'Show detailed information on disk usage' }),
      format: option({ long: 'format', type: optional(string), description: 'Pretty-print the summary using a Go template' }),
    },
    handler: async (a): Promise<number> => {
      const du = await systemDf({}, await createContext(globals));
      // podman 4.3 prints the verbose tables whatever --format says.
      if (a.verbose) {
        process.stdout.write(verbose(du, Date.now() / 1000));
        return 0;
      }
      const rows = summarizeDf(du).map(summaryRow);
      if (a.format === undefined) process.stdout.write(summaryTable(rows));
      else if (isJsonFormat(a.format)) process.stdout.write(goJson(rows));
      else {
        const data: GoValue = rows.map((r) => goStruct('system.dfSummary', r));
        writeReport({ name: 'df', format: a.format, list: true, headers: headers(['Type', 'Total', 'Active', 'Size', 'Reclaimable']) }, data);
      }
      return 0;
    },
  }), argv);
}
