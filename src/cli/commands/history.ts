// `rrun history IMAGE`: podman's table (ID, CREATED, CREATED BY, SIZE, COMMENT), `-q`,
// `--no-trunc`, `-H`, and `--format` (json or a Go template over podman's historyReporter).
import { boolean, command, flag, option, optional, positional, string } from 'cmd-ts';
import { imageHistory, type ImageHistoryEntry } from '../../api/history.js';
import { formatRfc3339Seconds, parseTimeSeconds } from '../../../oci/time.js';
import { isJsonFormat } from '../../format/report.js';
import { goStruct, GoTime, type GoValue } from '../../format/values.js';
import { writeReport } from '../../format/write.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { humanSize, renderTable, timeAgo } from '../output.js';
import type { CliGlobals } from '../main.js';

interface Show {
  noTrunc: boolean;
  human: boolean;
}

const headers: Record<string, string> = { ID: 'ID', Created: 'CREATED', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

function shownId(e: ImageHistoryEntry, s: Show): string {
  return s.noTrunc ? e.id : e.id.slice(0, 12);
}

/** Go slices strings by bytes: 42 bytes then `...` past 45. */
function shownCreatedBy(e: ImageHistoryEntry, s: Show): string {
  const bytes = Buffer.from(e.createdBy);
  return s.noTrunc || bytes.length <= 45 ? e.createdBy : `${bytes.subarray(0, 42).toString()}...`;
}

function shownCreated(e: ImageHistoryEntry, s: Show): string {
  const secs = parseTimeSeconds(e.created);
  return s.human ? timeAgo(secs) : formatRfc3339Seconds(secs);
}

function reporter(e: ImageHistoryEntry, s: Show): GoValue {
  const created = (e.created !== undefined ? GoTime.parse(e.created) : undefined) ?? new GoTime(-62135596800000, 0);
  const layer = goStruct('entities.ImageHistoryLayer', {
    ID: e.id, Created: created, CreatedBy: e.createdBy, Tags: [] as string[], Size: e.size, Comment: e.comment,
  });
  return goStruct('images.historyReporter', { ImageHistoryLayer: layer }, {
    embedded: ['ImageHistoryLayer'],
    methods: {
      ID: () => shownId(e, s),
      Created: () => shownCreated(e, s),
      CreatedBy: () => shownCreatedBy(e, s),
      Size: () => humanSize(e.size),
      CreatedSince: () => timeAgo(parseTimeSeconds(e.created)),
      CreatedAt: () => GoTime.fromSeconds(parseTimeSeconds(e.created)).toString(),
    },
  });
}

/** podman encodes the layers plus a `Created` string (RFC 3339, seconds), compact. */
function json(list: readonly ImageHistoryEntry[]): string {
  const rows = list.map((e) => {
    const created = e.created !== undefined ? GoTime.parse(e.created) : undefined;
    return {
      id: e.id,
      created: created?.toJSON() ?? '0001-01-01T00:00:00Z',
      ...(e.createdBy !== '' ? { CreatedBy: e.createdBy } : {}),
      size: e.size,
      ...(e.comment !== '' ? { comment: e.comment } : {}),
      Created: formatRfc3339Seconds(parseTimeSeconds(e.created)),
    };
  });
  const text = JSON.stringify(rows).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}

export const historyCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Show history of a specified image',
    args: {
      human: flag({ long: 'human', short: 'H', type: boolean, defaultValue: () => true, description: 'Display sizes and dates in human readable format (default true)' }),
      noTrunc: flag({ long: 'no-trunc', description: 'Do not truncate the output' }),
      quiet: flag({ long: 'quiet', short: 'q', description: 'Display the numeric IDs only' }),
      format: option({ long: 'format', type: optional(string), description: 'Change the output to JSON or a Go template' }),
      image: positional({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      const list = await imageHistory(a.image, globals);
      const show: Show = { noTrunc: a.noTrunc, human: a.human };
      if (a.format !== undefined && isJsonFormat(a.format)) {
        process.stdout.write(list.length === 0 ? '[]\n' : json(list));
      } else if (a.quiet) {
        process.stdout.write(list.map((e) => `${shownId(e, show)}\n`).join(''));
      } else if (a.format !== undefined) {
        writeReport({ name: 'history', format: a.format, list: true, headers }, list.map((e) => reporter(e, show)));
      } else {
        const body = list.map((e) => [shownId(e, show), shownCreated(e, show), shownCreatedBy(e, show), humanSize(e.size), e.comment]);
        process.stdout.write(renderTable([Object.values(headers), ...body]));
      }
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const positionals = argv.filter((x) => !x.startsWith('-') && x !== 'true' && x !== 'false');
  const withValue = argv.includes('--format') ? 1 : 0;
  if (!argv.includes('--help') && !argv.includes('-h') && positionals.length - withValue !== 1) {
    return Promise.reject(usageError(`accepts 1 arg(s), received ${positionals.length - withValue}`));
  }
  return runCommand(historyCommand(globals, name), argv);
}
