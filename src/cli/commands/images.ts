// `rrun images` / `rrun image ls`: podman's table, `-q`, and `--format json`.
import { array, command, flag, multioption, option, optional, restPositionals, string } from 'cmd-ts';
import { usageError } from '../errors.js';
import { listImages, type ImageSummary } from '../../api/images.js';
import { splitName } from '../../image/catalog.js';
import { runCommand } from '../cmd.js';
import { isJsonFormat } from '../../format/report.js';
import { imageHeaders, imageReporter } from '../../format/reporters/images.js';
import { writeReport } from '../../format/write.js';
import { goJson, humanSize, renderTable, timeAgo } from '../output.js';
import type { CliGlobals } from '../main.js';

interface Row {
  repository: string;
  tag: string;
  digest: string;
  summary: ImageSummary;
}

/** One row per tag, or one `<none>` row (podman's sortImages). */
function rows(images: readonly ImageSummary[]): Row[] {
  return images.flatMap((summary): Row[] => {
    const tagged = summary.RepoTags.map((name) => {
      const { repo, tag } = splitName(name);
      return { repository: repo, tag: tag ?? '<none>', digest: summary.Digest, summary };
    });
    return tagged.length > 0 ? tagged : [{ repository: '<none>', tag: '<none>', digest: summary.Digest, summary }];
  });
}

function shortId(id: string, noTrunc: boolean): string {
  return noTrunc ? `sha256:${id}` : id.slice(0, 12);
}

function table(list: readonly Row[], opts: { noTrunc: boolean; digests: boolean; noHeading: boolean }): string {
  const head = ['REPOSITORY', 'TAG', ...(opts.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const body = list.map((r) => [
    r.repository,
    r.tag,
    ...(opts.digests ? [r.digest] : []),
    shortId(r.summary.Id, opts.noTrunc),
    timeAgo(r.summary.Created),
    humanSize(r.summary.Size),
  ]);
  return renderTable(opts.noHeading ? body : [head, ...body]);
}

/** podman 4.3 prints one JSON entry per row, with RepoTags nulled. */
function json(list: readonly Row[]): string {
  return goJson(list.map((r) => ({ ...r.summary, RepoTags: null })));
}

/** `images IMAGE` is podman's `--filter reference=IMAGE`; the two do not mix. */
function filtersOf(images: readonly string[], filters: readonly string[]): string[] {
  if (images.length > 1) throw usageError(`accepts at most 1 arg(s), received ${images.length}`);
  if (images.length === 1 && filters.length > 0) throw usageError('cannot specify an image and a filter(s)');
  return images.length === 1 ? [`reference=${images[0] as string}`] : [...filters];
}

export const imagesCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'List images in local storage',
    args: {
      all: flag({ long: 'all', short: 'a', description: 'Show all images (default hides intermediate images)' }),
      quiet: flag({ long: 'quiet', short: 'q', description: 'Display only image IDs' }),
      noTrunc: flag({ long: 'no-trunc', description: 'Do not truncate output' }),
      digests: flag({ long: 'digests', description: 'Show digests' }),
      noHeading: flag({ long: 'noheading', short: 'n', description: 'Do not print column headings' }),
      filter: multioption({ long: 'filter', short: 'f', type: array(string), description: 'Filter output: before=, since=, dangling=, label=, reference=, id=, until=, containers=, intermediate=' }),
      format: option({ long: 'format', type: optional(string), description: "Change the output format to JSON or a Go template" }),
      image: restPositionals({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (args): Promise<number> => {
      const list = rows(await listImages({ ...globals, all: args.all, filters: filtersOf(args.image, args.filter) }));
      if (args.format !== undefined && isJsonFormat(args.format)) process.stdout.write(json(list));
      else if (args.format !== undefined) {
        const data = list.map((r) => imageReporter(r, args.noTrunc));
        writeReport({ name: 'images', format: args.format, list: true, headers: imageHeaders, noHeading: args.noHeading }, data);
      }
      else if (args.quiet) {
        const ids = [...new Set(list.map((r) => shortId(r.summary.Id, args.noTrunc)))];
        process.stdout.write(ids.map((id) => `${id}\n`).join(''));
      } else process.stdout.write(table(list, args));
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(imagesCommand(globals, name), argv);
}
